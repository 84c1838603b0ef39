/* Unit tests for lib/history: --db URLs, the migrations (SQLite in a temp
 * file: applied once, in one transaction, a newer schema refused, a
 * version-2 database brought up to date with its rows), and records
 * compared by diff, a STARTTLS upgrade asked for being part of a target. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "history/db.h"
#include "history/history_int.h"
#include "history/migrate.h"
#include "reportkit.h"
#include "starttls/starttls.h"

/* ---- URLs ---------------------------------------------------------------- */

typedef struct good_url {
    const char *in;
    td_db_kind kind;
    const char *where;
} good_url;

static const good_url good_urls[] = {
    { "sqlite:/var/lib/tlsdiag/h.db", TD_DB_SQLITE, "/var/lib/tlsdiag/h.db" },
    { "sqlite:h.db", TD_DB_SQLITE, "h.db" },
    { "sqlite:///abs/h.db", TD_DB_SQLITE, "/abs/h.db" },
    { "sqlite://rel/h.db", TD_DB_SQLITE, "rel/h.db" },
    { "h.db", TD_DB_SQLITE, "h.db" },
    { "/tmp/h.db", TD_DB_SQLITE, "/tmp/h.db" },
    { "runs:2026.db", TD_DB_SQLITE, "runs:2026.db" }, /* a colon, no "//": a path */
    { "sqlite::memory:", TD_DB_SQLITE, ":memory:" },
    { "postgresql://tlsdiag@db.example/history", TD_DB_POSTGRESQL, "postgresql://tlsdiag@db.example/history" },
    { "postgres://u:secret@127.0.0.1:5433/h?sslmode=require", TD_DB_POSTGRESQL,
      "postgres://u:secret@127.0.0.1:5433/h?sslmode=require" },
    { "postgresql:///history?host=/run/postgresql", TD_DB_POSTGRESQL, "postgresql:///history?host=/run/postgresql" },
};

static void test_url_good(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good_urls / sizeof good_urls[0]; i++) {
        td_db_url u;
        char err[256] = "";
        int rc = td_db_url_parse(good_urls[i].in, &u, err, sizeof err);
        if (rc != 0)
            fail_msg("%s: %s", good_urls[i].in, err);
        assert_int_equal(u.kind, good_urls[i].kind);
        assert_string_equal(u.where, good_urls[i].where);
    }
}

typedef struct bad_url {
    const char *in;
    const char *why; /* a piece of the message */
} bad_url;

static const bad_url bad_urls[] = {
    { "", "needs a database" },
    { "sqlite:", "needs a file name" },
    { "sqlite://", "needs a file name" },
    { "mysql://h/db", "unknown database 'mysql://'" },
    { "file:///tmp/x.db", "unknown database 'file://'" },
    { "postgresql://h/db?bogus=1", "not a PostgreSQL URL" },
    { "postgresql://%zz/db", "not a PostgreSQL URL" },
};

static void test_url_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
        td_db_url u;
        char err[256] = "";
        assert_int_equal(td_db_url_parse(bad_urls[i].in, &u, err, sizeof err), -1);
        if (!strstr(err, bad_urls[i].why))
            fail_msg("%s: '%s' does not say '%s'", bad_urls[i].in, err, bad_urls[i].why);
        assert_null(strchr(err, '\n'));
    }
    td_db_url u;
    char err[256] = "";
    assert_int_equal(td_db_url_parse(NULL, &u, err, sizeof err), -1);
    char *longpath = malloc(5000);
    assert_non_null(longpath);
    memset(longpath, 'a', 4999);
    longpath[4999] = '\0';
    assert_int_equal(td_db_url_parse(longpath, &u, err, sizeof err), -1);
    assert_non_null(strstr(err, "too long"));
    free(longpath);
}

/* ---- migrations ---------------------------------------------------------- */

/* Every version from 1 to the latest exists for both back ends, as a
 * shared file or one per back end. */
