/* test_crash.c - crash consistency of `frontdesk-ctl ticket take`.
 * Runs the real program hundreds of times and kills it with SIGKILL at a
 * random moment (before, during or after its transaction), then checks the
 * database: it opens cleanly, no number was issued twice, every ticket is
 * whole, numbers have no gaps (a number is only consumed by a committed
 * ticket), and the outbox holds exactly one row per ticket.
 * usage: test_core_crash PATH_TO_FRONTDESK_CTL ROUNDS */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"
#include "testutil.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FRONTDESK_CTL ROUNDS\n", argv[0]);
        return 2;
    }
    const char *ctl = argv[1];
    int rounds = atoi(argv[2]), killed = 0, finished = 0, issued_ok = 0;
    struct fd_store *st = tu_open("crash.db");
    tu_branch(st);
    store_close(st);
    const char *db = tu_path("crash.db");
    setenv("FRONTDESK_NOW", "1795428000", 1);
    /* The kill moments are random: the seed is printed, FD_TEST_SEED=N
     * repeats a run. */
    const char *fixed = getenv("FD_TEST_SEED");
    unsigned seed = fixed ? (unsigned)strtoul(fixed, NULL, 10) : (unsigned)time(NULL);
    printf("kill moments: seed %u\n", seed);
    srand(seed);

    for (int r = 0; r < rounds; r++) {
        pid_t pid = fork();
        if (pid == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, 1);
            dup2(devnull, 2);
            execl(ctl, ctl, "--db", db, "ticket", "take", r % 3 == 0 ? "B" : "A",
                  (char *)NULL);
            _exit(127);
        }
        /* 0 to ~6 ms: spans exec, open, migration check, the transaction */
        struct timespec d = {0, (long)(rand() % 6000) * 1000};
        nanosleep(&d, NULL);
        int status;
        if (kill(pid, SIGKILL) == 0 && waitpid(pid, &status, 0) == pid) {
            if (WIFSIGNALED(status))
                killed++;
            else {
                finished++;
                issued_ok += WEXITSTATUS(status) == 0;
            }
        }
    }
    char err[300];
    int rc = store_open(db, &st, err, sizeof err);
    CHECK_MSG(rc == 0, "database unusable after crashes: %s", err);
    if (rc)
        return check_summary();
    long long tickets = tu_int(st, "SELECT count(*) FROM ticket");
    printf("%d rounds: %d killed, %d finished (%d issued); %lld tickets in the store\n",
           rounds, killed, finished, issued_ok, tickets);
    CHECK(tickets >= issued_ok);
    CHECK(killed > 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM (SELECT 1 FROM ticket GROUP BY"
                         " issued_service_id, bday, number HAVING count(*) > 1)"), 0);
    /* whole tickets: label agrees with number and service */
    CHECK_INT(tu_int(st, "SELECT count(*) FROM ticket t JOIN service s ON"
                         " s.id = t.issued_service_id WHERE t.label <>"
                         " s.code || printf('%03d', t.number) OR t.state <> 'waiting'"
                         " OR t.issued_at IS NULL"), 0);
    /* no gaps: numbers 1..n per service, and ticket_seq says n */
    CHECK_INT(tu_int(st, "SELECT count(*) FROM (SELECT issued_service_id, max(number) AS m,"
                         " count(*) AS c FROM ticket GROUP BY issued_service_id)"
                         " WHERE m <> c"), 0);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM ticket_seq q WHERE last <> (SELECT"
                         " count(*) FROM ticket t WHERE t.issued_service_id = q.service_id"
                         " AND t.bday = q.bday)"), 0);
    /* one outbox row per ticket, each for a ticket that exists */
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox WHERE type = 'ticket'"), tickets);
    CHECK_INT(tu_int(st, "SELECT count(*) FROM outbox o WHERE type = 'ticket' AND NOT"
                         " EXISTS (SELECT 1 FROM ticket t WHERE t.id ="
                         " json_extract(o.record, '$.id'))"), 0);
    CHECK_INT(tu_int(st, "SELECT count(DISTINCT json_extract(record, '$.id')) FROM outbox"
                         " WHERE type = 'ticket'"), tickets);
    store_close(st);
    return check_summary();
}
