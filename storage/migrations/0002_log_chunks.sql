-- The issued-token log is stored in chunks: one row holds the entries that
-- one write of the background log writer appended for one issuer, encoded by
-- logchunk.go. A busy token endpoint then pays one row per batch instead of
-- one per token (a row costs several microseconds, as much as a signature).
-- The per-entry table of 0001 was never written by a release; it goes.
DROP TRIGGER log_count_insert;
DROP TRIGGER log_count_delete;
DROP TABLE log;
DROP TABLE log_counts;

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
