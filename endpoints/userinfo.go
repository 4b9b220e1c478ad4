package endpoints

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/testidp/testidp/issuer"
)

// UserInfo returns the claims of the user an access token was issued for
// (OpenID Connect Core §5.3): sub, then the claims its scopes release. Bad
// tokens get 401 invalid_token, tokens without the openid scope 403
// insufficient_scope (RFC 6750 §3.1).
func (o *opServer) UserInfo(ctx context.Context, r *op.Request[oidc.UserInfoRequest]) (*op.Response, error) {
	s := o.s
	info, err := s.accessToken(ctx, r.Data.AccessToken)
	if err != nil {
		return nil, withStatus(oauthErr("invalid_token", "the access token is invalid, expired or revoked"), http.StatusUnauthorized)
	}
	if !slices.Contains(info.Scopes, "openid") {
		return nil, withStatus(oauthErr("insufficient_scope", "the access token was not issued with the openid scope"), http.StatusForbidden)
	}
	if body, ok := s.faultyUserinfo(ctx, info); ok {
		return op.NewResponse(json.RawMessage(body)), nil
	}
	var out issuer.Claims
	out.SetString("sub", info.Subject)
	if err := out.Merge(issuer.ScopedClaims(info.Scopes, info.Claims)); err != nil {
		return nil, err
	}
	resp := op.NewResponse(out)
	resp.Header.Set("Cache-Control", "no-store")
	return resp, nil
}

// faultyUserinfo is the UserInfo answer of a grant broken with
// userinfo-sub-mismatch: the case's own response, whose sub differs from the
// ID token's (OpenID Connect Core §5.3.2).
func (s *site) faultyUserinfo(ctx context.Context, info *accessInfo) ([]byte, bool) {
	c, ok := s.client(info.ClientID)
	if !ok {
		return nil, false
	}
	ref := info.Fault
	if ref == "" {
		ref = c.Fault
	}
	if ref == "" || !strings.HasPrefix(ref, "userinfo-sub-mismatch") {
		return nil, false
	}
	spec := issuer.IDToken{ClientID: c.ID, Subject: info.Subject, Alg: c.idAlg, Secret: c.Secret,
		TTL: c.Lifetimes.IDToken, Claims: issuer.ScopedClaims(info.Scopes, info.Claims)}
	f, _, _, err := s.forge(s.faultEnv(ctx, c, spec), ref)
	if err != nil || f.Last().Userinfo == nil {
		return nil, false
	}
	return f.Last().Userinfo, true
}

// serveUserinfo adds the WWW-Authenticate challenge RFC 6750 §3 requires on
// 401 before handing the request to the op server.
func (s *site) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	if s.failures.inject(w, r, "userinfo") {
		return
	}
	hasToken := r.Header.Get("Authorization") != "" || r.Form.Get("access_token") != ""
	w = &onUnauthorized{ResponseWriter: w, set: func(h http.Header) {
		if hasToken {
			h.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		} else {
			h.Set("WWW-Authenticate", `Bearer`)
		}
	}}
	s.op.ServeHTTP(w, r)
}
