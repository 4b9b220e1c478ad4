package endpoints

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/storage"
)

// grant is one authorization of a client by a user: what an authorization
// code, a refresh token and the access tokens issued from them carry. It is
// stored as JSON in the Data of codes and tokens.
type grant struct {
	ID       string         `json:"id"`
	ClientID string         `json:"client_id"`
	Subject  string         `json:"sub"`
	Scopes   []string       `json:"scopes"`
	Claims   map[string]any `json:"claims,omitempty"`
	AuthTime time.Time      `json:"auth_time"`
	// EmitAuthTime: max_age was requested, so auth_time is in every ID
	// token of the grant (Core §3.1.2.1, §12.2).
	EmitAuthTime bool     `json:"emit_auth_time,omitempty"`
	Nonce        string   `json:"nonce,omitempty"`
	ACR          string   `json:"acr,omitempty"`
	AMR          []string `json:"amr,omitempty"`
	SID          string   `json:"sid,omitempty"`
	// Code-flow binding (RFC 6749 §4.1.3, RFC 7636 §4.6).
	RedirectURI         string `json:"redirect_uri,omitempty"`
	CodeChallenge       string `json:"code_challenge,omitempty"`
	CodeChallengeMethod string `json:"code_challenge_method,omitempty"`
	// Fault breaks this grant's ID tokens (testidp_fault, or the login
	// page's picker); empty: the client's fault, if any.
	Fault string `json:"fault,omitempty"`
}

// faultFor is the fault the grant's ID tokens carry.
func (g *grant) faultFor(c *client) string {
	if g.Fault != "" {
		return g.Fault
	}
	return c.Fault
}

func (g *grant) hasScope(s string) bool { return slices.Contains(g.Scopes, s) }

// tokenSet is what one issuance produces.
type tokenSet struct {
	AccessToken  string
	ExpiresIn    int64
	IDToken      string
	RefreshToken string
	Scope        string
	records      []storage.Token
	// subject and minted describe the tokens for the log (tokenlog.go).
	subject string
	minted  []mintedToken
}

// issueOptions say which tokens to issue beyond the access token.
type issueOptions struct {
	idToken bool
	refresh bool
	code    string // for c_hash in a front-channel ID token
	// noAccessToken: an implicit "id_token" response.
	noAccessToken bool
	// refreshScopes keep the original grant's scopes in a rotated refresh
	// token when the access token was narrowed (RFC 6749 §6).
	refreshScopes []string
	// fromRefresh: the tokens answer a refresh grant (faults about
	// refreshed ID tokens apply only then).
	fromRefresh bool
}

// issue mints the tokens of a grant and returns them with the storage records
// the caller must write: refresh tokens, opaque access tokens, and JWT access
// tokens bound to a grant (so that revoking the grant reaches them). A JWT
// access token outside a grant (client credentials) needs no record.
func (s *site) issue(ctx context.Context, c *client, g grant, o issueOptions) (tokenSet, error) {
	now := s.now()
	var data []byte
	if g.ID != "" || c.AccessToken == AccessTokenOpaque {
		var err error
		if data, err = json.Marshal(g); err != nil {
			return tokenSet{}, err
		}
	}
	set := tokenSet{Scope: strings.Join(g.Scopes, " "), subject: g.Subject}
	if !o.noAccessToken {
		if err := s.issueAccess(c, g, data, now, &set); err != nil {
			return tokenSet{}, err
		}
	}
	if o.idToken && g.hasScope("openid") {
		if err := s.issueID(ctx, c, g, o, now, &set); err != nil {
			return tokenSet{}, err
		}
	}
	if o.refresh {
		rg := g
		if o.refreshScopes != nil {
			rg.Scopes = o.refreshScopes
		}
		rdata, err := json.Marshal(rg)
		if err != nil {
			return tokenSet{}, err
		}
		value := randomToken()
		set.RefreshToken = value
		id, exp := hashValue(value), now.Add(c.Lifetimes.RefreshToken)
		set.minted = append(set.minted, mintedToken{kind: kindRefresh, id: id, exp: exp})
		set.records = append(set.records, storage.Token{
			ID: id, Kind: kindRefresh, GrantID: g.ID, ClientID: c.ID, Subject: g.Subject,
			Data: rdata, IssuedAt: now, ExpiresAt: exp,
		})
	}
	for i := range set.records {
		set.records[i].Issuer = s.key
	}
	return set, nil
}

