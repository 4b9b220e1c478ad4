package storage

import "errors"

// Sentinel errors returned by Store methods. Callers compare with errors.Is.
var (
	// ErrNotFound: no such row for this issuer, or it expired by the store's clock.
	ErrNotFound = errors.New("storage: not found")
	// ErrUsed: a single-use code was presented again. The grant it started has
	// been revoked in the same transaction.
	ErrUsed = errors.New("storage: already used")
	// ErrRotated: a refresh token that was already exchanged was presented
	// again. The grant it belongs to has been revoked in the same transaction.
	ErrRotated = errors.New("storage: refresh token already rotated")
	// ErrRevoked: the token, or the grant it belongs to, was revoked.
	ErrRevoked = errors.New("storage: revoked")
)

// Internal errors.
var (
	// errClosed: the store was closed (AppendLog, Flush and Log after Close).
	errClosed = errors.New("storage: store is closed")
	// errBadChunk: a stored log chunk does not decode.
	errBadChunk = errors.New("storage: malformed log chunk")
	// errRingChanged: the key ring changed between UpdateKeys' read and its
	// write transaction.
	errRingChanged = errors.New("storage: key ring changed concurrently")
)
