-- What a target showed, beside its verdict: every finding, the certificates
-- it served, the clients that fail.  The same SQL for both databases.
CREATE TABLE findings (
    target_id BIGINT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    finding TEXT NOT NULL,
    severity TEXT NOT NULL,
    client TEXT,
    summary TEXT NOT NULL,
    PRIMARY KEY (target_id, seq)
);

CREATE TABLE certificates (
    target_id BIGINT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    depth INTEGER NOT NULL,
    subject TEXT,
    issuer TEXT,
    serial TEXT,
    sha256 TEXT NOT NULL,
    not_after BIGINT,
    PRIMARY KEY (target_id, depth)
);

CREATE TABLE client_failures (
    target_id BIGINT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    client TEXT NOT NULL,
    step TEXT,
    reason_code TEXT,
    below_level INTEGER NOT NULL,    -- 1: below --clients, expected to fail
    PRIMARY KEY (target_id, client)
);
