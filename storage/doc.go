// Package storage persists testidp's state in SQLite (modernc.org/sqlite, pure
// Go, so the binary stays static).
//
// It owns the database file and its schema: keys, auth requests, codes,
// grants, refresh and access tokens, sessions, and the capped issued-token
// log. Every row is scoped by an issuer identifier so that several issuers
// can share one database. Migrations are embedded and applied on Open.
//
// Storage knows nothing about OAuth: callers hand it opaque JSON payloads
// (Data fields) and the few indexed columns it needs to enforce the rules that
// must be atomic — single-use codes, refresh-token rotation, grant revocation
// and expiry by the injected clock (a row is expired when now >= ExpiresAt).
// Path ":memory:" gives an ephemeral database; anything else is a file opened
// in WAL mode with a busy timeout, so that another process (the CLI) may use
// it at the same time. A Store uses one connection, so its own calls are
// serialised.
//
// The issued-token log is written by a background goroutine: AppendLog only
// queues the entry, Log waits for what was queued before it, and Close
// flushes the queue. The writer gathers entries for up to 100 ms and stores
// each issuer's share as one row (a chunk), so that logging every token
// costs well under a microsecond; the log keeps each issuer's newest LogCap
// entries.
package storage
