/* test_queue.c - the queue engine: the rules one by one, then a property
 * test that drives thousands of random operations against a simple model
 * of the rules and checks that engine and model agree at every step. */
#include "check.h"
#include "testutil.h"

/* ---- the model --------------------------------------------------------- */

enum { M_WAITING, M_CALLED, M_SERVING, M_DONE, M_NOSHOW, M_CANCELLED };
static const char *const mstate[] = {"waiting", "called", "serving", "done", "noshow", "cancelled"};

#define MAXT 5000
static struct mticket {
    int svc;      /* 0..2 = A..C */
    int prio, state, counter, recalls, number;
    int64_t id;   /* engine's id, to compare */
} mt[MAXT];
static int nmt;
static int mnum[3];
static const int serves[4][3] = {{0}, {1, 1, 0}, {0, 1, 1}, {1, 0, 1}}; /* counter -> A,B,C */

static int m_current(int counter)
{
    for (int i = nmt - 1; i >= 0; i--)
        if (mt[i].counter == counter && (mt[i].state == M_CALLED || mt[i].state == M_SERVING))
            return i;
    return -1;
}

static int m_next(int counter)
{
    int best = -1;
    for (int i = 0; i < nmt; i++)
        if (mt[i].state == M_WAITING && serves[counter][mt[i].svc] &&
            (best < 0 || mt[i].prio > mt[best].prio))
            best = i;
    return best;
}

/* Compares the engine's view of ticket model index i. */
static int agree(struct fd_store *st, int i)
{
    struct queue_ticket t;
    if (queue_ticket_get(st, mt[i].id, TU_NOW, &t, NULL))
        return 0;
    char svc[2] = {(char)('A' + mt[i].svc), 0};
    return !strcmp(t.state, mstate[mt[i].state]) && !strcmp(t.service, svc) &&
           t.recalls == mt[i].recalls && t.priority == mt[i].prio &&
           (mt[i].state == M_WAITING || mt[i].state == M_CANCELLED ||
            t.counter == mt[i].counter);
}