func (s *site) issueAccess(c *client, g grant, data []byte, now time.Time, set *tokenSet) error {
	ttl := c.Lifetimes.AccessToken
	set.ExpiresIn = int64(ttl / time.Second)
	rec := storage.Token{Kind: kindAccess, GrantID: g.ID, ClientID: c.ID, Subject: g.Subject, Data: data,
		IssuedAt: now, ExpiresAt: now.Add(ttl)}
	if c.AccessToken == AccessTokenOpaque {
		set.AccessToken = randomToken()
		rec.ID = hashValue(set.AccessToken)
		set.minted = append(set.minted, mintedToken{kind: kindAccess, id: rec.ID, exp: rec.ExpiresAt})
		set.records = append(set.records, rec)
		return nil
	}
	tok, err := s.mintAccess(issuer.AccessToken{
		ClientID: c.ID, Subject: g.Subject, Audience: c.AccessTokenAudience, Scope: set.Scope,
		Alg: c.atAlg, TTL: ttl, IssuedAt: now, AuthTime: authTimeIf(g), ACR: g.ACR, AMR: g.AMR,
		Claims: c.Claims,
	}, g.Claims)
	if err != nil {
		return err
	}
	set.AccessToken, rec.ID = tok.Raw, tok.ID
	set.minted = append(set.minted, mintedOf(tok))
	if data != nil {
		set.records = append(set.records, rec)
	}
	return nil
}

// issueID mints the grant's ID token: broken the way the grant's or the
// client's fault says (faults_flow.go), and encrypted when the client
// registered ID-token encryption.
func (s *site) issueID(ctx context.Context, c *client, g grant, o issueOptions, now time.Time, set *tokenSet) error {
	claims := issuer.ScopedClaims(g.Scopes, g.Claims)
	maps.Copy(claims, c.Claims)
	spec := issuer.IDToken{
		ClientID: c.ID, Subject: g.Subject, Alg: c.idAlg, Secret: c.Secret, TTL: c.Lifetimes.IDToken,
		IssuedAt: now, AuthTime: authTimeIf(g), Nonce: g.Nonce, ACR: g.ACR, AMR: g.AMR, SID: g.SID,
		AccessToken: set.AccessToken, Code: o.code, Claims: claims,
	}
	if ref := g.faultFor(c); ref != "" {
		raw, applied, err := s.faultyIDToken(ctx, c, spec, ref, o.fromRefresh)
		if err != nil || applied {
			set.IDToken = raw
			set.minted = append(set.minted, mintedToken{kind: string(issuer.KindIDToken), id: hashValue(raw), fault: ref})
			return err
		}
	}
	tok, err := s.mintID(spec)
	if err != nil {
		return err
	}
	set.IDToken, err = s.encryptFor(ctx, c, tok.Raw)
	set.minted = append(set.minted, mintedOf(tok))
	return err
}

// authTimeIf is the auth_time to emit: always when max_age asked for it,
// never otherwise (the catalog's baseline token has none).
func authTimeIf(g grant) time.Time {
	if g.EmitAuthTime {
		return g.AuthTime
	}
	return time.Time{}
}

// Token record kinds in storage.
const (
	kindAccess  = "access_token"
	kindRefresh = "refresh_token"
)

// randomToken is an unguessable opaque value (codes, refresh tokens, opaque
// access tokens, session ids): 256 bits, base64url.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hashValue is the storage id of an opaque value, so that the database never
// holds a usable code or token.
func hashValue(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
