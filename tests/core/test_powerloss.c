/* test_powerloss.c - the store through a power cut. `kill -9` never loses the
 * page cache, so the crash test cannot see a write that was never synced;
 * this test can. Its SQLite VFS, in the style of SQLite's own crash test
 * (src/test6.c), keeps every write in memory on a global write-list until the
 * file is synced; at the simulated power cut (the N-th sync, N random) each
 * write not yet synced is, at random, written, dropped, or its sectors
 * trashed with garbage, and every later I/O fails. Then the store is opened
 * again as after a reboot, and the test proves: it opens (and passes its
 * check), every ticket and complaint number that was shown (its call
 * returned 0) is still there, and no number is issued twice after the cut.
 *
 * Usage: test_core_powerloss [SEED [RUNS]]; every run prints its seed, and
 * `test_core_powerloss SEED 1` replays that run. No library offers such a
 * VFS outside SQLite's Tcl test harness, hence this one, for tests only. */
#include <stdint.h>
#include <time.h>

#include "check.h"
#include "complaint.h"
#include "testutil.h"

/* ---- the crash VFS ---- */

#define CV_SECTOR 4096 /* granularity of trashed sectors, reported to SQLite */

struct cv_file;

struct cv_write {            /* one write (or truncate) not yet synced */
    int64_t off;             /* where; for a truncate, the new size */
    int n;                   /* bytes at buf; 0 for a truncate */
    unsigned char *buf;      /* NULL for a truncate */
    struct cv_file *file;    /* the handle it came through */
    struct cv_write *next;   /* in the order they were made */
};

struct cv_file {
    sqlite3_file base;       /* must be first: pMethods */
    sqlite3_file *real;      /* the unix file, allocated right after us */
    const char *name;        /* as SQLite gave it, valid while open */
    unsigned char *data;     /* the file as this process sees it (page cache) */
    int64_t size, cap;       /* bytes in data, allocated */
};

static struct {
    sqlite3_vfs *real;       /* the unix VFS */
    struct cv_write *head, *tail; /* the write-list */
    int syncs;               /* xSync calls so far */
    int crash_at;            /* the power fails during this sync (1-based) */
    int dead;                /* after the cut: every I/O fails */
    uint64_t rng;            /* xorshift64 state, from the run's seed */
} cv;

static uint64_t rnd(void)
{
    cv.rng ^= cv.rng << 13;
    cv.rng ^= cv.rng >> 7;
    cv.rng ^= cv.rng << 17;
    return cv.rng;
}

static int real_write(struct cv_write *w, const unsigned char *buf, int n, int64_t off)
{
    sqlite3_file *r = w->file->real;
    return r->pMethods->xWrite(r, buf, n, off);
}

/* Writes out (or at a cut: writes, drops or trashes) the pending writes; when
 * not a cut, only those made through `f`. */
static int cv_flush(struct cv_file *f, int cut)
{
    struct cv_write **pp = &cv.head, *w;
    int rc = SQLITE_OK;
    while ((w = *pp)) {
        int action = 0; /* 1 write, 2 drop, 3 trash */
        if (!cut) {
            if (w->file != f) {
                pp = &w->next;
                continue;
            }
            action = 1;
        } else {
            unsigned r = (unsigned)(rnd() >> 24) & 7;
            action = !w->buf ? 1 + (r & 1) : (r & 6) == 6 ? 3 : 1 + (r & 1);
        }
        if (action == 1) {
            rc = w->buf ? real_write(w, w->buf, w->n, w->off)
                        : w->file->real->pMethods->xTruncate(w->file->real, w->off);
        } else if (action == 3) {
            unsigned char junk[CV_SECTOR];
            for (int64_t s = w->off / CV_SECTOR; s <= (w->off + w->n - 1) / CV_SECTOR; s++) {
                for (size_t i = 0; i < sizeof junk; i++)
                    junk[i] = (unsigned char)rnd();
                real_write(w, junk, CV_SECTOR, s * CV_SECTOR);
            }
        }
        *pp = w->next;
        free(w);
    }
    cv.tail = NULL;
    for (w = cv.head; w; w = w->next)
        cv.tail = w;
    return rc;
}

static int cv_grow(struct cv_file *f, int64_t size)
{
    if (size > f->cap) {
        int64_t cap = f->cap ? f->cap : 65536;
        while (cap < size)
            cap *= 2;
        unsigned char *d = realloc(f->data, (size_t)cap);
        if (!d)
            return SQLITE_NOMEM;
        memset(d + f->cap, 0, (size_t)(cap - f->cap));
        f->data = d, f->cap = cap;
    }
    if (size > f->size)
        f->size = size;
    return SQLITE_OK;
}

