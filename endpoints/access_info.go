package endpoints

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/testidp/testidp/storage"
)

// accessInfo is what an access token stands for.
type accessInfo struct {
	ID        string // jti or hash of an opaque value
	ClientID  string
	Subject   string
	Scopes    []string
	Claims    map[string]any
	Audience  []string
	IssuedAt  time.Time
	ExpiresAt time.Time
	Fault     string // the grant's fault, if any
	record    bool   // a storage row exists
}

// errInactive: the token is unknown, expired, revoked or not ours.
var errInactive = errors.New("endpoints: token is not active")

// accessToken resolves an access token presented by a client: a JWT signed
// by this issuer with typ at+jwt (so an ID token is not accepted as an access
// token), or an opaque value known to the database. Revoked tokens, and
// tokens whose grant was revoked, are inactive.
func (s *site) accessToken(ctx context.Context, raw string) (*accessInfo, error) {
	if looksLikeJWT(raw) {
		return s.jwtAccessToken(ctx, raw)
	}
	rec, err := s.store.Token(ctx, s.key, hashValue(raw))
	if err != nil || rec.Kind != kindAccess || !rec.RevokedAt.IsZero() {
		return nil, errInactive
	}
	info := &accessInfo{ID: rec.ID, ClientID: rec.ClientID, Subject: rec.Subject, IssuedAt: rec.IssuedAt, ExpiresAt: rec.ExpiresAt, record: true}
	return info, fillFromGrant(info, rec.Data)
}

func (s *site) jwtAccessToken(ctx context.Context, raw string) (*accessInfo, error) {
	tok, err := s.verifyOwn(raw, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errInactive, err)
	}
	if !strings.EqualFold(tok.Typ, "at+jwt") {
		return nil, fmt.Errorf("%w: typ %q is not at+jwt", errInactive, tok.Typ)
	}
	c := tok.Claims
	info := &accessInfo{ID: c.ID, Subject: c.Subject, Audience: c.Audience}
	info.ClientID, _ = tok.Extra["client_id"].(string)
	if scope, ok := tok.Extra["scope"].(string); ok {
		info.Scopes = strings.Fields(scope)
	}
	if c.IssuedAt != nil {
		info.IssuedAt = c.IssuedAt.Time()
	}
	info.ExpiresAt = c.Expiry.Time()
	rec, err := s.store.Token(ctx, s.key, c.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		if u, ok := s.usersBySub[info.Subject]; ok {
			info.Claims = u.Claims
		}
		return info, nil
	case err != nil:
		return nil, err
	case !rec.RevokedAt.IsZero():
		return nil, fmt.Errorf("%w: revoked", errInactive)
	}
	info.record = true
	return info, fillFromGrant(info, rec.Data)
}

// fillFromGrant takes scopes and user claims from the stored grant.
func fillFromGrant(info *accessInfo, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	var g grant
	if err := json.Unmarshal(data, &g); err != nil {
		return err
	}
	info.Scopes, info.Claims, info.Fault = g.Scopes, g.Claims, g.Fault
	return nil
}
