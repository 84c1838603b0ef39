/* The SQLite back end: a file on this machine, no server. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "history/db.h"

/* Another writer (a scan and a check recording into one file) holds the
 * lock for one target's transaction at a time: wait for it rather than
 * fail. */
#define BUSY_WAIT_MS 10000

static void sq_err(td_db *db, const char *what)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s: ", what);
    td_db_set_err(db, buf, sqlite3_errmsg(db->conn));
}

static int sq_open(td_db *db, const td_db_url *u, bool create)
{
    sqlite3 *c = NULL;
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(u->where, &c, flags, NULL);
    if (rc != SQLITE_OK) {
        char buf[4200];
        snprintf(buf, sizeof buf, "cannot open the SQLite database %.4000s: ", u->where);
        td_db_set_err(db, buf, c ? sqlite3_errmsg(c) : sqlite3_errstr(rc));
        sqlite3_close(c);
        return -1;
    }
    db->conn = c;
    sqlite3_busy_timeout(c, BUSY_WAIT_MS);
    sqlite3_extended_result_codes(c, 1);
    /* the cascade from targets to their findings and certificates */
    if (sqlite3_exec(c, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
        sq_err(db, "SQLite");
        sqlite3_close(c);
        db->conn = NULL;
        return -1;
    }
    return 0;
}

static void sq_close(td_db *db)
{
    for (size_t i = 0; i < db->n_stmts; i++)
        sqlite3_finalize(db->stmt[i]);
    sqlite3_close(db->conn);
}

static int sq_script(td_db *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
        td_db_set_err(db, "SQLite: ", msg ? msg : sqlite3_errmsg(db->conn));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* $N names the N-th parameter in the SQL both back ends share; SQLite reads
 * "$1" as a named parameter, looked up by that name. */
static int sq_bind(td_db *db, sqlite3_stmt *st, const td_dbv *p, size_t np)
{
    for (size_t k = 0; k < np; k++) {
        char name[24];
        snprintf(name, sizeof name, "$%zu", k + 1);
        int idx = sqlite3_bind_parameter_index(st, name);
        if (idx == 0)
            continue; /* a parameter the statement does not use */
        int rc = p[k].type == TD_DBV_INT    ? sqlite3_bind_int64(st, idx, p[k].i)
                 : p[k].type == TD_DBV_TEXT ? sqlite3_bind_text(st, idx, p[k].s, -1, SQLITE_TRANSIENT)
                                            : sqlite3_bind_null(st, idx);
        if (rc != SQLITE_OK) {
            sq_err(db, "SQLite bind");
            return -1;
        }
    }
    return 0;
}

static sqlite3_stmt *sq_prepare(td_db *db, const char *sql, int *slot)
{
    *slot = td_db_stmt_slot(db, sql);
    if (*slot >= 0 && db->stmt[*slot])
        return db->stmt[*slot];
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL) != SQLITE_OK) {
        sq_err(db, "SQLite prepare");
        return NULL;
    }
    if (*slot >= 0)
        db->stmt[*slot] = st;
    return st;
}

#define SQ_MAX_COLS 16

static int sq_query(td_db *db, const char *sql, const td_dbv *p, size_t np, td_db_row_fn row, void *arg)
{
    int slot;
    sqlite3_stmt *st = sq_prepare(db, sql, &slot);
    if (!st)
        return -1;
    int rc = sq_bind(db, st, p, np);
    while (rc == 0) {
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            sq_err(db, "SQLite");
            rc = -1;
            break;
        }
        if (!row)
            continue;
        const char *col[SQ_MAX_COLS];
        int n = sqlite3_column_count(st);
        if (n > SQ_MAX_COLS)
            n = SQ_MAX_COLS;
        for (int k = 0; k < n; k++)
            col[k] = (const char *)sqlite3_column_text(st, k);
        rc = row(arg, col, (size_t)n);
        if (rc != 0)
            snprintf(db->err, sizeof db->err, "out of memory reading the history");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (slot < 0)
        sqlite3_finalize(st);
    return rc;
}

const td_db_ops td_db_sqlite_ops = {
    .name = "sqlite",
    .begin_sql = "BEGIN IMMEDIATE",
    .migrate_lock_sql = NULL,
    .open = sq_open,
    .close = sq_close,
    .script = sq_script,
    .query = sq_query,
};
