package endpoints

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// introspection is the RFC 7662 §2.2 response.
type introspection struct {
	Active    bool     `json:"active"`
	Scope     string   `json:"scope,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	TokenType string   `json:"token_type,omitempty"`
	Exp       int64    `json:"exp,omitempty"`
	Iat       int64    `json:"iat,omitempty"`
	Sub       string   `json:"sub,omitempty"`
	Aud       []string `json:"aud,omitempty"`
	Iss       string   `json:"iss,omitempty"`
	JTI       string   `json:"jti,omitempty"`
	Username  string   `json:"username,omitempty"`
}

// Introspect tells an authenticated client whether an access or refresh
// token is active (RFC 7662). Anything unknown, expired or revoked is
// {"active": false}.
func (o *opServer) Introspect(ctx context.Context, r *op.Request[op.IntrospectionRequest]) (*op.Response, error) {
	s := o.s
	if _, err := s.authenticateClient(ctx, r.Data.ClientCredentials, r.Header, r.URL.Path); err != nil {
		return nil, err
	}
	token := r.Data.IntrospectionRequest.Token
	if info, err := s.accessToken(ctx, token); err == nil {
		return op.NewResponse(introspection{Active: true, Scope: strings.Join(info.Scopes, " "), ClientID: info.ClientID,
			TokenType: "Bearer", Exp: info.ExpiresAt.Unix(), Iat: info.IssuedAt.Unix(), Sub: info.Subject,
			Aud: info.Audience, Iss: s.iss.URL, JTI: jtiOf(token, info), Username: username(info.Claims)}), nil
	}
	rec, err := s.store.Token(ctx, s.key, hashValue(token))
	if err != nil || rec.Kind != kindRefresh || !rec.RevokedAt.IsZero() || !rec.RotatedAt.IsZero() {
		return op.NewResponse(introspection{Active: false}), nil
	}
	var g grant
	_ = json.Unmarshal(rec.Data, &g)
	return op.NewResponse(introspection{Active: true, Scope: strings.Join(g.Scopes, " "), ClientID: rec.ClientID,
		TokenType: "refresh_token", Exp: rec.ExpiresAt.Unix(), Iat: rec.IssuedAt.Unix(), Sub: rec.Subject,
		Iss: s.iss.URL, Username: username(g.Claims)}), nil
}

func jtiOf(raw string, info *accessInfo) string {
	if looksLikeJWT(raw) {
		return info.ID
	}
	return ""
}

func username(claims map[string]any) string {
	u, _ := claims["preferred_username"].(string)
	return u
}
