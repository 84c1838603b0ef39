/* Schema migrations, versioned in db/migrations/ and compiled into the
 * library (scripts/embed-migrations.sh). */
#ifndef TD_HISTORY_MIGRATE_H
#define TD_HISTORY_MIGRATE_H

#include <stddef.h>

typedef struct td_migration {
    int version;         /* 1, 2, ...: the NNNN of its file name */
    const char *name;
    const char *backend; /* "sqlite", "postgresql", or NULL for both */
    const char *sql;
} td_migration;

extern const td_migration td_migrations[];
extern const size_t td_n_migrations;

struct td_db;
/* The newest schema version this library knows. */
int td_schema_latest(void);
/* The migration of version v for a back end, or NULL. */
const td_migration *td_migration_for(int v, const char *backend);
/* Creates schema_version when missing and applies, in order and in one
 * transaction, every migration newer than the database's version.  A
 * database newer than the library is refused: 0, or -1 with db->err. */
int td_migrate(struct td_db *db);

#endif
