package endpoints

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/storage"
)

// Every token issued is recorded in the issued-token log (storage's
// AppendLog: queued, written in the background, capped per issuer), which
// the testing API serves at {issuer}/_testidp/tokens; and logged at info
// level with its kind, client, subject, algorithm, key id and grant type.
// Each refusal at the token endpoint is logged too (the grant type, client
// and OAuth error code). Token values, codes and secrets are never logged.

// mintedToken is what the logs say of one issued token; alg and kid are
// empty for opaque tokens. id is the JWT's jti, or the storage hash of an
// opaque value (hashValue; for a JWT without jti, of the whole token).
type mintedToken struct {
	kind  string
	alg   string
	kid   string
	id    string
	exp   time.Time
	fault string // the fault case the token carries, if any
}

func mintedOf(t issuer.Token) mintedToken {
	id := t.ID
	if id == "" {
		id = hashValue(t.Raw)
	}
	return mintedToken{kind: string(t.Kind), alg: string(t.Alg), kid: t.KeyID, id: id, exp: t.ExpiresAt}
}

// Grant types in the log beside the token endpoint's: tokens sent from the
// authorization endpoint (implicit and hybrid flows).
const grantFrontChannel = "implicit"

// logIssued records every token of a set the client is about to receive.
func (s *site) logIssued(ctx context.Context, grantType string, c *client, set *tokenSet) {
	now := s.now()
	for _, m := range set.minted {
		s.store.AppendLog(storage.LogEntry{Issuer: s.key, Kind: m.kind, ClientID: c.ID, Subject: set.subject,
			TokenID: m.id, Data: logSummary(grantType, m.alg, m.kid, m.exp, m.fault), IssuedAt: now})
	}
	if !s.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	for _, m := range set.minted {
		attrs := make([]slog.Attr, 0, 7)
		attrs = append(attrs, slog.String("grant_type", grantType),
			slog.String("kind", m.kind), slog.String("client_id", c.ID), slog.String("sub", set.subject))
		if m.alg != "" {
			attrs = append(attrs, slog.String("alg", m.alg), slog.String("kid", m.kid))
		}
		if m.fault != "" {
			attrs = append(attrs, slog.String("fault", m.fault))
		}
		logAttrs(ctx, s.tokenLog, slog.LevelInfo, "token issued", attrs...)
	}
}

// tokenSummary is the Data of an issued-token log entry.
type tokenSummary struct {
	GrantType string `json:"grant_type,omitempty"`
	Alg       string `json:"alg,omitempty"`
	KeyID     string `json:"kid,omitempty"`
	ExpiresAt int64  `json:"exp,omitempty"` // unix seconds
	Fault     string `json:"fault,omitempty"`
}

// logSummary encodes a tokenSummary by hand: it is on the token endpoint's
// path, where encoding/json's reflection would cost a tenth of an EdDSA
// signature.
func logSummary(grantType, alg, kid string, exp time.Time, fault string) []byte {
	b := make([]byte, 0, 48+len(grantType)+len(alg)+len(kid)+len(fault))
	b = append(b, '{')
	b = appendMember(b, "grant_type", grantType)
	b = appendMember(b, "alg", alg)
	b = appendMember(b, "kid", kid)
	if !exp.IsZero() {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(append(b, `"exp":`...), exp.Unix(), 10)
	}
	b = appendMember(b, "fault", fault)
	return append(b, '}')
}

// appendMember appends "name":"value" to an object being written, unless
// value is empty.
func appendMember(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = append(append(append(b, '"'), name...), `":`...)
	return appendJSONString(b, value)
}

// logRefusals wraps the token endpoint: a response with an OAuth error is
// logged as "token refused" with its error code and description.
func (s *site) logRefusals(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lw := recordOf(w)
		next(w, r)
		if lw == nil || lw.status() < 400 {
			return
		}
		code, desc := lw.oauthError()
		logAttrs(r.Context(), s.tokenLog, slog.LevelInfo, "token refused",
			slog.String("grant_type", postFormValue(r, "grant_type")),
			slog.String("client_id", requestClientID(r)), slog.Int("status", lw.status()),
			slog.String("error", code), slog.String("error_description", desc))
	}
}

// postFormValue reads a parsed body parameter without parsing the body
// again.
func postFormValue(r *http.Request, name string) string {
	if r.PostForm == nil {
		return ""
	}
	return r.PostForm.Get(name)
}
