package oidctest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"

	"github.com/testidp/testidp/endpoints"
)

// Tokens are what a token endpoint returned.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	Scope        string `json:"scope"`
}

// Login runs the authorization code flow with PKCE over HTTP, as a browser
// and the client would, and returns the tokens: the user logs in without a
// page (or through the login form with WithLoginForm), the client redeems
// the code with its secret. ForClient, ForUser, WithScopes, WithNonce and
// AtIssuer apply; the options that shape minted tokens fail the test.
func (s *Server) Login(opts ...TokenOption) Tokens {
	s.t.Helper()
	r := newTokenRequest(opts)
	s.flowOnly("Login", r)
	ic := s.issuerConfig(r.Issuer)
	c := s.pickClient(ic, r.Client, endpoints.GrantAuthorizationCode)
	doc := s.discovery(r.Issuer)
	redirect := redirectFor(c)
	verifier := randomString()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {redirect}, "state": {randomString()},
		"scope":          {strings.Join(orScopes(r.Scopes), " ")},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	if r.Subject != "" {
		q.Set("login_hint", r.Subject)
	}
	if r.Nonce != "" {
		q.Set("nonce", r.Nonce)
	}
	code := s.authorize(doc.AuthorizationEndpoint+"?"+q.Encode(), r.Subject, ic)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
	return s.token(doc.TokenEndpoint, c, form)
}

// ClientCredentials gets an access token with the client credentials grant
// (RFC 6749 §4.4) over HTTP; ForClient (default: the issuer's first client
// that may use the grant, service), WithScopes and AtIssuer apply.
func (s *Server) ClientCredentials(opts ...TokenOption) string {
	s.t.Helper()
	r := newTokenRequest(opts)
	s.flowOnly("ClientCredentials", r)
	ic := s.issuerConfig(r.Issuer)
	c := s.pickClient(ic, r.Client, endpoints.GrantClientCredentials)
	form := url.Values{"grant_type": {"client_credentials"}}
	if r.Scopes != nil {
		form.Set("scope", strings.Join(r.Scopes, " "))
	}
	return s.token(s.discovery(r.Issuer).TokenEndpoint, c, form).AccessToken
}

// flowOnly fails the test when a minting option was given to a flow.
func (s *Server) flowOnly(call string, r tokenRequest) {
	s.t.Helper()
	if len(r.shaped) > 0 {
		s.t.Fatalf("oidctest: %s: %v only apply to MintIDToken and MintAccessToken", call, r.shaped)
	}
}

// issuerConfig finds the configuration of the issuer at path.
func (s *Server) issuerConfig(path string) endpoints.IssuerConfig {
	s.t.Helper()
	cfg := s.p.Config()
	want := strings.TrimSuffix(path, "/")
	if want == "" || want == strings.TrimSuffix(strings.TrimPrefix(cfg.Issuer, s.URL), "/") {
		return endpoints.IssuerConfig{URL: cfg.Issuer, Login: cfg.Login, Clients: cfg.Clients, Users: cfg.Users}
	}
	for _, ic := range cfg.Issuers {
		if ic.Path == want {
			return ic
		}
	}
	s.t.Fatalf("oidctest: no issuer at path %q", path)
	return endpoints.IssuerConfig{}
}

// pickClient returns the named client, or the first one allowed the grant.
func (s *Server) pickClient(ic endpoints.IssuerConfig, id, grant string) endpoints.Client {
	s.t.Helper()
	for _, c := range ic.Clients {
		if c.ID == id || (id == "" && slices.Contains(c.GrantTypes, grant)) {
			return c
		}
	}
	s.t.Fatalf("oidctest: issuer %s has no client %q that may use %s", ic.URL, id, grant)
	return endpoints.Client{}
}

// redirectFor picks a redirect URI the client accepts: a loopback one
// matches on any port.
func redirectFor(c endpoints.Client) string {
	for _, u := range c.RedirectURIs {
		if strings.HasSuffix(u, "/*") {
			return strings.TrimSuffix(u, "*") + "oidctest/callback"
		}
	}
	if len(c.RedirectURIs) > 0 {
		return c.RedirectURIs[0]
	}
	return "http://127.0.0.1/oidctest/callback"
}

// metadata is what the flows read from discovery.
type metadata struct {
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
}

func (s *Server) discovery(path string) metadata {
	s.t.Helper()
	var m metadata
	iss := strings.TrimSuffix(s.IssuerURL(path), "/")
	if err := s.getJSON(iss+"/.well-known/openid-configuration", &m); err != nil {
		s.t.Fatalf("oidctest: discovery of %s: %v", iss, err)
	}
	return m
}

func (s *Server) getJSON(u string, v any) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// authorize follows an authorization request like a browser, approving the
// login page when there is one, and returns the code.
func (s *Server) authorize(authURL, sub string, ic endpoints.IssuerConfig) string {
	s.t.Helper()
	browser := s.Client()
	resp, err := browser.Get(authURL)
	if err == nil && resp.StatusCode == http.StatusOK && strings.HasSuffix(resp.Request.URL.Path, "/login") {
		resp.Body.Close()
		if sub == "" && len(ic.Users) > 0 {
			sub = ic.Users[0].Sub
		}
		page := *resp.Request.URL
		form := url.Values{"id": {page.Query().Get("id")}, "action": {"approve"}, "subject": {sub}}
		page.RawQuery = ""
		resp, err = browser.PostForm(page.String(), form)
	}
	if err != nil {
		s.t.Fatalf("oidctest: authorize: %v", err)
	}
	defer resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc == nil || loc.Query().Get("code") == "" {
		body, _ := io.ReadAll(resp.Body)
		s.t.Fatalf("oidctest: authorize: no code (status %d, Location %q): %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return loc.Query().Get("code")
}

// token posts a token request with the client's authentication.
func (s *Server) token(endpoint string, c endpoints.Client, form url.Values) Tokens {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint, nil)
	if c.Secret != "" {
		req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	} else {
		form.Set("client_id", c.ID)
	}
	req.Body = io.NopCloser(strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("oidctest: token request: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var tok Tokens
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &tok) != nil {
		s.t.Fatalf("oidctest: token request for %s: %d %s", c.ID, resp.StatusCode, body)
	}
	return tok
}

// newBrowser is an HTTP client with a cookie jar that follows redirects
// within host and stops at the first that leaves it.
func newBrowser(host string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != host || len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

func orScopes(s []string) []string {
	if s == nil {
		return []string{"openid", "profile", "email"}
	}
	return s
}

func randomString() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
