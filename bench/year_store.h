/* year_store.h - builds months or a year of a busy branch in a kiosk's
 * store (issue 18: "a generator in bench/ that builds a year of a busy branch
 * through the real schema in seconds"). Used by bench_sweep, gen_year and
 * the aged-store tests. */
#ifndef YEAR_STORE_H
#define YEAR_STORE_H
#include <sqlite3.h>
#include <stdint.h>

/* Writes `days` days starting at Unix time `start` (UTC midnight) into db, a
 * store already created and migrated (store_open): services A, B, C, three
 * counters, one host; per day 500 tickets (issued, called, served,
 * finished: the schema's triggers write their events' outbox rows), 50
 * visitors signed in and out, 5 complaints, each with its receipt (~900
 * bytes) in print_job as printed. One transaction per day, synchronous off
 * while building (restored to FULL, the WAL checkpointed at the end). Exits
 * the process with a message on any SQL error (a bench's tool). */
void year_build(sqlite3 *db, int days, int64_t start);

/* The SQL helpers of a bench's tools (year_build's own, shared with
 * bench_sweep): each exits the process with "PROGRAM: what: SQLite's
 * message" on any error. year_exec runs sql (several statements allowed);
 * year_prep returns the prepared statement (the caller finalizes it). */
void year_die_sql(sqlite3 *db, const char *what);
void year_exec(sqlite3 *db, const char *sql);
sqlite3_stmt *year_prep(sqlite3 *db, const char *sql);

#endif
