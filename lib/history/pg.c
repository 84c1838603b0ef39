/* The PostgreSQL back end, through libpq: one server that every shard of a
 * scan can write to. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "history/db.h"

/* libpq waits forever for a server that does not answer; a history that
 * cannot be reached is an error to report, not a hang.  A connect_timeout
 * in the URL wins. */
#define PG_CONNECT_TIMEOUT "10"

/* libpq prints NOTICEs ("relation ... already exists, skipping") to
 * stderr; they say nothing a user must act on. */
static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static int pg_open(td_db *db, const td_db_url *u, bool create)
{
    (void)create; /* the server owns the database: it exists or it does not */
    /* keywords in order, later ones winning: the URL (expand_dbname)
     * overrides the default timeout */
    const char *keys[] = { "connect_timeout", "dbname", NULL };
    const char *vals[] = { PG_CONNECT_TIMEOUT, u->where, NULL };
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c) {
        td_db_set_err(db, "PostgreSQL: ", "out of memory");
        return -1;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        td_db_set_err(db, "cannot connect to PostgreSQL: ", PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    PQsetNoticeProcessor(c, quiet, NULL);
    db->conn = c;
    return 0;
}

static void pg_close(td_db *db)
{
    /* the prepared statements live in the session and end with it */
    PQfinish(db->conn);
}

/* A result that is not what the statement should give: the server's reason. */
static int pg_check(td_db *db, PGresult *res)
{
    ExecStatusType s = PQresultStatus(res);
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
        return 0;
    const char *msg = PQresultErrorMessage(res);
    td_db_set_err(db, "PostgreSQL: ", msg && *msg ? msg : PQerrorMessage(db->conn));
    return -1;
}

static int pg_script(td_db *db, const char *sql)
{
    PGresult *res = PQexec(db->conn, sql);
    int rc = pg_check(db, res);
    PQclear(res);
    return rc;
}

#define PG_MAX_PARAMS 16

/* Prepares sql under a name of its cache slot the first time; a statement
 * the cache has no room for runs unnamed (still with bound parameters). */
static const char *pg_prepared(td_db *db, const char *sql, int np, char *name, size_t cap)
{
    int slot = td_db_stmt_slot(db, sql);
    if (slot < 0)
        return "";
    snprintf(name, cap, "td%d", slot);
    if (db->stmt[slot])
        return name;
    PGresult *res = PQprepare(db->conn, name, sql, np, NULL);
    int rc = pg_check(db, res);
    PQclear(res);
    if (rc != 0)
        return NULL;
    db->stmt[slot] = db; /* any non-NULL mark: prepared in this session */
    return name;
}

static int pg_query(td_db *db, const char *sql, const td_dbv *p, size_t np, td_db_row_fn row, void *arg)
{
    if (np > PG_MAX_PARAMS) {
        td_db_set_err(db, "PostgreSQL: ", "too many parameters");
        return -1;
    }
    char num[PG_MAX_PARAMS][24];
    const char *vals[PG_MAX_PARAMS];
    for (size_t k = 0; k < np; k++) {
        if (p[k].type == TD_DBV_INT) {
            snprintf(num[k], sizeof num[k], "%" PRId64, p[k].i);
            vals[k] = num[k];
        } else {
            vals[k] = p[k].type == TD_DBV_TEXT ? p[k].s : NULL;
        }
    }
    char name[16];
    const char *stmt = pg_prepared(db, sql, (int)np, name, sizeof name);
    if (!stmt)
        return -1;
    PGresult *res = *stmt ? PQexecPrepared(db->conn, stmt, (int)np, vals, NULL, NULL, 0)
                          : PQexecParams(db->conn, sql, (int)np, NULL, vals, NULL, NULL, 0);
    int rc = pg_check(db, res);
    int rows = rc == 0 ? PQntuples(res) : 0, cols = rc == 0 ? PQnfields(res) : 0;
    if (cols > PG_MAX_PARAMS)
        cols = PG_MAX_PARAMS;
    for (int r = 0; r < rows && rc == 0 && row; r++) {
        const char *col[PG_MAX_PARAMS];
        for (int k = 0; k < cols; k++)
            col[k] = PQgetisnull(res, r, k) ? NULL : PQgetvalue(res, r, k);
        rc = row(arg, col, (size_t)cols);
        if (rc != 0)
            snprintf(db->err, sizeof db->err, "out of memory reading the history");
    }
    PQclear(res);
    return rc;
}

const td_db_ops td_db_postgresql_ops = {
    .name = "postgresql",
    .begin_sql = "BEGIN",
    /* any constant: it only has to be the same for every tlsdiag */
    .migrate_lock_sql = "SELECT pg_advisory_xact_lock(7464190313)",
    .open = pg_open,
    .close = pg_close,
    .script = pg_script,
    .query = pg_query,
};
