/* The back-end-neutral half of the database interface. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history/db.h"
#include "history/migrate.h"

void td_db_one_line(char *s)
{
    char *w = s;
    for (const char *c = s; *c; c++) {
        bool blank = *c == '\n' || *c == '\t' || *c == '\r' || *c == ' ';
        if (!blank)
            *w++ = *c;
        else if (w > s && w[-1] != ' ')
            *w++ = ' ';
    }
    while (w > s && w[-1] == ' ')
        w--;
    *w = '\0';
}

void td_db_set_err(td_db *db, const char *prefix, const char *msg)
{
    snprintf(db->err, sizeof db->err, "%s%s", prefix ? prefix : "", msg ? msg : "unknown error");
    td_db_one_line(db->err);
}

int td_db_open(td_db *db, const td_db_url *u, bool create)
{
    memset(db, 0, sizeof *db);
    db->ops = u->kind == TD_DB_POSTGRESQL ? &td_db_postgresql_ops : &td_db_sqlite_ops;
    if (db->ops->open(db, u, create) != 0)
        return -1;
    if (td_migrate(db) != 0) {
        td_db_close(db); /* keeps db->err */
        return -1;
    }
    return 0;
}

void td_db_close(td_db *db)
{
    if (db->ops && db->conn)
        db->ops->close(db);
    db->conn = NULL;
    db->n_stmts = 0;
}

int td_db_script(td_db *db, const char *sql)
{
    return db->ops->script(db, sql);
}

void td_db_rollback(td_db *db)
{
    char why[sizeof db->err];
    memcpy(why, db->err, sizeof why);
    td_db_script(db, "ROLLBACK");
    memcpy(db->err, why, sizeof why);
}

int td_db_query(td_db *db, const char *sql, const td_dbv *p, size_t np, td_db_row_fn row, void *arg)
{
    return db->ops->query(db, sql, p, np, row, arg);
}

int td_db_stmt_slot(td_db *db, const char *sql)
{
    for (size_t i = 0; i < db->n_stmts; i++)
        if (db->stmt_sql[i] == sql)
            return (int)i;
    if (db->n_stmts == TD_DB_MAX_STMTS)
        return -1;
    db->stmt_sql[db->n_stmts] = sql;
    db->stmt[db->n_stmts] = NULL;
    return (int)db->n_stmts++;
}

typedef struct int_row {
    int64_t *out;
    bool found;
} int_row;

static int take_int(void *arg, const char *const *col, size_t ncol)
{
    int_row *r = arg;
    if (ncol >= 1 && col[0]) {
        *r->out = strtoll(col[0], NULL, 10);
        r->found = true;
    }
    return 0;
}

int td_db_int(td_db *db, const char *sql, const td_dbv *p, size_t np, int64_t *out, bool *found)
{
    int_row r = { out, false };
    int rc = td_db_query(db, sql, p, np, take_int, &r);
    if (found)
        *found = r.found;
    return rc;
}