static void test_migration_table(void **state)
{
    (void)state;
    int latest = td_schema_latest();
    assert_true(latest >= 1);
    assert_true(td_n_migrations >= 1);
    for (int v = 1; v <= latest; v++) {
        const td_migration *s = td_migration_for(v, "sqlite"), *p = td_migration_for(v, "postgresql");
        assert_non_null(s);
        assert_non_null(p);
        assert_int_equal(s->version, v);
        assert_true(strlen(s->sql) > 0 && strlen(p->sql) > 0);
    }
    assert_null(td_migration_for(latest + 1, "sqlite"));
    /* the versions released, in order: a new one comes after them */
    static const char *const names[] = { "init", "details", "starttls" };
    assert_true(latest >= (int)(sizeof names / sizeof names[0]));
    for (int v = 1; v <= (int)(sizeof names / sizeof names[0]); v++) {
        assert_string_equal(td_migration_for(v, "sqlite")->name, names[v - 1]);
        assert_string_equal(td_migration_for(v, "postgresql")->name, names[v - 1]);
    }
    /* 0003: one SQL for both, the column and the index diff groups by */
    assert_ptr_equal(td_migration_for(3, "sqlite"), td_migration_for(3, "postgresql"));
    assert_null(td_migration_for(3, "sqlite")->backend);
    assert_non_null(strstr(td_migration_for(3, "sqlite")->sql, "ALTER TABLE targets ADD COLUMN starttls TEXT;"));
    assert_non_null(strstr(td_migration_for(3, "sqlite")->sql, "(host, port, address, starttls, run_id)"));
    /* every table is made, for each back end, by one of the versions */
    for (const char *t = "runs\0targets\0findings\0certificates\0client_failures\0"; *t; t += strlen(t) + 1) {
        char want[64];
        snprintf(want, sizeof want, "CREATE TABLE %s (", t);
        for (const char *b = "sqlite\0postgresql\0"; *b; b += strlen(b) + 1) {
            int made = 0;
            for (int v = 1; v <= latest; v++)
                made += strstr(td_migration_for(v, b)->sql, want) != NULL;
            if (made != 1)
                fail_msg("%s: table %s made %d times", b, t, made);
        }
    }
}

static char db_path[64];

static int make_path(void **state)
{
    (void)state;
    snprintf(db_path, sizeof db_path, "/tmp/tlsdiag-test-history.XXXXXX");
    int fd = mkstemp(db_path);
    assert_true(fd >= 0);
    close(fd);
    unlink(db_path); /* the test decides whether it exists */
    return 0;
}

static int remove_path(void **state)
{
    (void)state;
    unlink(db_path);
    return 0;
}

