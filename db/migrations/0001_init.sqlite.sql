-- The history of runs and of what each target showed (its findings, the
-- chain it served and the clients that could not connect: 0002).  Times are
-- unix seconds (UTC).  The PostgreSQL twin is 0001_init.postgresql.sql: only
-- the generated keys differ.
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started BIGINT NOT NULL,
    finished BIGINT,                 -- NULL while running, or after a crash
    command TEXT NOT NULL,
    shard TEXT,                      -- "I/N" for one shard of a scan
    version TEXT NOT NULL,           -- the tlsdiag that wrote the run
    targets INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE targets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    checked BIGINT NOT NULL,
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    address TEXT NOT NULL,           -- '' when no address was reached
    sni TEXT,
    verdict TEXT NOT NULL,           -- ok, warn, fail
    root_cause TEXT,                 -- a finding ID, NULL when none
    root_summary TEXT
);
CREATE INDEX targets_run ON targets (run_id);
CREATE INDEX targets_key ON targets (host, port, address, run_id);
