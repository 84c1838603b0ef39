/* td_history: runs, targets, findings and certificates kept in SQLite or
 * PostgreSQL (lib/history/db.h), one transaction per target so that a
 * crash loses at most the target in flight. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert/cert.h"
#include "check.h"
#include "history/history_int.h"
#include "report/report.h"
#include "starttls/starttls.h"

td_history *td_history_new(void)
{
    return calloc(1, sizeof(td_history));
}

void td_history_free(td_history *h)
{
    if (!h)
        return;
    if (h->open)
        td_db_close(&h->db);
    free(h);
}

const char *td_history_error(const td_history *h)
{
    return h && h->err[0] ? h->err : NULL;
}

static td_status fail(td_history *h, td_status st, const char *why)
{
    snprintf(h->err, sizeof h->err, "%s", why);
    return st;
}

/* The database's reason for the last failure. */
static td_status db_fail(td_history *h)
{
    snprintf(h->err, sizeof h->err, "history: %.480s", h->db.err[0] ? h->db.err : "database error");
    return TD_ERR_DB;
}

static td_status ready(td_history *h)
{
    if (!h)
        return TD_ERR_USAGE;
    h->err[0] = '\0';
    h->db.err[0] = '\0';
    return h->open ? TD_OK : fail(h, TD_ERR_USAGE, "history: no database open");
}

td_status td_history_open(td_history *h, const char *url, unsigned flags)
{
    if (!h)
        return TD_ERR_USAGE;
    h->err[0] = '\0';
    if (h->open)
        return fail(h, TD_ERR_USAGE, "history: a database is already open");
    td_db_url u;
    char why[256];
    if (td_db_url_parse(url, &u, why, sizeof why) != 0)
        return fail(h, TD_ERR_USAGE, why);
    if (td_db_open(&h->db, &u, (flags & TD_HISTORY_CREATE) != 0) != 0)
        return db_fail(h);
    h->open = true;
    return TD_OK;
}

static const char run_begin_sql[] =
    "INSERT INTO runs (started, command, shard, version) VALUES ($1, $2, $3, $4) RETURNING id";
static const char run_end_sql[] = "UPDATE runs SET finished = $2 WHERE id = $1";
static const char run_count_sql[] = "UPDATE runs SET targets = targets + 1 WHERE id = $1";
static const char target_sql[] =
    "INSERT INTO targets (run_id, checked, host, port, address, sni, verdict, root_cause, root_summary, starttls)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
static const char finding_sql[] =
    "INSERT INTO findings (target_id, seq, finding, severity, client, summary) VALUES ($1, $2, $3, $4, $5, $6)";
static const char cert_sql[] =
    "INSERT INTO certificates (target_id, depth, subject, issuer, serial, sha256, not_after)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char client_sql[] =
    "INSERT INTO client_failures (target_id, client, step, reason_code, below_level) VALUES ($1, $2, $3, $4, $5)";

td_status td_history_run_begin(td_history *h, const char *command, const char *shard, long long *run)
{
    td_status st = ready(h);
    if (st != TD_OK)
        return st;
    if (!run)
        return fail(h, TD_ERR_USAGE, "history: no place for the run's id");
    td_dbv p[] = { td_dbv_int((int64_t)time(NULL)), td_dbv_text(command ? command : ""),
                   td_dbv_text(shard && *shard ? shard : NULL), td_dbv_text(td_version()) };
    int64_t id = 0;
    bool found = false;
    if (td_db_int(&h->db, run_begin_sql, p, 4, &id, &found) != 0)
        return db_fail(h);
    if (!found)
        return fail(h, TD_ERR_DB, "history: the database gave the new run no id");
    *run = (long long)id;
    return TD_OK;
}

td_status td_history_run_end(td_history *h, long long run)
{
    td_status st = ready(h);
    if (st != TD_OK)
        return st;
    td_dbv p[] = { td_dbv_int(run), td_dbv_int((int64_t)time(NULL)) };
    return td_db_query(&h->db, run_end_sql, p, 2, NULL, NULL) == 0 ? TD_OK : db_fail(h);
}

/* ---- one target --------------------------------------------------------- */

static const char *client_id(const td_obs *o, int k)
{
    if (k < 0 || (size_t)k >= o->n_sims || k >= TD_MAX_CLIENTS || !o->sims[k].client)
        return NULL;
    return o->sims[k].client->id;
}

static int insert_findings(td_db *db, int64_t tid, const td_report *r)
{
    for (size_t k = 0; k < r->findings.n; k++) {
        const td_finding *f = &r->findings.v[k];
        td_dbv p[] = { td_dbv_int(tid), td_dbv_int((int64_t)k), td_dbv_text(td_id_name(f->id)),
                       td_dbv_text(td_severity_name(f->sev)), td_dbv_text(client_id(&r->obs, f->client)),
                       td_dbv_text(f->summary ? f->summary : "") };
        if (td_db_query(db, finding_sql, p, 6, NULL, NULL) != 0)
            return -1;
    }
    return 0;
}