static void property_test(unsigned seed, int steps)
{
    struct fd_store *st = tu_open("prop.db");
    tu_branch(st);
    cfg_set(st, "recall_limit", "2", NULL);
    nmt = 0;
    memset(mnum, 0, sizeof mnum);
    srand(seed);
    printf("property test: seed %u, %d steps\n", seed, steps);
    int mismatches = 0, ops[8] = {0};
    for (int step = 0; step < steps && nmt < MAXT; step++) {
        int op = rand() % 8, counter = 1 + rand() % 3, svc = rand() % 3, rc, exp;
        int64_t now = TU_NOW + step;
        struct queue_ticket t = {0};
        char code[2] = {(char)('A' + svc), 0};
        int cur = m_current(counter);
        ops[op]++;
        switch (op) {
        case 0: /* take (twice as likely: see case 7) */
        case 7: {
            int prio = rand() % 5 == 0;
            rc = queue_take(st, code, prio, now, &t, NULL);
            mt[nmt] = (struct mticket){.svc = svc, .prio = prio, .state = M_WAITING,
                                       .number = ++mnum[svc], .id = t.id};
            if (rc || t.number != mt[nmt].number)
                mismatches++;
            nmt++;
            break;
        }
        case 1: { /* call next */
            rc = queue_call_next(st, counter, "t", now, &t, NULL);
            if (cur >= 0 && mt[cur].state == M_CALLED) {
                exp = FD_ESTATE;
            } else {
                if (cur >= 0)
                    mt[cur].state = M_DONE;
                int nx = m_next(counter);
                if (nx >= 0) {
                    mt[nx].state = M_CALLED, mt[nx].counter = counter;
                    exp = 0;
                    if (t.id != mt[nx].id)
                        mismatches++;
                } else {
                    exp = FD_EEMPTY;
                }
            }
            if (rc != exp)
                mismatches++;
            break;
        }
        case 2: /* recall */
            rc = queue_recall(st, counter, "t", now, &t, NULL);
            if (cur >= 0 && mt[cur].state == M_CALLED) {
                if (mt[cur].recalls >= 2)
                    mt[cur].state = M_NOSHOW;
                else
                    mt[cur].recalls++;
                exp = 0;
            } else {
                exp = FD_ESTATE;
            }
            if (rc != exp)
                mismatches++;
            break;
        case 3: /* no-show */
        case 4: /* serve */
            rc = op == 3 ? queue_noshow(st, counter, "t", now, &t, NULL)
                         : queue_serve(st, counter, "t", now, &t, NULL);
            exp = cur >= 0 && mt[cur].state == M_CALLED ? 0 : FD_ESTATE;
            if (!exp)
                mt[cur].state = op == 3 ? M_NOSHOW : M_SERVING;
            if (rc != exp)
                mismatches++;
            break;
        case 5: /* finish */
            rc = queue_finish(st, counter, "t", now, &t, NULL);
            exp = cur >= 0 ? 0 : FD_ESTATE;
            if (!exp)
                mt[cur].state = M_DONE;
            if (rc != exp)
                mismatches++;
            break;
        case 6: /* transfer, or cancel a random waiting ticket */
            if (rand() % 2) {
                rc = queue_transfer(st, counter, code, "t", now, &t, NULL);
                exp = cur >= 0 ? 0 : FD_ESTATE;
                if (!exp) {
                    mt[cur].state = M_WAITING, mt[cur].svc = svc;
                    mt[cur].counter = 0, mt[cur].recalls = 0;
                }
            } else if (nmt) {
                int i = rand() % nmt;
                rc = queue_cancel(st, mt[i].id, "t", now, NULL);
                exp = mt[i].state == M_WAITING ? 0 : FD_ESTATE;
                if (!exp)
                    mt[i].state = M_CANCELLED;
            } else {
                rc = exp = 0;
            }
            if (rc != exp)
                mismatches++;
            break;
        }
        if (step % 97 == 0) /* spot checks along the way */
            for (int i = 0; i < nmt; i++)
                if (!agree(st, i))
                    mismatches++;
    }
    for (int i = 0; i < nmt; i++)
        if (!agree(st, i))
            mismatches++;
    /* the waiting list: same tickets, in the order the model would call */
    struct queue_ticket *w;
    int n;
    queue_waiting(st, NULL, TU_NOW, &w, &n, NULL);
    int mw = 0;
    for (int i = 0; i < nmt; i++)
        mw += mt[i].state == M_WAITING;
    CHECK_INT(n, mw);
    for (int i = 1; i < n; i++)
        CHECK(w[i - 1].priority > w[i].priority ||
              (w[i - 1].priority == w[i].priority && w[i - 1].id < w[i].id));
    free(w);
    /* no number was issued twice, one outbox row per ticket insert */
    CHECK_INT(tu_int(st, "SELECT count(*) - count(DISTINCT issued_service_id || '-' ||"
                         " bday || '-' || number) FROM ticket"), 0);
    CHECK_MSG(mismatches == 0, "seed %u: %d mismatches between engine and model", seed,
              mismatches);
    CHECK(ops[1] > 0 && ops[2] > 0 && ops[6] > 0);
    store_close(st);
}

/* ---- the rules one by one --------------------------------------------- */

