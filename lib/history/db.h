/* The history's databases: one small interface, two back ends (SQLite,
 * embedded; PostgreSQL through libpq).  Every statement is a constant SQL
 * text with $1, $2, ... placeholders that both back ends read the same way;
 * data only ever travels as bound parameters.  Statements are prepared once
 * per connection and reused. */
#ifndef TD_HISTORY_DB_H
#define TD_HISTORY_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { TD_DB_SQLITE, TD_DB_POSTGRESQL } td_db_kind;

/* A --db value, parsed. */
typedef struct td_db_url {
    td_db_kind kind;
    /* SQLite: the file's path; PostgreSQL: the URL as given (libpq reads
     * it, and the password in it never leaves this structure). */
    char where[4096];
} td_db_url;

/* "sqlite:PATH", "sqlite://PATH", a bare PATH (SQLite), "postgresql://..."
 * or "postgres://...".  0, or -1 with a one-line reason in err. */
int td_db_url_parse(const char *url, td_db_url *out, char *err, size_t errlen);

/* A bound parameter. */
typedef enum { TD_DBV_NULL, TD_DBV_INT, TD_DBV_TEXT } td_dbv_type;
typedef struct td_dbv {
    td_dbv_type type;
    int64_t i;
    const char *s;
} td_dbv;
static inline td_dbv td_dbv_int(int64_t i)
{
    return (td_dbv){ TD_DBV_INT, i, NULL };
}
/* A NULL string is SQL NULL. */
static inline td_dbv td_dbv_text(const char *s)
{
    return (td_dbv){ s ? TD_DBV_TEXT : TD_DBV_NULL, 0, s };
}

/* One result row: the columns as text, NULL for SQL NULL.  A nonzero
 * return stops the query (which then fails with that value). */
typedef int (*td_db_row_fn)(void *arg, const char *const *col, size_t ncol);

typedef struct td_db td_db;

typedef struct td_db_ops {
    const char *name;      /* "sqlite", "postgresql": also the migrations' suffix */
    const char *begin_sql; /* how a writing transaction starts */
    /* Taken inside the migrations' transaction so that processes opening
     * one database at once migrate it one after the other; NULL: the
     * transaction itself locks (SQLite's BEGIN IMMEDIATE). */
    const char *migrate_lock_sql;
    int (*open)(td_db *db, const td_db_url *u, bool create);
    void (*close)(td_db *db);
    /* Constant SQL, possibly several statements, no parameters: the
     * migrations and transaction control. */
    int (*script)(td_db *db, const char *sql);
    int (*query)(td_db *db, const char *sql, const td_dbv *p, size_t np, td_db_row_fn row, void *arg);
} td_db_ops;

#define TD_DB_MAX_STMTS 32

struct td_db {
    const td_db_ops *ops;
    void *conn;
    /* Prepared statements, keyed by the address of their constant SQL. */
    const char *stmt_sql[TD_DB_MAX_STMTS];
    void *stmt[TD_DB_MAX_STMTS];
    size_t n_stmts;
    char err[512]; /* one line: why the last call failed */
};

extern const td_db_ops td_db_sqlite_ops;
extern const td_db_ops td_db_postgresql_ops;

/* Opens (creating a SQLite file only with create) and brings the schema up
 * to date (lib/history/migrate.c).  0, or -1 with db->err set; a failed
 * open leaves nothing to close. */
int td_db_open(td_db *db, const td_db_url *u, bool create);
void td_db_close(td_db *db);
int td_db_script(td_db *db, const char *sql);
/* Ends the transaction in flight, keeping db->err: the reason it failed. */
void td_db_rollback(td_db *db);
int td_db_query(td_db *db, const char *sql, const td_dbv *p, size_t np, td_db_row_fn row, void *arg);
/* A statement that returns at most one row of one integer column (an id, a
 * count, a MAX()): *out is set, or left alone when there was no row or it
 * was NULL (then *found is false). */
int td_db_int(td_db *db, const char *sql, const td_dbv *p, size_t np, int64_t *out, bool *found);
/* The slot of sql in the statement cache: its index, or -1 when the cache
 * is full (the statement is then prepared for this one call). */
int td_db_stmt_slot(td_db *db, const char *sql);
/* prefix and msg into db->err, on one line. */
void td_db_set_err(td_db *db, const char *prefix, const char *msg);
/* libpq's messages run over several lines ("FATAL: ...\nDETAIL: ..."):
 * the reports keep one, each run of blanks made one space. */
void td_db_one_line(char *s);

#endif
