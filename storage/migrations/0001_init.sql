-- 0001_init: the initial schema.
--
-- Every table is keyed by (issuer, id) so that several issuers share one
-- database. Times are INTEGER unix nanoseconds; 0 means unset (the zero
-- time.Time). Opaque payloads supplied by callers are BLOBs named data.

CREATE TABLE keys (
    issuer       TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    alg          TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    private      BLOB,
    created_at   INTEGER NOT NULL,
    activated_at INTEGER NOT NULL DEFAULT 0,
    retired_at   INTEGER NOT NULL DEFAULT 0,
    remove_at    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (issuer, id)
) WITHOUT ROWID;

CREATE TABLE auth_requests (
    issuer     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    data       BLOB,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, id)
) WITHOUT ROWID;
CREATE INDEX auth_requests_expires ON auth_requests (expires_at);

-- A grant is started by a code (or by the first tokens that name it) and
-- revoked as a whole on code replay, refresh-token reuse or RevokeGrant.
CREATE TABLE grants (
    issuer     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    revoked_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, id)
) WITHOUT ROWID;

CREATE TABLE codes (
    issuer     TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    grant_id   TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    data       BLOB,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (issuer, hash),
    FOREIGN KEY (issuer, grant_id) REFERENCES grants (issuer, id)
) WITHOUT ROWID;
CREATE INDEX codes_grant ON codes (issuer, grant_id);
CREATE INDEX codes_expires ON codes (expires_at);

-- grant_id is NULL for tokens outside a grant (client_credentials).
CREATE TABLE tokens (
    issuer     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    grant_id   TEXT,
    client_id  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    data       BLOB,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL DEFAULT 0,
    rotated_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (issuer, id),
    FOREIGN KEY (issuer, grant_id) REFERENCES grants (issuer, id)
) WITHOUT ROWID;
CREATE INDEX tokens_grant ON tokens (issuer, grant_id);
CREATE INDEX tokens_expires ON tokens (expires_at);

CREATE TABLE sessions (
    issuer     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    data       BLOB,
    auth_time  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, id)
) WITHOUT ROWID;
CREATE INDEX sessions_expires ON sessions (expires_at);

-- The issued-token log is stored in chunks: one row holds the entries that
-- one write of the background log writer appended for one issuer, encoded by
-- logchunk.go. A busy token endpoint then pays one row per batch instead of
-- one per token (a row costs several microseconds, as much as a signature).
-- seq is global and never reused (AUTOINCREMENT); an entry's sequence number
-- is seq * 8192 + its index in the chunk.
CREATE TABLE log_chunks (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer  TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    entries BLOB    NOT NULL
);
CREATE INDEX log_chunks_issuer_seq ON log_chunks (issuer, seq);

-- Entries per issuer, kept by triggers so that trimming to the cap costs an
-- index lookup, whichever process writes.
CREATE TABLE log_counts (
    issuer TEXT    NOT NULL PRIMARY KEY,
    n      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER log_count_insert AFTER INSERT ON log_chunks BEGIN
    INSERT INTO log_counts (issuer, n) VALUES (NEW.issuer, NEW.n)
        ON CONFLICT (issuer) DO UPDATE SET n = n + NEW.n;
END;

CREATE TRIGGER log_count_delete AFTER DELETE ON log_chunks BEGIN
    UPDATE log_counts SET n = n - OLD.n WHERE issuer = OLD.issuer;
END;
