-- The history of runs: what each target showed, its findings, the chain it
-- served and the clients that could not connect.  Times are unix seconds
-- (UTC).  The PostgreSQL twin is 0001_init.postgresql.sql: only the
-- generated keys differ.
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

CREATE TABLE findings (
    target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    finding TEXT NOT NULL,
    severity TEXT NOT NULL,
    client TEXT,
    summary TEXT NOT NULL,
    PRIMARY KEY (target_id, seq)
);

CREATE TABLE certificates (
    target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    depth INTEGER NOT NULL,
    subject TEXT,
    issuer TEXT,
    serial TEXT,
    sha256 TEXT NOT NULL,
    not_after BIGINT,
    PRIMARY KEY (target_id, depth)
);

CREATE TABLE client_failures (
    target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    client TEXT NOT NULL,
    step TEXT,
    reason_code TEXT,
    below_level INTEGER NOT NULL,    -- 1: below --clients, expected to fail
    PRIMARY KEY (target_id, client)
);
