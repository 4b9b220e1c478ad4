package endpoints

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/testidp/testidp/issuer"
)

// directGrant serves the two grants without a prior authorization step,
// client_credentials (RFC 6749 §4.4) and password (§4.3). zitadel's op
// server has no password grant, and its client_credentials path costs more
// CPU per token than the budget allows (DESIGN.md: 1.2 × the raw signature;
// see BenchmarkClientCredentials), so both are handled here with the same
// client authentication as every other grant.
func (s *site) directGrant(w http.ResponseWriter, r *http.Request, grantType string) {
	cc, err := clientCredentials(r)
	if err != nil {
		s.writeOAuthError(w, r, err)
		return
	}
	c, err := s.authenticateClient(r.Context(), cc, r.Header, r.URL.Path)
	if err != nil {
		s.writeOAuthError(w, r, err)
		return
	}
	if !c.allowsGrant(grantType) {
		s.writeOAuthError(w, r, oauthErrf("unauthorized_client", "client %q may not use the %s grant", c.ID, grantType))
		return
	}
	var set tokenSet
	if grantType == GrantClientCredentials {
		set, err = s.clientCredentialsGrant(c, r)
	} else {
		set, err = s.passwordGrant(c, r)
	}
	if err == nil && len(set.records) > 0 {
		err = s.store.PutTokens(r.Context(), set.records...)
	}
	if err != nil {
		s.writeOAuthError(w, r, err)
		return
	}
	s.logIssued(r.Context(), grantType, c, &set)
	writeTokenResponse(w, set)
}

// clientCredentialsGrant issues an access token to the client itself (sub is
// the client id, RFC 9068 §2.2): no refresh token (RFC 6749 §4.4.3), no ID
// token. A JWT access token needs no database write; it gets a row only if it
// is revoked.
func (s *site) clientCredentialsGrant(c *client, r *http.Request) (tokenSet, error) {
	if c.public() {
		return tokenSet{}, invalidClient("client_credentials needs an authenticated client")
	}
	g := grant{ClientID: c.ID, Subject: c.ID, Scopes: strings.Fields(r.Form.Get("scope"))}
	return s.issue(r.Context(), c, g, issueOptions{})
}

// passwordGrant checks the resource owner's credentials. The username is a
// configured user's sub, preferred_username or email.
func (s *site) passwordGrant(c *client, r *http.Request) (tokenSet, error) {
	username, password := r.Form.Get("username"), r.Form.Get("password")
	if username == "" || password == "" {
		return tokenSet{}, oauthErr("invalid_request", "username and password are required")
	}
	u := s.userByLogin(username)
	if u == nil || u.Password == "" || subtle.ConstantTimeCompare([]byte(password), []byte(u.Password)) != 1 {
		return tokenSet{}, oauthErr("invalid_grant", "wrong username or password")
	}
	g := grant{ID: issuer.NewID(), ClientID: c.ID, Subject: u.Sub, Scopes: strings.Fields(r.Form.Get("scope")),
		Claims: u.Claims, AuthTime: s.now(), AMR: []string{"pwd"}}
	return s.issue(r.Context(), c, g, issueOptions{idToken: true, refresh: c.allowsGrant(GrantRefreshToken)})
}

// userByLogin finds a configured user by sub, preferred_username or email.
func (s *site) userByLogin(login string) *User {
	if u, ok := s.usersBySub[login]; ok {
		return u
	}
	for i := range s.users {
		u := &s.users[i]
		if u.Claims["preferred_username"] == login || u.Claims["email"] == login {
			return u
		}
	}
	return nil
}

// clientCredentials reads client authentication from the form and the Basic
// header (which wins), URL-decoding Basic values (RFC 6749 §2.3.1), as
// zitadel's op server does for the other grants.
func clientCredentials(r *http.Request) (*op.ClientCredentials, error) {
	cc := &op.ClientCredentials{
		ClientID: r.Form.Get("client_id"), ClientSecret: r.Form.Get("client_secret"),
		ClientAssertion: r.Form.Get("client_assertion"), ClientAssertionType: r.Form.Get("client_assertion_type"),
	}
	if id, secret, ok := r.BasicAuth(); ok {
		var err1, err2 error
		cc.ClientID, err1 = url.QueryUnescape(id)
		cc.ClientSecret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return nil, invalidClient("malformed Basic credentials")
		}
	}
	if cc.ClientID == "" && cc.ClientAssertion == "" {
		return nil, oauthErr("invalid_request", "client_id or client_assertion must be provided")
	}
	if cc.ClientAssertion != "" && cc.ClientAssertionType != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		return nil, oauthErrf("invalid_request", "unsupported client_assertion_type %q", cc.ClientAssertionType)
	}
	return cc, nil
}

// writeTokenResponse writes a token response (RFC 6749 §5.1) outside
// zitadel's server; the same JSON as newTokenResponse, built without
// reflection because it is on the hot path.
func writeTokenResponse(w http.ResponseWriter, set tokenSet) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Cache-Control"] = []string{"no-store"}
	h["Pragma"] = []string{"no-cache"}
	b := make([]byte, 0, 96+len(set.AccessToken)+len(set.RefreshToken)+len(set.IDToken)+len(set.Scope))
	b = appendJSONString(append(b, `{"access_token":`...), set.AccessToken)
	b = strconv.AppendInt(append(b, `,"token_type":"Bearer","expires_in":`...), set.ExpiresIn, 10)
	if set.RefreshToken != "" {
		b = appendJSONString(append(b, `,"refresh_token":`...), set.RefreshToken)
	}
	if set.IDToken != "" {
		b = appendJSONString(append(b, `,"id_token":`...), set.IDToken)
	}
	if set.Scope != "" {
		b = appendJSONString(append(b, `,"scope":`...), set.Scope)
	}
	_, _ = w.Write(append(b, '}'))
}
