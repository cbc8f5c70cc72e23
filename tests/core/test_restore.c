/* test_restore.c - a restore never hands out a number twice and never runs
 * under a live kiosk; an older backup is migrated as a copy, never in place;
 * a migration keeps a copy of what it migrated; the whole file is checked
 * where it pays (after a session that never closed, in a backup, in a
 * restore), not on every open. Each case below failed on the store as it was
 * before (issue 15: "A restore issues numbers again"; issue 18: "Every open
 * checks the whole file"). */

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "complaint.h"
#include "embedded.h"
#include "retention.h"
#include "testutil.h"
#include "visitor.h"

extern const struct fd_embedded_file fd_schema[];
extern const int fd_schema_count;

/* The whole content of a file, malloc'd (NULL if unreadable); *n its size. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long len;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)len + 1)) && fread(buf, 1, (size_t)len, f) == (size_t)len)
        *n = (size_t)len;
    else
        free(buf), buf = NULL;
    fclose(f);
    return buf;
}

static int raw_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    int v = -1;
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static void write_at(const char *path, const char *data, size_t n, long at)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0 || pwrite(fd, data, n, at) != (ssize_t)n)
        perror("write_at");
    close(fd);
}

/* Marks the store's last session as one that never closed (a power cut). */
static void mark_unclean(const char *db)
{
    char m[256];
    snprintf(m, sizeof m, "%s-open", db);
    int fd = open(m, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, "open\n", 5) != 5)
        perror("mark_unclean");
    close(fd);
}

static struct fd_store *open_ok(const char *path)
{
    struct fd_store *st = NULL;
    char err[400];
    if (store_open(path, &st, err, sizeof err)) {
        fprintf(stderr, "store_open %s: %s\n", path, err);
        exit(2);
    }
    return st;
}

struct opener {
    const char *path;
    volatile int done;
    int rc;
    long long tickets;
};

static void *open_in_thread(void *arg)
{
    struct opener *o = arg;
    struct fd_store *st = NULL;
    char err[400];
    o->rc = store_open(o->path, &st, err, sizeof err);
    if (o->rc == 0) {
        o->tickets = tu_int(st, "SELECT count(*) FROM ticket");
        store_close(st);
    }
    o->done = 1;
    return NULL;
}

