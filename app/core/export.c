/* export.c - CSV export (export.h). The table name is checked against a fixed
 * list before it is put into SQL, since a table name cannot be bound. */
#include "export.h"

#include <string.h>

static const char *const tables[] = {
    "ticket", "ticket_event", "visitor", "complaint", "complaint_event",
    "rating", "handover", "audit", "service", "counter", "host",
};

const char *export_table(int i)
{
    return i >= 0 && (size_t)i < sizeof tables / sizeof tables[0] ? tables[i] : NULL;
}

static void put_cell(FILE *out, const char *v)
{
    if (!v)
        return;
    int quote = strpbrk(v, ",\"\r\n") != NULL;
    int formula = strchr("=+-@", v[0]) != NULL && v[0];
    if (quote || formula)
        fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    if (quote || formula)
        fputc('"', out);
}

int export_csv(struct fd_store *st, const char *table, FILE *out,
               struct fd_err *err)
{
    char sql[80];
    int known = 0, rc;
    for (int i = 0; export_table(i); i++)
        known |= table && !strcmp(table, export_table(i));
    if (!known)
        return fd_fail(err, FD_EINVAL, "table",
                       "cannot export %s: choose ticket, visitor, complaint, rating,"
                       " handover, audit, ...", table ? table : "(none)");
    snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY rowid", table);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
        return store_fail(st, err);
    int cols = sqlite3_column_count(s);
    for (int c = 0; c < cols; c++) {
        if (c)
            fputc(',', out);
        put_cell(out, sqlite3_column_name(s, c));
    }
    fputs("\r\n", out);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        for (int c = 0; c < cols; c++) {
            if (c)
                fputc(',', out);
            put_cell(out, (const char *)sqlite3_column_text(s, c));
        }
        fputs("\r\n", out);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, err);
    return ferror(out) ? fd_fail(err, FD_EDB, "", "cannot write the CSV") : 0;
}
