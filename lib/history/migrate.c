/* Schema migrations: the database records the versions applied in
 * schema_version; opening applies the missing ones, in order. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "history/db.h"
#include "history/migrate.h"

int td_schema_latest(void)
{
    int v = 0;
    for (size_t i = 0; i < td_n_migrations; i++)
        if (td_migrations[i].version > v)
            v = td_migrations[i].version;
    return v;
}

const td_migration *td_migration_for(int v, const char *backend)
{
    const td_migration *shared = NULL;
    for (size_t i = 0; i < td_n_migrations; i++) {
        const td_migration *m = &td_migrations[i];
        if (m->version != v)
            continue;
        if (m->backend && strcmp(m->backend, backend) == 0)
            return m;
        if (!m->backend)
            shared = m;
    }
    return shared;
}

/* The same on both back ends: the one table every version has. */
static const char create_version_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied BIGINT NOT NULL)";
static const char current_sql[] = "SELECT MAX(version) FROM schema_version";
static const char record_sql[] = "INSERT INTO schema_version (version, name, applied) VALUES ($1, $2, $3)";

static int apply_pending(td_db *db)
{
    if (db->ops->migrate_lock_sql && td_db_script(db, db->ops->migrate_lock_sql) != 0)
        return -1;
    if (td_db_script(db, create_version_sql) != 0)
        return -1;
    int64_t cur = 0;
    if (td_db_int(db, current_sql, NULL, 0, &cur, NULL) != 0)
        return -1;
    int latest = td_schema_latest();
    if (cur > latest) {
        snprintf(db->err, sizeof db->err,
                 "the history database has schema version %lld, newer than this tlsdiag knows (%d): upgrade tlsdiag",
                 (long long)cur, latest);
        return -1;
    }
    for (int v = (int)cur + 1; v <= latest; v++) {
        const td_migration *m = td_migration_for(v, db->ops->name);
        if (!m) {
            snprintf(db->err, sizeof db->err, "schema migration %d is missing for %s", v, db->ops->name);
            return -1;
        }
        if (td_db_script(db, m->sql) != 0) {
            char why[sizeof db->err];
            memcpy(why, db->err, sizeof why);
            snprintf(db->err, sizeof db->err, "schema migration %04d_%s: %.400s", v, m->name, why);
            return -1;
        }
        td_dbv p[] = { td_dbv_int(v), td_dbv_text(m->name), td_dbv_int((int64_t)time(NULL)) };
        if (td_db_query(db, record_sql, p, 3, NULL, NULL) != 0)
            return -1;
    }
    return 0;
}

int td_migrate(td_db *db)
{
    if (td_db_script(db, db->ops->begin_sql) != 0)
        return -1;
    if (apply_pending(db) != 0) {
        td_db_rollback(db);
        return -1;
    }
    return td_db_script(db, "COMMIT");
}