static int cv_append(struct cv_file *f, int64_t off, const void *buf, int n)
{
    struct cv_write *w = calloc(1, sizeof *w + (size_t)n);
    if (!w)
        return SQLITE_NOMEM;
    w->off = off, w->n = n, w->file = f;
    if (buf) {
        w->buf = (unsigned char *)(w + 1);
        memcpy(w->buf, buf, (size_t)n);
    }
    if (cv.tail)
        cv.tail->next = w;
    else
        cv.head = w;
    cv.tail = w;
    return SQLITE_OK;
}

static int cv_close(sqlite3_file *pf)
{
    struct cv_file *f = (struct cv_file *)pf;
    if (!cv.dead)
        cv_flush(f, 0);
    f->real->pMethods->xClose(f->real);
    free(f->data);
    return SQLITE_OK;
}

static int cv_read(sqlite3_file *pf, void *buf, int n, sqlite3_int64 off)
{
    struct cv_file *f = (struct cv_file *)pf;
    int64_t have = f->size - off;
    if (cv.dead)
        return SQLITE_IOERR_READ;
    if (have >= n) {
        memcpy(buf, f->data + off, (size_t)n);
        return SQLITE_OK;
    }
    memset(buf, 0, (size_t)n);
    if (have > 0)
        memcpy(buf, f->data + off, (size_t)have);
    return SQLITE_IOERR_SHORT_READ;
}

static int cv_write(sqlite3_file *pf, const void *buf, int n, sqlite3_int64 off)
{
    struct cv_file *f = (struct cv_file *)pf;
    if (cv.dead)
        return SQLITE_IOERR_WRITE;
    if (cv_grow(f, off + n) != SQLITE_OK)
        return SQLITE_NOMEM;
    memcpy(f->data + off, buf, (size_t)n);
    return cv_append(f, off, buf, n);
}

static int cv_truncate(sqlite3_file *pf, sqlite3_int64 size)
{
    struct cv_file *f = (struct cv_file *)pf;
    if (cv.dead)
        return SQLITE_IOERR_TRUNCATE;
    if (size < f->size)
        f->size = size;
    return cv_append(f, size, NULL, 0);
}

static int cv_sync(sqlite3_file *pf, int flags)
{
    (void)flags;
    if (cv.dead)
        return SQLITE_IOERR_FSYNC;
    if (++cv.syncs == cv.crash_at) {
        cv_flush(NULL, 1); /* the power fails while this sync runs */
        cv.dead = 1;
        return SQLITE_IOERR_FSYNC;
    }
    return cv_flush((struct cv_file *)pf, 0);
}

static int cv_size(sqlite3_file *pf, sqlite3_int64 *size)
{
    *size = ((struct cv_file *)pf)->size;
    return cv.dead ? SQLITE_IOERR_FSTAT : SQLITE_OK;
}

static int cv_lock(sqlite3_file *pf, int l)
{
    sqlite3_file *r = ((struct cv_file *)pf)->real;
    return r->pMethods->xLock(r, l);
}

static int cv_unlock(sqlite3_file *pf, int l)
{
    sqlite3_file *r = ((struct cv_file *)pf)->real;
    return r->pMethods->xUnlock(r, l);
}

static int cv_reserved(sqlite3_file *pf, int *out)
{
    sqlite3_file *r = ((struct cv_file *)pf)->real;
    return r->pMethods->xCheckReservedLock(r, out);
}

static int cv_fcntl(sqlite3_file *pf, int op, void *arg)
{
    sqlite3_file *r = ((struct cv_file *)pf)->real;
    if (op == SQLITE_FCNTL_SIZE_HINT || op == SQLITE_FCNTL_CHUNK_SIZE)
        return SQLITE_OK; /* would size the real file behind the page cache */
    return r->pMethods->xFileControl(r, op, arg);
}

static int cv_sector(sqlite3_file *pf)
{
    (void)pf;
    return CV_SECTOR;
}

static int cv_caps(sqlite3_file *pf)
{
    (void)pf;
    return 0; /* no atomic writes, no power-safe overwrite: the worst disk */
}

/* The wal-index lives in shared memory, which a power cut loses whole and
 * SQLite rebuilds from the WAL: passed through. */
static int cv_shm_map(sqlite3_file *pf, int pg, int sz, int ext, void volatile **pp)
{
    sqlite3_file *r = ((struct cv_file *)pf)->real;
    return r->pMethods->xShmMap(r, pg, sz, ext, pp);
}

static int cv_shm_lock(sqlite3_file *pf, int off, int n, int flags)
{
    sqlite3_file *r = ((struct cv_file *)pf)->real;
    return r->pMethods->xShmLock(r, off, n, flags);
}

