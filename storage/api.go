package storage

import (
	"context"
	"time"
)

// This file declares the record types and method set of Store. The
// implementation lives in the files named after each table.

// Options configure Open.
type Options struct {
	// Now is the clock used for every expiry decision. Defaults to time.Now.
	Now func() time.Time
	// BusyTimeout is how long SQLite waits on a lock held by another
	// process before failing. Defaults to 5s.
	BusyTimeout time.Duration
	// LogCap caps the issued-token log per issuer (oldest entries are
	// dropped). Defaults to 10000.
	LogCap int
}

// KeyRecord is one signing key of an issuer's key ring.
type KeyRecord struct {
	Issuer      string
	ID          string // kid
	Alg         string
	State       string // "next", "active" or "retired"
	Private     []byte // PKCS#8 DER
	CreatedAt   time.Time
	ActivatedAt time.Time // when the key signs from (planned, for a next key); zero = not planned
	RetiredAt   time.Time // zero until replaced
	RemoveAt    time.Time // zero = kept; after it the key is no longer published
}

// AuthRequest is a pending authorization request (between /authorize and the
// login decision). Data is the caller's JSON encoding of the request.
type AuthRequest struct {
	Issuer    string
	ID        string
	Data      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Code is an issued authorization code. Hash is the caller's hash of the
// code value (the value itself is never stored). GrantID names the grant the
// code starts; tokens issued from the code carry the same GrantID.
type Code struct {
	Issuer    string
	Hash      string
	GrantID   string
	ClientID  string
	Data      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Token is an issued access or refresh token. ID is the JWT "jti" for JWT
// access tokens, or the caller's hash of the value for opaque ones.
type Token struct {
	Issuer    string
	ID        string
	Kind      string // "access_token" or "refresh_token"
	GrantID   string // empty for tokens outside a grant (client_credentials)
	ClientID  string
	Subject   string
	Data      []byte
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Set by the store when read:
	RevokedAt time.Time // zero unless this token or its grant was revoked
	RotatedAt time.Time // refresh tokens: zero unless exchanged
}

// Session is a browser login session at one issuer.
type Session struct {
	Issuer    string
	ID        string
	Subject   string
	Data      []byte
	AuthTime  time.Time
	ExpiresAt time.Time
}

// LogEntry is one line of the issued-token log.
type LogEntry struct {
	Issuer   string
	Seq      int64 // assigned by the store, increasing
	Kind     string
	ClientID string
	Subject  string
	TokenID  string
	Data     []byte // the caller's JSON summary (header, claims, fault…)
	IssuedAt time.Time
}

// Compile-time list of the Store method set, kept here as the one place that
// shows the whole API.
var _ interface {
	Close() error

	Keys(ctx context.Context, issuer string) ([]KeyRecord, error)
	ReplaceKeys(ctx context.Context, issuer string, ring []KeyRecord) error
	UpdateKeys(ctx context.Context, issuer string, fn func(ring []KeyRecord) ([]KeyRecord, error)) error

	PutAuthRequest(ctx context.Context, r AuthRequest) error
	AuthRequest(ctx context.Context, issuer, id string) (AuthRequest, error)
	TakeAuthRequest(ctx context.Context, issuer, id string) (AuthRequest, error)

	PutCode(ctx context.Context, c Code) error
	ConsumeCode(ctx context.Context, issuer, hash string) (Code, error)

	PutTokens(ctx context.Context, toks ...Token) error
	Token(ctx context.Context, issuer, id string) (Token, error)
	RotateRefresh(ctx context.Context, issuer, oldID string, next ...Token) (Token, error)
	RevokeToken(ctx context.Context, issuer, id string) error
	RevokeGrant(ctx context.Context, issuer, grantID string) error

	PutSession(ctx context.Context, s Session) error
	Session(ctx context.Context, issuer, id string) (Session, error)
	DeleteSession(ctx context.Context, issuer, id string) error

	AppendLog(e LogEntry)
	Log(ctx context.Context, issuer string, limit int) ([]LogEntry, error)

	PurgeExpired(ctx context.Context) error
} = (*Store)(nil)