int main(void)
{
    struct fd_store *st = tu_open("rules.db");
    struct queue_ticket t, u;
    struct fd_err e = {0};
    tu_branch(st);

    /* numbers per service, formatted A001 */
    CHECK_INT(queue_take(st, "A", 0, TU_NOW, &t, &e), 0);
    CHECK_STR(t.label, "A001");
    CHECK_INT(t.ahead, 0);
    CHECK_INT(queue_take(st, "A", 0, TU_NOW + 1, &t, &e), 0);
    CHECK_STR(t.label, "A002");
    CHECK_INT(t.ahead, 1);
    CHECK_INT(queue_take(st, "B", 0, TU_NOW + 2, &t, &e), 0);
    CHECK_STR(t.label, "B001");
    CHECK_INT(queue_take(st, "Z", 0, TU_NOW, &t, &e), FD_ENOTFOUND);
    CHECK_INT(queue_take(st, "a", 0, TU_NOW, &t, &e), FD_EINVAL);
    CHECK_INT(queue_take(st, "A'; --", 0, TU_NOW, &t, &e), FD_EINVAL);
    CHECK_INT(queue_take(st, "", 0, TU_NOW, &t, &e), FD_EINVAL);

    /* estimate: default service time (300 s) x ahead / open counters serving
     * A, each by its share: counters 1 (A,B) and 3 (C,A) give half each */
    CHECK_INT(queue_take(st, "A", 0, TU_NOW + 3, &t, &e), 0);
    CHECK_INT(t.ahead, 2);
    CHECK_INT(t.est_wait_s, 600);
    queue_counter_set_open(st, 3, 0, &e);
    CHECK_INT(queue_ticket_get(st, t.id, TU_NOW, &t, &e), 0);
    CHECK_INT(t.est_wait_s, 1200);
    queue_counter_set_open(st, 3, 1, &e);

    /* priority first, then the oldest */
    CHECK_INT(queue_take(st, "A", 1, TU_NOW + 4, &t, &e), 0);
    CHECK_STR(t.label, "A004");
    CHECK_INT(t.ahead, 0);
    CHECK_INT(queue_call_next(st, 1, "amy", TU_NOW + 10, &t, &e), 0);
    CHECK_STR(t.label, "A004");
    CHECK_STR(t.state, "called");
    CHECK_INT(t.counter, 1);
    /* a called visitor must come or be a no-show before the next call */
    CHECK_INT(queue_call_next(st, 1, "amy", TU_NOW + 11, &u, &e), FD_ESTATE);
    CHECK_INT(queue_serve(st, 1, "amy", TU_NOW + 20, &t, &e), 0);
    CHECK_STR(t.state, "serving");
    /* call next while serving finishes the one being served */
    CHECK_INT(queue_call_next(st, 1, "amy", TU_NOW + 200, &t, &e), 0);
    CHECK_STR(t.label, "A001");
    CHECK_INT(queue_ticket_find(st, "A004", TU_NOW, &u, &e), 0);
    CHECK_STR(u.state, "done");
    CHECK_INT(u.finished_at - u.serving_at, 180);

    /* recall up to the limit, then no-show */
    cfg_set(st, "recall_limit", "2", &e);
    CHECK_INT(queue_recall(st, 1, "amy", TU_NOW + 210, &t, &e), 0);
    CHECK_INT(t.recalls, 1);
    CHECK_INT(queue_recall(st, 1, "amy", TU_NOW + 220, &t, &e), 0);
    CHECK_INT(t.recalls, 2);
    CHECK_INT(queue_recall(st, 1, "amy", TU_NOW + 230, &t, &e), 0);
    CHECK_STR(t.state, "noshow");
    CHECK_INT(queue_recall(st, 1, "amy", TU_NOW + 240, &t, &e), FD_ESTATE);

    /* transfer keeps number, issue time and place; history is kept */
    CHECK_INT(queue_call_next(st, 1, "amy", TU_NOW + 300, &t, &e), 0);
    CHECK_STR(t.label, "A002");
    int64_t issued = t.issued_at, id = t.id;
    CHECK_INT(queue_transfer(st, 1, "C", "amy", TU_NOW + 310, &t, &e), 0);
    CHECK_STR(t.label, "A002");
    CHECK_STR(t.service, "C");
    CHECK_STR(t.issued_service, "A");
    CHECK_STR(t.state, "waiting");
    CHECK_INT(t.issued_at, issued);
    CHECK_INT(t.transfers, 1);
    CHECK_INT(queue_take(st, "C", 0, TU_NOW + 320, &u, &e), 0);
    CHECK_INT(u.ahead, 1); /* the transferred ticket is ahead: it is older */
    CHECK_INT(queue_call_next(st, 2, "bob", TU_NOW + 330, &t, &e), 0);
    CHECK_INT(t.id, id); /* counter 2 serves B and C: A002 is older than B001 */
    CHECK_INT(tu_int(st, "SELECT count(*) FROM ticket_event WHERE ticket_id ="
                         " (SELECT id FROM ticket WHERE label = 'A002')"), 3);
    CHECK_INT(queue_transfer(st, 2, "Q", "bob", TU_NOW, &t, &e), FD_ENOTFOUND);
    CHECK_INT(queue_transfer(st, 3, "A", "bob", TU_NOW, &t, &e), FD_ESTATE);

    /* counters: unknown, closed with a visitor */
    CHECK_INT(queue_call_next(st, 9, "x", TU_NOW, &t, &e), FD_ENOTFOUND);
    CHECK_INT(queue_counter_set_open(st, 2, 0, &e), FD_ESTATE);
    CHECK_INT(queue_counter_add(st, 4, "四号", "A,Q", &e), FD_ENOTFOUND);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM counter WHERE id = 4"), 0);
    CHECK_INT(queue_counter_add(st, 1, "again", "A", &e), FD_EEXIST);

    /* empty: nothing waiting for a counter */
    {
        struct fd_store *s2 = tu_open("empty.db");
        tu_branch(s2);
        CHECK_INT(queue_call_next(s2, 1, "x", TU_NOW, &t, &e), FD_EEMPTY);
        CHECK_INT(queue_take(s2, "A", 0, TU_NOW, &t, &e), 0);
        CHECK_INT(queue_call_next(s2, 1, "x", TU_NOW + 1, &t, &e), 0);
        CHECK_INT(queue_serve(s2, 1, "x", TU_NOW + 2, &t, &e), 0);
        t.id = 0;
        CHECK_INT(queue_call_next(s2, 1, "x", TU_NOW + 3, &t, &e), FD_EEMPTY);
        CHECK_STR(t.state, "done"); /* the finish stands */
        store_close(s2);
    }

    /* opening hours, inactive, daily cap */
    {
        struct queue_service v = {.code = "H", .name_zh = "限时", .name_en = "Hours",
                                  .active = 1, .open_min = 9 * 60, .close_min = 17 * 60,
                                  .daily_cap = 2};
        CHECK_INT(queue_service_add(st, &v, &e), 0);
        CHECK_INT(queue_service_add(st, &v, &e), FD_EEXIST);
        CHECK_INT(queue_take(st, "H", 0, TU_NOW - 2 * 3600, &t, &e), FD_ECLOSED); /* 08:00 */
        CHECK(strstr(e.msg, "09:00") != NULL);
        CHECK_INT(queue_take(st, "H", 0, TU_NOW, &t, &e), 0);
        CHECK_INT(queue_take(st, "H", 0, TU_NOW, &t, &e), 0);
        CHECK_INT(queue_take(st, "H", 0, TU_NOW, &t, &e), FD_EFULL);
        CHECK_INT(tu_int(st, "SELECT count(*) FROM ticket WHERE label LIKE 'H%'"), 2);
        v.active = 0;
        CHECK_INT(queue_service_update(st, &v, &e), 0);
        CHECK_INT(queue_take(st, "H", 0, TU_NOW, &t, &e), FD_ECLOSED);
        struct queue_service bad = v;
        bad.open_min = 1000, bad.close_min = 900;
        CHECK_INT(queue_service_update(st, &bad, &e), FD_EINVAL);
        snprintf(bad.code, sizeof bad.code, "Q");
        bad.open_min = 0, bad.close_min = 1440;
        CHECK_INT(queue_service_update(st, &bad, &e), FD_ENOTFOUND);
    }

    /* business day turnover at 04:00 UTC here: numbers start again at 001 */
    CHECK_INT(queue_take(st, "B", 0, TU_NOW + 86400 - 6 * 3600 - 60, &t, &e), 0); /* 03:59 */
    CHECK_STR(t.bday, "2026-11-23");
    CHECK_STR(t.label, "B002");
    CHECK_INT(queue_take(st, "B", 0, TU_NOW + 86400 - 6 * 3600, &t, &e), 0); /* 04:00 */
    CHECK_STR(t.bday, "2026-11-24");
    CHECK_STR(t.label, "B001");
    /* yesterday's waiting tickets are not called today */
    struct queue_ticket *w;
    int n;
    CHECK_INT(queue_waiting(st, NULL, TU_NOW + 86400, &w, &n, &e), 0);
    CHECK_INT(n, 1);
    free(w);
    /* the sweep closes yesterday: waiting ones expire, history says so */
    long long old_open = tu_int(st, "SELECT count(*) FROM ticket WHERE bday = '2026-11-23'"
                                    " AND state IN ('waiting', 'called', 'serving')");
    CHECK(old_open > 0);
    CHECK_INT(queue_expire(st, "sweep", TU_NOW + 86400, &e), old_open);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM ticket WHERE bday = '2026-11-23'"
                         " AND state IN ('waiting', 'called', 'serving')"), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM ticket_event WHERE event = 'expired'"),
              tu_int(st, "SELECT count(*) FROM ticket WHERE state = 'cancelled'"
                         " AND bday = '2026-11-23'"));
    CHECK_INT(queue_expire(st, "sweep", TU_NOW + 86400, &e), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM ticket WHERE bday = '2026-11-24'"
                         " AND state = 'waiting'"), 1);
    /* a clock set backwards does not reopen yesterday, nor reuse a number */
    CHECK_INT(queue_take(st, "B", 0, TU_NOW, &t, &e), 0);
    CHECK_STR(t.bday, "2026-11-24");
    CHECK_STR(t.label, "B002");
    CHECK_INT(queue_take(st, "B", 0, 1000000000, &t, &e), 0); /* 2001: RTC battery */
    CHECK_STR(t.label, "B003");
    CHECK_INT(tu_int(st, "SELECT count(*) - count(DISTINCT issued_service_id || bday ||"
                         " number) FROM ticket"), 0);
    store_close(st);

    /* the property test: several seeds, thousands of operations each */
    for (unsigned seed = 1; seed <= 4; seed++)
        property_test(seed, 1500);
    return check_summary();
}