static void cv_shm_barrier(sqlite3_file *pf)
{
    sqlite3_file *r = ((struct cv_file *)pf)->real;
    r->pMethods->xShmBarrier(r);
}

static int cv_shm_unmap(sqlite3_file *pf, int del)
{
    sqlite3_file *r = ((struct cv_file *)pf)->real;
    return r->pMethods->xShmUnmap(r, cv.dead ? 0 : del);
}

static const sqlite3_io_methods cv_methods = {
    2, cv_close, cv_read, cv_write, cv_truncate, cv_sync, cv_size, cv_lock,
    cv_unlock, cv_reserved, cv_fcntl, cv_sector, cv_caps, cv_shm_map,
    cv_shm_lock, cv_shm_barrier, cv_shm_unmap, NULL, NULL};

static int cv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *pf, int flags,
                   int *out)
{
    struct cv_file *f = (struct cv_file *)pf;
    sqlite3_int64 size = 0;
    int rc;
    (void)vfs;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)(f + 1);
    f->name = name;
    if (cv.dead)
        return SQLITE_CANTOPEN;
    rc = cv.real->xOpen(cv.real, name, f->real, flags, out);
    if (rc != SQLITE_OK)
        return rc;
    f->base.pMethods = &cv_methods;
    f->real->pMethods->xFileSize(f->real, &size);
    if (size > 0 && (cv_grow(f, size) != SQLITE_OK ||
                     f->real->pMethods->xRead(f->real, f->data, (int)size, 0) != SQLITE_OK))
        return SQLITE_IOERR;
    return SQLITE_OK;
}

static int cv_delete(sqlite3_vfs *vfs, const char *name, int syncdir)
{
    (void)vfs;
    if (cv.dead)
        return SQLITE_IOERR_DELETE;
    return cv.real->xDelete(cv.real, name, syncdir);
}

static sqlite3_vfs cv_vfs;

static void cv_install(void)
{
    cv.real = sqlite3_vfs_find("unix");
    cv_vfs = *cv.real;
    cv_vfs.iVersion = 2; /* methods up to xCurrentTimeInt64 */
    cv_vfs.zName = "powercut";
    cv_vfs.szOsFile = (int)sizeof(struct cv_file) + cv.real->szOsFile;
    cv_vfs.pNext = NULL;
    cv_vfs.xOpen = cv_open;
    cv_vfs.xDelete = cv_delete;
    sqlite3_vfs_register(&cv_vfs, 1);
}

static void cv_uninstall(void)
{
    sqlite3_vfs_unregister(&cv_vfs);
    sqlite3_vfs_register(cv.real, 1);
    while (cv.head) { /* lost with the power */
        struct cv_write *w = cv.head;
        cv.head = w->next;
        free(w);
    }
    cv.tail = NULL;
}

/* ---- the runs ---- */

#define MAX_SHOWN 400

struct shown {
    char label[8];           /* ticket label, or "" for a complaint */
    char service[3];
    int number;
    char ref[COMPLAINT_REF_LEN + 1];
};

/* One run: a fresh store, random work until the power fails at a random
 * sync, then the checks. Returns how many numbers were shown. */