int main(void)
{
    struct fd_store *st;
    struct queue_ticket t;
    struct fd_err e = {0};
    struct visitor v;
    struct complaint *c = malloc(sizeof *c);
    char err[400], buf[64];
    int64_t hid;

    /* ---- the case: B003, backup, B004, restore, take: B005 ---- */
    const char *live = tu_path("live.db"), *bak = tu_path("live.bak");
    st = tu_open("live.db");
    tu_branch(st);
    CHECK_INT(host_add(st, "王晓明", "客户服务部", &hid, &e), 0);
    struct visitor_in vin = {.name = "张三", .phone = "13812345678", .host_id = hid};
    struct complaint_in cin = {.category = "waiting", .description = "等了很久"};
    for (int i = 0; i < 3; i++)
        CHECK_INT(queue_take(st, "B", 0, TU_NOW + i, &t, NULL), 0);
    CHECK_STR(t.label, "B003");
    CHECK_INT(visitor_sign_in(st, &vin, TU_NOW + 5, &v, &e), 0);
    CHECK_INT(complaint_file(st, &cin, TU_NOW + 6, c, &e), 0);
    CHECK_INT(store_backup(st, bak, err, sizeof err), 0);
    size_t bak_n = 0, bak_n2 = 0;
    char *bak_bytes = slurp(bak, &bak_n);
    CHECK(bak_bytes != NULL);
    /* handed out after the backup: the restore forgets these records */
    CHECK_INT(queue_take(st, "B", 0, TU_NOW + 10, &t, NULL), 0);
    CHECK_STR(t.label, "B004");
    long long lost_ticket_id = t.id;
    CHECK_INT(visitor_sign_in(st, &vin, TU_NOW + 11, &v, &e), 0);
    char lost_badge[8];
    snprintf(lost_badge, sizeof lost_badge, "%s", v.badge);
    CHECK_INT(complaint_file(st, &cin, TU_NOW + 12, c, &e), 0);
    char lost_ref[COMPLAINT_REF_LEN + 1];
    snprintf(lost_ref, sizeof lost_ref, "%s", c->ref);
    store_close(st);

    CHECK_INT(store_restore(bak, live, 0, err, sizeof err), 0);
    st = open_ok(live);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM ticket"), 3); /* B004 is gone... */
    CHECK_INT(queue_take(st, "B", 0, TU_NOW + 20, &t, NULL), 0);
    CHECK_MSG(strcmp(t.label, "B004") != 0, "B004 issued again");
    CHECK_STR(t.label, "B005"); /* ...but its number is never issued again */
    CHECK(t.id > lost_ticket_id);
    CHECK_INT(visitor_sign_in(st, &vin, TU_NOW + 21, &v, &e), 0);
    CHECK_MSG(strcmp(v.badge, lost_badge) > 0, "badge %s after %s", v.badge, lost_badge);
    CHECK_INT(complaint_file(st, &cin, TU_NOW + 22, c, &e), 0);
    CHECK_MSG(strncmp(c->ref, lost_ref, 12) > 0, "ref %s after %s", c->ref, lost_ref);
    CHECK_INT(store_meta_get(st, "epoch", buf, sizeof buf), 0);
    CHECK_STR(buf, "2");
    store_close(st);
    /* the backup was only read */
    char *again = slurp(bak, &bak_n2);
    CHECK(again && bak_n2 == bak_n && !memcmp(again, bak_bytes, bak_n));
    free(again);
    /* what was replaced is kept whole beside the store */
    char keep[256];
    snprintf(keep, sizeof keep, "%s.replaced", live);
    CHECK_INT(raw_int(keep, "SELECT count(*) FROM ticket WHERE label = 'B004'"), 1);
    snprintf(keep, sizeof keep, "%s.restoring", live);
    CHECK(access(keep, F_OK) != 0);
    /* the replaced store holds visitors' personal data out of the sweep's
     * reach: the housekeeping round removes it after a week, not before */
    char replaced[256];
    snprintf(replaced, sizeof replaced, "%s.replaced", live);
    st = open_ok(live);
    CHECK_INT(retention_prune_copies(st, (int64_t)time(NULL) + 3600), 0);
    CHECK(access(replaced, F_OK) == 0);
    CHECK_INT(retention_prune_copies(st, (int64_t)time(NULL) + 8 * 86400L), 1);
    CHECK(access(replaced, F_OK) != 0);
    store_close(st);

    /* ---- restoring the same backup again: the epoch passes both timelines
     * (it was raised from the backup's 1 to 2 before, and so again) ---- */
    CHECK_INT(store_restore(bak, live, 0, err, sizeof err), 0);
    st = open_ok(live);
    CHECK_INT(store_meta_get(st, "epoch", buf, sizeof buf), 0);
    CHECK_STR(buf, "3");
    CHECK_INT(queue_take(st, "B", 0, TU_NOW + 30, &t, NULL), 0);
    CHECK_STR(t.label, "B006");

    /* ---- never under a live kiosk: refused, nothing changed ---- */
    long long n_before = tu_int(st, "SELECT count(*) FROM ticket");
    CHECK_INT(store_restore(bak, live, 0, err, sizeof err), FD_ESTATE);
    CHECK(strstr(err, "kiosk") != NULL);
    CHECK_INT(queue_take(st, "B", 0, TU_NOW + 31, &t, NULL), 0); /* still works */
    CHECK_INT(tu_int(st, "SELECT count(*) FROM ticket"), n_before + 1);
    store_close(st);
    {   /* a program that is not frontdesk, holding the file open */
        sqlite3 *raw;
        sqlite3_open(live, &raw);
        sqlite3_exec(raw, "SELECT count(*) FROM ticket", NULL, NULL, NULL);
        CHECK_INT(store_restore(bak, live, 0, err, sizeof err), FD_ESTATE);
        sqlite3_close(raw);
        CHECK_INT(raw_int(live, "SELECT count(*) FROM ticket"), n_before + 1);
    }

    /* ---- a store opened while a restore runs waits, then sees the
     * restored store (never the replaced file) ---- */
    {
        const char *sw = tu_path("swap.db"), *repl = tu_path("swap.new");
        char cmd[600], m[256];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s' && cp '%s.replaced' '%s'", bak, sw, live, repl);
        CHECK_INT(system(cmd), 0);
        store_close(open_ok(sw)); /* its marker exists, closed cleanly */
        int want = raw_int(repl, "SELECT count(*) FROM ticket");
        CHECK(want != 3);
        snprintf(m, sizeof m, "%s-open", sw);
        int fd = open(m, O_RDWR);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        CHECK(fd >= 0 && fcntl(fd, F_OFD_SETLK, &fl) == 0); /* what a restore holds */
        struct opener o = {.path = sw};
        pthread_t th;
        pthread_create(&th, NULL, open_in_thread, &o);
        usleep(200 * 1000);
        CHECK_MSG(!o.done, "store_open did not wait for the restore");
        CHECK_INT(rename(repl, sw), 0); /* the restore's switch */
        close(fd);
        pthread_join(th, NULL);
        CHECK_INT(o.rc, 0);
        CHECK_INT(o.tickets, want);
    }

    /* ---- a damaged backup: refused, the store untouched, nothing left ---- */
    {
        const char *junk = tu_path("junk.bak");
        FILE *f = fopen(junk, "w");
        for (int i = 0; i < 500; i++)
            fputs("not a database ", f);
        fclose(f);
        long long before = raw_int(live, "SELECT count(*) FROM ticket");
        CHECK_INT(store_restore(junk, live, 0, err, sizeof err), FD_ECORRUPT);
        CHECK_INT(raw_int(live, "SELECT count(*) FROM ticket"), before);
        CHECK(access(keep, F_OK) != 0); /* no .restoring left */
    }

    /* ---- an older backup is migrated as a copy, never in place ---- */
    if (fd_schema_count >= 2) {
        const char *old = tu_path("old.bak");
        sqlite3 *db;
        unlink(old);
        sqlite3_open(old, &db);
        sqlite3_exec(db, fd_schema[0].data, NULL, NULL, NULL);
        sqlite3_exec(db, "PRAGMA user_version = 1;"
                         "INSERT INTO service(code, name_zh, name_en) VALUES ('B', 'b', 'b')",
                         NULL, NULL, NULL);
        sqlite3_close(db);
        size_t n1 = 0, n2 = 0;
        char *b1 = slurp(old, &n1);
        CHECK_INT(store_restore(old, live, 0, err, sizeof err), 0);
        char *b2 = slurp(old, &n2);
        CHECK_MSG(b1 && b2 && n1 == n2 && !memcmp(b1, b2, n1), "the backup was modified");
        CHECK_INT(raw_int(old, "PRAGMA user_version"), 1);
        free(b1), free(b2);
        st = open_ok(live);
        CHECK_INT(tu_int(st, "PRAGMA user_version"), store_schema_version());
        cfg_set(st, "timezone", "UTC", NULL);
        /* numbers carried even into a backup that never saw the service's day */
        CHECK_INT(queue_take(st, "B", 0, TU_NOW + 40, &t, NULL), 0);
        CHECK_STR(t.label, "B008");
        store_close(st);
    }

    /* ---- a store whose numbers cannot be read: refused unless forced ---- */
    {
        write_at(live, "garbage garbage garbage garbage!", 32, 0);
        CHECK_INT(store_restore(bak, live, 0, err, sizeof err), FD_ESTATE);
        CHECK(strstr(err, "--force") != NULL);
        CHECK_INT(store_restore(bak, live, STORE_RESTORE_FORCE, err, sizeof err), 0);
        CHECK_INT(raw_int(live, "SELECT count(*) FROM ticket"), 3);
    }

    /* ---- onto an empty file (nothing issued): no --force needed; the
     * restored store keeps the mode of the one it replaces ---- */
    {
        const char *empty = tu_path("empty.db");
        FILE *f = fopen(empty, "w");
        fclose(f);
        chmod(empty, 0640);
        CHECK_INT(store_restore(bak, empty, 0, err, sizeof err), 0);
        CHECK_INT(raw_int(empty, "SELECT count(*) FROM ticket"), 3);
        struct stat sb;
        CHECK(stat(empty, &sb) == 0 && (sb.st_mode & 0777) == 0640);
        CHECK_INT(raw_int(empty, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'epoch'"),
                  2);
    }

    /* ---- a migration keeps a copy of what it migrated ---- */
    if (fd_schema_count >= 2) {
        const char *old = tu_path("mig.db");
        char pre[256];
        sqlite3 *db;
        unlink(old);
        sqlite3_open(old, &db);
        sqlite3_exec(db, fd_schema[0].data, NULL, NULL, NULL);
        sqlite3_exec(db, "PRAGMA user_version = 1;"
                         "INSERT INTO service(code, name_zh, name_en) VALUES ('Q', 'q', 'q')",
                         NULL, NULL, NULL);
        sqlite3_close(db);
        st = open_ok(old);
        CHECK_INT(tu_int(st, "PRAGMA user_version"), store_schema_version());
        store_close(st);
        snprintf(pre, sizeof pre, "%s.pre-migration", old);
        CHECK_INT(raw_int(pre, "PRAGMA user_version"), 1);
        CHECK_INT(raw_int(pre, "SELECT count(*) FROM service WHERE code = 'Q'"), 1);
        /* the pre-migration copy goes after the age the caller gives */
        st = open_ok(old);
        CHECK_INT(store_prune_copies(st, (int64_t)time(NULL), 86400), 0);
        CHECK(access(pre, F_OK) == 0);
        CHECK_INT(store_prune_copies(st, (int64_t)time(NULL) + 86401, 86400), 1);
        CHECK(access(pre, F_OK) != 0);
        store_close(st);
        /* opening the current store again makes no new copy */
        unlink(pre);
        st = open_ok(old);
        store_close(st);
        CHECK(access(pre, F_OK) != 0);
    }

    /* ---- the whole file is read where it pays, not on every open ---- */
    {
        const char *d = tu_path("dmg.db"), *dbak = tu_path("dmg.bak");
        st = tu_open("dmg.db");
        tu_branch(st);
        for (int i = 0; i < 400; i++)
            queue_take(st, "A", 0, TU_NOW + i, &t, NULL);
        CHECK_INT(store_backup(st, dbak, err, sizeof err), 0); /* a good one */
        sqlite3_exec(store_db(st), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        store_close(st);
        size_t gn = 0, gn2 = 0;
        char *good = slurp(dbak, &gn);
        char pad[2048];
        memset(pad, 0x5a, sizeof pad);
        write_at(d, pad, sizeof pad, 4096 * 3);
        write_at(d, pad, sizeof pad, 4096 * 6);
        /* closed cleanly and checked lately: opening reads no more than it needs */
        CHECK_INT(store_open(d, &st, err, sizeof err), 0);
        /* the backup finds the damage, and keeps the good backup */
        CHECK_INT(store_backup(st, dbak, err, sizeof err), FD_ECORRUPT);
        CHECK(strstr(err, "damaged") != NULL);
        char *still = slurp(dbak, &gn2);
        CHECK(good && still && gn == gn2 && !memcmp(good, still, gn));
        free(good), free(still);
        store_close(st);
        /* after a session that never closed, the first opener checks */
        mark_unclean(d);
        CHECK_INT(store_open(d, &st, err, sizeof err), FD_ECORRUPT);
        CHECK(strstr(err, "damaged") != NULL);
        /* and keeps checking until it is repaired */
        CHECK_INT(store_open(d, &st, err, sizeof err), FD_ECORRUPT);
        /* the restore of the good backup ends it */
        CHECK_INT(store_restore(dbak, d, STORE_RESTORE_FORCE, err, sizeof err), 0);
        CHECK_INT(store_open(d, &st, err, sizeof err), 0);
        CHECK_INT(tu_int(st, "SELECT count(*) FROM ticket"), 400);
        store_close(st);
        /* a store not checked for over a week is checked by its first opener */
        st = open_ok(d);
        sqlite3_exec(store_db(st), "UPDATE meta SET value = '1' WHERE key = 'checked_at'",
                     NULL, NULL, NULL);
        sqlite3_exec(store_db(st), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        store_close(st);
        write_at(d, pad, sizeof pad, 4096 * 3);
        CHECK_INT(store_open(d, &st, err, sizeof err), FD_ECORRUPT);
    }

    free(bak_bytes);
    free(c);
    return check_summary();
}