/* The chain the server served: the full handshake's when it has one (TLS
 * 1.3 hides it from the first-flight probes), else the TLS 1.2 one. */
static int insert_chain(td_db *db, int64_t tid, const td_obs *o)
{
    const td_cert *chain = o->hs.n_chain ? o->hs.chain : o->certs;
    size_t n = o->hs.n_chain ? o->hs.n_chain : o->n_certs;
    if (n > TD_FLIGHT_MAX_CERTS)
        n = TD_FLIGHT_MAX_CERTS;
    td_cert_info *ci = malloc(sizeof *ci); /* kilobytes: not on the stack */
    if (!ci)
        return -1;
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        if (!chain[k].der)
            continue;
        char why[160];
        bool ok = td_cert_info_from_der(td_cert_der(&chain[k]), ci, why, sizeof why) == 0;
        td_cert_text ct; /* the fingerprint even of bytes that do not parse */
        td_cert_describe(chain[k].der, chain[k].len, &ct);
        td_dbv p[] = { td_dbv_int(tid), td_dbv_int((int64_t)k), td_dbv_text(ok ? ci->subject : NULL),
                       td_dbv_text(ok ? ci->issuer : NULL), td_dbv_text(ok ? ci->serial : NULL),
                       td_dbv_text(ct.sha256),
                       ok ? td_dbv_int(ci->not_after) : td_dbv_text(NULL) };
        rc = td_db_query(db, cert_sql, p, 7, NULL, NULL);
    }
    free(ci);
    return rc;
}

static int insert_clients(td_db *db, int64_t tid, const td_client_table *t)
{
    size_t n = t->n < TD_MAX_CLIENTS ? t->n : TD_MAX_CLIENTS;
    for (size_t k = 0; k < n; k++) {
        const td_client_verdict *v = &t->v[k];
        if (v->result != TD_CV_FAIL || !v->client || !v->client->id)
            continue;
        td_dbv p[] = { td_dbv_int(tid), td_dbv_text(v->client->id), td_dbv_text(v->step[0] ? v->step : NULL),
                       td_dbv_text(td_reason_token(v->reason_code)), td_dbv_int(v->below_level) };
        if (td_db_query(db, client_sql, p, 5, NULL, NULL) != 0)
            return -1;
    }
    return 0;
}

/* The upgrade the target named, part of its key as in a scan's
 * (td_scan_target_key); one a greeting chose is what the check found. */
static const char *starttls_asked(const td_obs *o)
{
    return o->starttls && !o->starttls_auto ? o->starttls->name : NULL;
}

static int insert_target(td_db *db, int64_t run, const td_report *r)
{
    const td_obs *o = &r->obs;
    const char *addr = o->addr_used >= 0 && (size_t)o->addr_used < o->n_addrs && o->addr_used < TD_MAX_ADDRS
                           ? o->addrs[o->addr_used].text
                           : "";
    const td_finding *root = r->findings.root_cause >= 0 && (size_t)r->findings.root_cause < r->findings.n
                                 ? &r->findings.v[r->findings.root_cause]
                                 : NULL;
    td_dbv p[] = { td_dbv_int(run), td_dbv_int(o->now > 0 ? o->now : (int64_t)time(NULL)),
                   td_dbv_text(o->host), td_dbv_int(o->port), td_dbv_text(addr),
                   td_dbv_text(o->sni[0] ? o->sni : NULL), td_dbv_text(td_verdict_name(td_report_verdict(r))),
                   td_dbv_text(root ? td_id_name(root->id) : NULL),
                   td_dbv_text(root && root->summary ? root->summary : NULL), td_dbv_text(starttls_asked(o)) };
    int64_t tid = 0;
    bool found = false;
    if (td_db_int(db, target_sql, p, 10, &tid, &found) != 0)
        return -1;
    if (!found) {
        snprintf(db->err, sizeof db->err, "the database gave the target no id");
        return -1;
    }
    td_dbv pr[] = { td_dbv_int(run) };
    if (insert_findings(db, tid, r) != 0 || insert_chain(db, tid, o) != 0 || insert_clients(db, tid, &r->clients) != 0 ||
        td_db_query(db, run_count_sql, pr, 1, NULL, NULL) != 0)
        return -1;
    return 0;
}

td_status td_history_record(td_history *h, long long run, const td_report *r)
{
    td_status st = ready(h);
    if (st != TD_OK)
        return st;
    if (!r)
        return fail(h, TD_ERR_USAGE, "history: no report to record");
    if (td_db_script(&h->db, h->db.ops->begin_sql) != 0)
        return db_fail(h);
    if (insert_target(&h->db, run, r) != 0) {
        if (!h->db.err[0])
            snprintf(h->db.err, sizeof h->db.err, "out of memory");
        td_db_rollback(&h->db);
        return db_fail(h);
    }
    return td_db_script(&h->db, "COMMIT") == 0 ? TD_OK : db_fail(h);
}