/* One integer from the file, read with sqlite3 itself. */
static long long sq_int(const char *sql)
{
    sqlite3 *c = NULL;
    assert_int_equal(sqlite3_open_v2(db_path, &c, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(c, sql, -1, &st, NULL), SQLITE_OK);
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(c);
    return v;
}

static void sq_exec(const char *sql)
{
    sqlite3 *c = NULL;
    assert_int_equal(sqlite3_open_v2(db_path, &c, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(c, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(c);
}

static void open_sqlite(td_db *db, bool create, int want_rc)
{
    td_db_url u;
    char err[256];
    assert_int_equal(td_db_url_parse(db_path, &u, err, sizeof err), 0);
    int rc = td_db_open(db, &u, create);
    if (rc != want_rc)
        fail_msg("td_db_open gave %d: %s", rc, db->err);
}

static void test_migrate_once(void **state)
{
    (void)state;
    td_db db;
    open_sqlite(&db, false, -1); /* no file, no create: nothing made */
    assert_non_null(strstr(db.err, "cannot open the SQLite database"));
    assert_int_equal(access(db_path, F_OK), -1);

    open_sqlite(&db, true, 0);
    td_db_close(&db);
    int latest = td_schema_latest();
    assert_int_equal(sq_int("SELECT MAX(version) FROM schema_version"), latest);
    assert_int_equal(sq_int("SELECT COUNT(*) FROM schema_version"), latest);
    assert_int_equal(sq_int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                            "('runs', 'targets', 'findings', 'certificates', 'client_failures')"),
                     5);

    /* opened again: nothing applied twice */
    open_sqlite(&db, false, 0);
    td_db_close(&db);
    assert_int_equal(sq_int("SELECT COUNT(*) FROM schema_version"), latest);
}

static void test_migrate_newer_refused(void **state)
{
    (void)state;
    td_db db;
    open_sqlite(&db, true, 0);
    td_db_close(&db);
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT INTO schema_version VALUES (%d, 'future', 0)", td_schema_latest() + 1);
    sq_exec(sql);
    open_sqlite(&db, false, -1);
    assert_non_null(strstr(db.err, "newer than this tlsdiag knows"));
    assert_null(strchr(db.err, '\n'));
    assert_null(db.conn);
}

/* A migration that fails leaves the database as it was, the versions
 * before it included: one transaction. */
static void test_migrate_rolls_back(void **state)
{
    (void)state;
    sq_exec("CREATE TABLE findings (x INTEGER)"); /* in the way of 0002 */
    td_db db;
    open_sqlite(&db, false, -1);
    assert_non_null(strstr(db.err, "0002_details"));
    assert_int_equal(sq_int("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('schema_version', 'runs')"), 0);
}

/* A database as versions 1 and 2 made it, with one run of one HTTPS
 * target (a finding, a certificate): opening it applies 0003 and keeps
 * every row, the target with no upgrade. */
static void make_v2_database(void)
{
    char sql[160];
    sq_exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)");
    for (int v = 1; v <= 2; v++) {
        const td_migration *m = td_migration_for(v, "sqlite");
        sq_exec(m->sql);
        snprintf(sql, sizeof sql, "INSERT INTO schema_version VALUES (%d, '%s', 0)", v, m->name);
        sq_exec(sql);
    }
    sq_exec("INSERT INTO runs (id, started, finished, command, version, targets)"
            " VALUES (1, 1700000000, 1700000001, 'tlsdiag check a.example', '0.1.0', 1);"
            "INSERT INTO targets (id, run_id, checked, host, port, address, verdict)"
            " VALUES (1, 1, 1700000000, 'a.example', 443, '192.0.2.1', 'ok');"
            "INSERT INTO findings VALUES (1, 0, 'TLS13_MISSING', 'info', NULL, 'A note.');"
            "INSERT INTO certificates VALUES (1, 0, 'CN=old', 'CN=old', '01',"
            " '0000000000000000000000000000000000000000000000000000000000000000', 2000000000)");
}

static void test_migrate_from_v2(void **state)
{
    (void)state;
    make_v2_database();
    assert_null(strstr(td_migration_for(2, "sqlite")->sql, "starttls")); /* the column is 0003's */
    td_db db;
    open_sqlite(&db, false, 0);
    td_db_close(&db);
    assert_int_equal(sq_int("SELECT MAX(version) FROM schema_version"), td_schema_latest());
    assert_int_equal(sq_int("SELECT COUNT(*) FROM schema_version WHERE version = 3 AND name = 'starttls'"), 1);
    assert_int_equal(sq_int("SELECT COUNT(*) FROM targets WHERE id = 1 AND host = 'a.example' AND starttls IS NULL"), 1);
    assert_int_equal(sq_int("SELECT COUNT(*) FROM findings"), 1);
    assert_int_equal(sq_int("SELECT COUNT(*) FROM certificates"), 1);
    assert_int_equal(sq_int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'targets_key'"
                            " AND sql LIKE '%starttls%'"),
                     1);
}

/* ---- records and diff ---------------------------------------------------- */

/* Certificates by name: each made once, so that the same name is the same
 * DER (a fresh key each time would be another certificate). */
typedef struct named_der {
    const char *cn;
    long serial;
    uint8_t *der;
    size_t len;
} named_der;
static named_der ders[] = { { "a1", 1, NULL, 0 }, { "a2", 4, NULL, 0 }, { "b1", 2, NULL, 0 }, { "c1", 3, NULL, 0 } };

static uint8_t *der_of(const char *cn, size_t *len)
{
    for (size_t i = 0; i < sizeof ders / sizeof ders[0]; i++) {
        named_der *n = &ders[i];
        if (strcmp(n->cn, cn) != 0)
            continue;
        if (!n->der)
            n->der = make_named_cert("tlsdiag test", cn, n->serial, &n->len);
        uint8_t *copy = malloc(n->len);
        assert_non_null(copy);
        memcpy(copy, n->der, n->len);
        *len = n->len;
        return copy;
    }
    fail_msg("no certificate %s", cn);
    return NULL;
}

/* A report of host:port: verdict fail with root cause id, or ok; the leaf
 * the certificate of cn. */
static td_report *report(const char *host, int port, td_id root, const char *cn)
{
    td_report *r = calloc(1, sizeof *r);
    assert_non_null(r);
    td_obs_init(&r->obs);
    td_obs *o = &r->obs;
    snprintf(o->host, sizeof o->host, "%s", host);
    o->port = (uint16_t)port;
    o->n_addrs = 1;
    snprintf(o->addrs[0].text, sizeof o->addrs[0].text, "192.0.2.1");
    o->addr_used = 0;
    o->certs[0].der = der_of(cn, &o->certs[0].len);
    o->n_certs = 1;
    r->findings.root_cause = -1;
    if (root != TD_ID_NONE) {
        td_findings_add(&r->findings, root, TD_SEV_FAIL, "It fails.", "", NULL, NULL);
        r->findings.root_cause = 0;
    }
    td_findings_add(&r->findings, TD_ID_TLS13_MISSING, TD_SEV_INFO, "A note.", "", NULL, NULL);
    return r;
}

/* The upgrade a check went through: asked for, or chosen from the
 * greeting (auto). */
static td_report *upgraded(td_report *r, const char *proto, bool chosen)
{
    r->obs.starttls = td_starttls_find(proto);
    assert_non_null(r->obs.starttls);
    r->obs.starttls_auto = chosen;
    return r;
}

static void record(td_history *h, td_report *r)
{
    long long run = 0;
    assert_int_equal(td_history_run_begin(h, "tlsdiag check test", NULL, &run), TD_OK);
    assert_true(run > 0);
    assert_int_equal(td_history_record(h, run, r), TD_OK);
    assert_int_equal(td_history_run_end(h, run), TD_OK);
    td_report_free(r);
}

static td_history *open_history(void)
{
    td_history *h = td_history_new();
    assert_non_null(h);
    char url[96];
    snprintf(url, sizeof url, "sqlite:%s", db_path);
    if (td_history_open(h, url, TD_HISTORY_CREATE) != TD_OK)
        fail_msg("%s", td_history_error(h));
    return h;
}

static void free_ders(void)
{
    for (size_t i = 0; i < sizeof ders / sizeof ders[0]; i++) {
        free(ders[i].der);
        ders[i].der = NULL;
    }
}

static void test_record_and_diff(void **state)
{
    (void)state;
    td_history *h = td_history_new();
    assert_non_null(h);
    assert_int_equal(td_history_open(h, "mysql://x/y", TD_HISTORY_CREATE), TD_ERR_USAGE);
    assert_non_null(strstr(td_history_error(h), "unknown database"));
    char url[96];
    snprintf(url, sizeof url, "sqlite:%s", db_path);
    assert_int_equal(td_history_open(h, url, TD_HISTORY_CREATE), TD_OK);
    assert_null(td_history_error(h));

    td_diff *d = NULL;
    assert_int_equal(td_history_diff(h, NULL, 21, &d), TD_ERR_USAGE); /* no run yet */
    assert_non_null(strstr(td_history_error(h), "no run yet"));

    /* runs 1-3: a ok, b ok, c failing; runs 4-6: a ok (new certificate),
     * b failing, c failing for another reason */
    record(h, report("a.example", 443, TD_ID_NONE, "a1"));
    record(h, report("b.example", 443, TD_ID_NONE, "b1"));
    record(h, report("c.example", 8443, TD_ID_HOSTNAME_MISMATCH, "c1"));
    record(h, report("a.example", 443, TD_ID_NONE, "a2"));
    record(h, report("b.example", 443, TD_ID_NO_SHARED_CIPHER, "b1"));
    record(h, report("c.example", 8443, TD_ID_CERT_EXPIRED, "c1"));

    assert_int_equal(td_history_diff(h, "3", 21, &d), TD_OK);
    assert_int_equal(d->current.id, 6);
    assert_int_equal(d->baseline.id, 3);
    assert_int_equal(d->now.n, 3);
    assert_int_equal(d->count[TD_CH_NEW_FAILURE], 1);
    assert_int_equal(d->count[TD_CH_FIXED], 0);
    assert_int_equal(d->count[TD_CH_ROOT_CAUSE], 1);
    assert_int_equal(d->count[TD_CH_ROTATED], 1);
    for (size_t i = 0; i < d->n; i++) {
        const td_change *c = &d->v[i];
        if (c->kind == TD_CH_NEW_FAILURE) {
            assert_string_equal(c->now->host, "b.example");
            assert_string_equal(c->now->root, "NO_SHARED_CIPHER");
        } else if (c->kind == TD_CH_ROOT_CAUSE) {
            assert_string_equal(c->was->root, "HOSTNAME_MISMATCH");
            assert_string_equal(c->now->root, "CERT_EXPIRED");
        } else if (c->kind == TD_CH_ROTATED) {
            assert_string_equal(c->now->host, "a.example");
            assert_non_null(strstr(c->was->leaf.subject, "CN=a1"));
            assert_non_null(strstr(c->now->leaf.subject, "CN=a2"));
            assert_string_equal(c->now->leaf.serial, "04");
        }
    }
    assert_true(td_diff_worse(d));
    td_diff_free(d);

    /* the default baseline is the run before the latest: only c changed */
    assert_int_equal(td_history_diff(h, NULL, 21, &d), TD_OK);
    assert_int_equal(d->baseline.id, 5);
    assert_int_equal(d->n, 1);
    assert_int_equal(d->v[0].kind, TD_CH_ROOT_CAUSE);
    td_diff_free(d);

    /* the certificates end in 2027-01: within 3650 days */
    assert_int_equal(td_history_diff(h, "3", 3650, &d), TD_OK);
    assert_int_equal(d->count[TD_CH_EXPIRING], 3);
    td_diff_free(d);

    assert_int_equal(td_history_diff(h, "7", 21, &d), TD_ERR_USAGE);
    assert_non_null(strstr(td_history_error(h), "no run 7"));
    assert_int_equal(td_history_diff(h, "1999-01-01", 21, &d), TD_ERR_USAGE);
    assert_non_null(strstr(td_history_error(h), "no run started at or before 1999-01-01"));
    assert_int_equal(td_history_diff(h, "someday", 21, &d), TD_ERR_USAGE);
    assert_int_equal(td_history_diff(h, "2d", 21, &d), TD_ERR_USAGE); /* every run is newer */
    assert_null(d);

    /* a record that fails halfway leaves nothing of its target: the
     * certificates' table gone, the target row before it is rolled back */
    sq_exec("DROP TABLE certificates");
    long long run = 0;
    assert_int_equal(td_history_run_begin(h, "tlsdiag check test", NULL, &run), TD_OK);
    td_report *r = report("d.example", 443, TD_ID_NONE, "a1");
    assert_int_equal(td_history_record(h, run, r), TD_ERR_DB);
    td_report_free(r);
    assert_non_null(strstr(td_history_error(h), "certificates"));
    assert_null(strchr(td_history_error(h), '\n'));
    assert_int_equal(sq_int("SELECT COUNT(*) FROM targets WHERE host = 'd.example'"), 0);
    assert_int_equal(sq_int("SELECT COUNT(*) FROM findings"), 9); /* of the six before */
    assert_int_equal(sq_int("SELECT targets FROM runs WHERE id = 7"), 0);
    td_history_free(h);
    free_ders();
}

/* A record made before 0003 pairs with one made after it for the same
 * HTTPS target: one target, compared, not a new one. */
static void test_diff_across_upgrade(void **state)
{
    (void)state;
    make_v2_database();
    td_history *h = open_history();
    record(h, report("a.example", 443, TD_ID_HOSTNAME_MISMATCH, "a1"));
    td_diff *d = NULL;
    assert_int_equal(td_history_diff(h, NULL, 0, &d), TD_OK);
    assert_int_equal(d->baseline.id, 1);
    assert_int_equal(d->now.n, 1);
    assert_int_equal(d->was.n, 1);
    assert_int_equal(d->count[TD_CH_NEW_FAILURE], 1);
    assert_int_equal(d->count[TD_CH_ROTATED], 1);
    for (size_t i = 0; i < d->n; i++) {
        assert_non_null(d->v[i].was);
        assert_int_equal(d->v[i].was->id, 1);
        assert_null(d->v[i].now->starttls);
    }
    td_diff_free(d);
    td_history_free(h);
    free_ders();
}

/* What a diff's text says; malloc'd. */
static char *diff_text(const td_diff *d, bool json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(json ? td_diff_write_json(d, f) : td_diff_write_text(d, f), 0);
    fclose(f);
    return buf;
}

/* One port with and without an upgrade asked for is two targets, each
 * compared with its own past; an upgrade the check chose from the greeting
 * is not part of the target. */
static void test_starttls_key(void **state)
{
    (void)state;
    td_history *h = open_history();
    /* run 1: plain ok; 2: through SMTP STARTTLS, failing; 3: plain failing;
     * 4: the upgrade chosen from the greeting, failing otherwise */
    record(h, report("a.example", 25, TD_ID_NONE, "a1"));
    record(h, upgraded(report("a.example", 25, TD_ID_NO_SHARED_CIPHER, "b1"), "smtp", false));
    record(h, report("a.example", 25, TD_ID_HOSTNAME_MISMATCH, "a1"));
    assert_int_equal(sq_int("SELECT COUNT(*) FROM targets WHERE starttls = 'smtp' AND run_id = 2"), 1);
    assert_int_equal(sq_int("SELECT COUNT(*) FROM targets WHERE starttls IS NULL"), 2);

    td_diff *d = NULL;
    assert_int_equal(td_history_diff(h, "2", 0, &d), TD_OK);
    assert_int_equal(d->now.n, 2);
    assert_int_equal(d->was.n, 2);
    assert_int_equal(d->n, 1); /* the plain target's failure, nothing about the other */
    assert_int_equal(d->v[0].kind, TD_CH_NEW_FAILURE);
    assert_null(d->v[0].now->starttls);
    assert_non_null(d->v[0].was);
    assert_string_equal(d->v[0].was->verdict, "ok");
    td_diff_free(d);

    record(h, upgraded(report("a.example", 25, TD_ID_CERT_EXPIRED, "c1"), "smtp", true));
    assert_int_equal(sq_int("SELECT COUNT(*) FROM targets WHERE run_id = 4 AND starttls IS NULL"), 1);
    assert_int_equal(td_history_diff(h, NULL, 0, &d), TD_OK);
    assert_int_equal(d->now.n, 2);
    assert_int_equal(d->n, 2);
    assert_int_equal(d->count[TD_CH_ROOT_CAUSE], 1);
    assert_int_equal(d->count[TD_CH_ROTATED], 1);
    for (size_t i = 0; i < d->n; i++) {
        assert_null(d->v[i].now->starttls);
        assert_int_equal(d->v[i].was->run, 3);
    }
    td_diff_free(d);

    /* since run 1: the upgraded target is first seen, named with its upgrade */
    assert_int_equal(td_history_diff(h, "1", 0, &d), TD_OK);
    assert_int_equal(d->count[TD_CH_NEW_FAILURE], 2);
    char *text = diff_text(d, false), *json = diff_text(d, true);
    assert_non_null(strstr(text, "\n  a.example:25 (192.0.2.1) starttls=smtp  NO_SHARED_CIPHER: It fails. (first seen)\n"));
    assert_non_null(strstr(text, "\n  a.example:25 (192.0.2.1)  CERT_EXPIRED: It fails. (was ok)\n"));
    assert_int_equal(occurrences(json, "\"starttls\": \"smtp\""), 1);
    assert_int_equal(occurrences(json, "\"starttls\": null"), 2); /* the new failure, the rotation */
    free(text);
    free(json);
    td_diff_free(d);
    td_history_free(h);
    free_ders();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_good),
        cmocka_unit_test(test_url_bad),
        cmocka_unit_test(test_migration_table),
        cmocka_unit_test_setup_teardown(test_migrate_once, make_path, remove_path),
        cmocka_unit_test_setup_teardown(test_migrate_newer_refused, make_path, remove_path),
        cmocka_unit_test_setup_teardown(test_migrate_rolls_back, make_path, remove_path),
        cmocka_unit_test_setup_teardown(test_migrate_from_v2, make_path, remove_path),
        cmocka_unit_test_setup_teardown(test_record_and_diff, make_path, remove_path),
        cmocka_unit_test_setup_teardown(test_diff_across_upgrade, make_path, remove_path),
        cmocka_unit_test_setup_teardown(test_starttls_key, make_path, remove_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
