package oidctest

import (
	"time"

	"github.com/testidp/testidp/endpoints"
)

// TokenOption chooses what MintIDToken, MintAccessToken, Login and
// ClientCredentials ask for.
type TokenOption func(*tokenRequest)

// tokenRequest is a Mint plus what only the flows use.
type tokenRequest struct {
	endpoints.Mint
	shaped []string // names of the options that only minting can honour
}

// AtIssuer asks the issuer at path (see WithIssuer); default the default
// issuer.
func AtIssuer(path string) TokenOption {
	return func(r *tokenRequest) { r.Issuer = path }
}

// ForClient asks for a token of client id; default the issuer's first
// client (web) for ID tokens and logins, the first client_credentials
// client (service) for ClientCredentials.
func ForClient(id string) TokenOption {
	return func(r *tokenRequest) { r.Client = id }
}

// ForUser asks for a token of the user with this sub; default the issuer's
// first user (alice). A sub that is not configured gets a token without the
// user's claims.
func ForUser(sub string) TokenOption {
	return func(r *tokenRequest) { r.Subject = sub }
}

// WithScopes sets the scopes: they release the user's standard claims and
// are the access token's "scope". Default: openid profile email.
func WithScopes(scopes ...string) TokenOption {
	return func(r *tokenRequest) { r.Scopes = scopes }
}

// WithNonce puts a nonce in the ID token.
func WithNonce(nonce string) TokenOption {
	return func(r *tokenRequest) { r.Nonce = nonce }
}

// WithClaims adds claims over the user's and the client's (minting only).
// The protocol claims (iss, sub, aud, exp, iat…) cannot be set this way.
func WithClaims(claims map[string]any) TokenOption {
	return func(r *tokenRequest) {
		r.Claims = claims
		r.shaped = append(r.shaped, "WithClaims")
	}
}

// WithAudience replaces the audience (minting only).
func WithAudience(aud ...string) TokenOption {
	return func(r *tokenRequest) {
		r.Audience = aud
		r.shaped = append(r.shaped, "WithAudience")
	}
}

// WithExpiry makes the token expire d after it is issued, instead of the
// client's lifetime; zero or a negative d gives a token that has already
// expired (minting only).
func WithExpiry(d time.Duration) TokenOption {
	return func(r *tokenRequest) {
		r.TTL = d
		if d == 0 {
			r.TTL = -1 // zero means "the client's lifetime" to Mint
		}
		r.shaped = append(r.shaped, "WithExpiry")
	}
}

// WithIssuedAt sets iat (and so exp) instead of the provider's clock
// (minting only).
func WithIssuedAt(t time.Time) TokenOption {
	return func(r *tokenRequest) {
		r.IssuedAt = t
		r.shaped = append(r.shaped, "WithIssuedAt")
	}
}

func newTokenRequest(opts []TokenOption) tokenRequest {
	var r tokenRequest
	for _, o := range opts {
		o(&r)
	}
	return r
}

// MintIDToken returns an ID token signed by the issuer as it would issue it
// to the client for the user (the client's algorithm, secret and lifetime,
// the user's claims by scope, the issuer's profile), without a login. It
// fails the test if the client or issuer is unknown.
func (s *Server) MintIDToken(opts ...TokenOption) string {
	s.t.Helper()
	r := newTokenRequest(opts)
	tok, err := s.p.MintIDToken(r.Mint)
	if err != nil {
		s.t.Fatalf("oidctest: MintIDToken: %v", err)
	}
	return tok.Raw
}

// MintAccessToken returns a JWT access token (RFC 9068) of the issuer for
// the client and user, without a login. The server's userinfo and
// introspection endpoints accept it.
func (s *Server) MintAccessToken(opts ...TokenOption) string {
	s.t.Helper()
	r := newTokenRequest(opts)
	tok, err := s.p.MintAccessToken(r.Mint)
	if err != nil {
		s.t.Fatalf("oidctest: MintAccessToken: %v", err)
	}
	return tok.Raw
}