static int run(uint64_t seed, int idx, int *crashed)
{
    static struct shown shown[MAX_SHOWN];
    static const char *const codes[] = {"A", "B", "C"};
    struct complaint *c = malloc(sizeof *c);
    struct queue_ticket t;
    struct fd_store *st;
    char name[32], err[400];
    int n = 0;

    cv.rng = seed * 2654435761u + 0x9e3779b97f4a7c15ull;
    if (!cv.rng)
        cv.rng = 1;
    snprintf(name, sizeof name, "pl%d.db", idx);
    st = tu_open(name);
    tu_branch(st);
    const char *path = store_path(st);
    char db[256];
    snprintf(db, sizeof db, "%s", path);
    store_close(st);

    cv.syncs = 0;
    cv.dead = 0;
    cv.crash_at = 1 + (int)(rnd() % 160);
    cv_install();
    if (store_open(db, &st, err, sizeof err) != 0) {
        /* the cut came while opening: nothing was shown */
        st = NULL;
    } else {
        /* checkpoints often, so cuts also land among writes to the db file */
        sqlite3_exec(store_db(st), "PRAGMA wal_autocheckpoint = 16", NULL, NULL, NULL);
        for (int i = 0; n < MAX_SHOWN && i < 300; i++) {
            struct complaint_in ci = {.category = "waiting", .description = "断电前"};
            int op = (int)(rnd() % 10);
            if (op < 8) {
                const char *code = codes[rnd() % 3];
                if (queue_take(st, code, (int)(rnd() % 4 == 0), TU_NOW + i, &t, NULL) != 0)
                    break; /* the power is gone */
                snprintf(shown[n].label, sizeof shown[n].label, "%s", t.label);
                snprintf(shown[n].service, sizeof shown[n].service, "%s", code);
                shown[n].number = t.number;
                n++;
            } else if (op == 8) {
                if (complaint_file(st, &ci, TU_NOW + i, c, NULL) != 0)
                    break;
                shown[n].label[0] = '\0';
                snprintf(shown[n].ref, sizeof shown[n].ref, "%s", c->ref);
                n++;
            } else {
                struct queue_ticket called;
                int rc = queue_call_next(st, 1 + (int)(rnd() % 3), "pl", TU_NOW + i, &called, NULL);
                if (rc != 0 && rc != FD_EEMPTY && rc != FD_ESTATE)
                    break;
            }
        }
    }
    *crashed = cv.dead;
    store_close(st); /* fails quietly on a dead disk, as nothing runs any more */
    cv_uninstall();
    {   /* a power cut leaves the session marker as it was: never closed */
        char m[300];
        snprintf(m, sizeof m, "%s-open", db);
        FILE *f = fopen(m, "w");
        if (f)
            fputs("open\n", f), fclose(f);
    }

    /* After the reboot: the store opens, and passes its check. */
    int rc = store_open(db, &st, err, sizeof err);
    CHECK_MSG(rc == 0, "seed %llu: store does not open after the cut: %s",
              (unsigned long long)seed, err);
    if (rc != 0) {
        free(c);
        return n;
    }
    CHECK_INT(tu_int(st, "SELECT count(*) FROM pragma_integrity_check WHERE"
                         " integrity_check <> 'ok'"), 0);
    int max[3] = {0, 0, 0}, lost = 0;
    long long max_cseq = 0;
    for (int i = 0; i < n; i++) {
        sqlite3_stmt *s = NULL;
        if (shown[i].label[0]) {
            sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM ticket WHERE label = ?",
                               -1, &s, NULL);
            sqlite3_bind_text(s, 1, shown[i].label, -1, SQLITE_STATIC);
            int k = shown[i].service[0] - 'A';
            if (shown[i].number > max[k])
                max[k] = shown[i].number;
        } else {
            sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM complaint WHERE ref = ?",
                               -1, &s, NULL);
            sqlite3_bind_text(s, 1, shown[i].ref, -1, SQLITE_STATIC);
            long long seq = atoll(shown[i].ref + 9) / 10; /* the day's sequence */
            if (seq > max_cseq)
                max_cseq = seq;
        }
        if (sqlite3_step(s) != SQLITE_ROW || sqlite3_column_int(s, 0) != 1)
            lost++;
        sqlite3_finalize(s);
    }
    CHECK_MSG(lost == 0, "seed %llu: %d of %d shown numbers lost in the cut",
              (unsigned long long)seed, lost, n);
    /* no number is issued twice after the cut */
    for (int k = 0; k < 3; k++) {
        CHECK_INT(queue_take(st, codes[k], 0, TU_NOW + 1000, &t, NULL), 0);
        CHECK_MSG(t.number > max[k], "seed %llu: %s issued again after the cut",
                  (unsigned long long)seed, t.label);
    }
    struct complaint_in ci = {.category = "waiting", .description = "断电后"};
    CHECK_INT(complaint_file(st, &ci, TU_NOW + 1001, c, NULL), 0);
    CHECK_MSG(atoll(c->ref + 9) / 10 > max_cseq, "seed %llu: complaint %s issued again",
              (unsigned long long)seed, c->ref);
    store_close(st);
    free(c);
    return n;
}

int main(int argc, char **argv)
{
    uint64_t base = argc > 1 ? strtoull(argv[1], NULL, 10)
                             : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
    int runs = argc > 2 ? atoi(argv[2]) : 60, cuts = 0;
    long shown = 0;

    for (int i = 0; i < runs; i++) {
        uint64_t seed = base + (uint64_t)i;
        int crashed = 0, failed = check_failed_;
        int n = run(seed, i, &crashed);
        shown += n;
        cuts += crashed;
        printf("seed %llu: %d numbers shown, %s%s\n", (unsigned long long)seed, n,
               crashed ? "power cut" : "no cut (ran to the end)",
               check_failed_ > failed ? "  FAILED" : "");
    }
    printf("%d runs, %d power cuts, %ld numbers shown; replay one with: %s SEED 1\n",
           runs, cuts, shown, argv[0]);
    CHECK(cuts > runs / 2); /* the cuts really happened */
    return check_summary();
}
