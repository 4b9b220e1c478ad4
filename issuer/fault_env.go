package issuer

import (
	"crypto"
	"encoding/json"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/testidp/testidp/keys"
)

// DefaultNonce is the nonce of the baseline token when the environment names
// none: the "RP" of a conformance run always sends one.
const DefaultNonce = "n-0S6_WzA2Mj"

// BaselineTTL is the baseline token's lifetime (fault-catalog.md §1: exp =
// now + 300 s).
const BaselineTTL = 300 * time.Second

// FaultEnv is what a fault case builds its token from: the issuer (URL, key
// ring, clock), the baseline token spec, and hooks for cases that change the
// provider's state. The zero values of optional fields are usable.
type FaultEnv struct {
	Issuer *Issuer
	// Kind is the token kind to break: ID tokens (default) or access tokens.
	Kind Kind
	// Spec is the baseline ID token B. Alg defaults to RS256, TTL to
	// BaselineTTL, Nonce to DefaultNonce. Spec.Secret is the client secret
	// (HS256 cases).
	Spec IDToken
	// Access is the baseline when Kind is access_token.
	Access AccessToken
	// JWKSURI is the issuer's jwks_uri (for same-host jku cases).
	JWKSURI string
	// RogueURL is where the harness serves Forged.Rogue (jku, x5u); a
	// default on attacker.example is used when empty.
	RogueURL string
	// EncryptionKey is the client's registered public encryption key, for
	// the JWE cases.
	EncryptionKey *jose.JSONWebKey
	// Rotate makes a new key for alg the active one, keeping the old one
	// published; Unpublish removes a key from the JWKS. Rotation cases need
	// them (endpoints wires them to the real key ring).
	Rotate    func(alg keys.Alg) error
	Unpublish func(kid string) error
	// EncryptionAlg and EncryptionEnc are the client's registered
	// id_token_encrypted_response_alg and _enc, for the JWE cases. An empty
	// alg means EncryptionKey's "alg", else RSA-OAEP for an RSA key and
	// ECDH-ES for an EC key; an empty enc means A128CBC-HS256 (OpenID
	// Connect Registration §2). For the symmetric algs (A128KW, A192KW,
	// A256KW, dir) the key is derived from Spec.Secret (Core §10.2).
	EncryptionAlg string
	EncryptionEnc string
	// NoNonce: the relying party sent no nonce (a code flow without one),
	// so the baseline has none rather than DefaultNonce. Nonce cases then
	// add the defect to a token the RP has no nonce to compare with.
	NoNonce bool
}

// Forged is what a case sends to a verifier. Most cases are one step; some
// first send tokens a correct verifier accepts (setup: a first token to
// cache the JWKS, a login to remember a nonce) and then the case's token.
type Forged struct {
	// Steps: the last one is the case under test.
	Steps []Step
	// Rogue is served by the harness at FaultEnv.RogueURL (a JWK Set for
	// jku, a PEM chain for x5u), with RogueType as Content-Type.
	Rogue     []byte
	RogueType string
	// RogueURL is the URL the token names for Rogue (jku, x5u): where the
	// harness must serve it and log fetches. It is FaultEnv.RogueURL, its
	// default on attacker.example, or for same-host cases a URL on the
	// host of FaultEnv.JWKSURI.
	RogueURL string
}

// Step is one token delivery and what the verifier must know about it.
type Step struct {
	Token   string
	Header  []byte // the protected header bytes as encoded
	Payload []byte // the payload bytes as encoded
	// Expect is MustAccept for setup steps; the last step has the variant's.
	Expect Expect
	// JWKS is the JWK Set the verifier must see at the issuer's jwks_uri
	// during this step; nil means the issuer's own.
	JWKS []byte
	// Nonce is the nonce the relying party sent for this step ("" = none).
	Nonce string
	// AccessToken and Code came with the ID token (at_hash, c_hash cases).
	AccessToken string
	Code        string
	// Userinfo is the UserInfo response of this step, when the case is
	// about it.
	Userinfo []byte
	// Refresh: this token comes from a refresh grant; the previous step's
	// token is the original ID token (OpenID Connect Core §12.2).
	Refresh bool
	// Note explains the step to a person reading a report.
	Note string
	// MaxAge is the max_age (seconds) the relying party sent in the
	// authentication request of this step; 0 means none. A verifier must
	// then require auth_time and refuse an authentication older than it
	// (Core §3.1.2.1, §3.1.3.7 step 13).
	MaxAge int
	// ACRValues are the acr values the relying party requested as essential
	// (claims parameter); the token's acr must be one of them (Core §5.5.1.1,
	// §3.1.3.7 step 12).
	ACRValues []string
	// TrustedAudiences are audiences other than its own client_id that the
	// relying party is configured to trust in aud (Core §3.1.3.7 step 3).
	TrustedAudiences []string
	// State is the state value sent with the request and returned with this
	// step, for s_hash (FAPI 1.0 Advanced §5.2.2.1).
	State string
}

// Last is the step under test.
func (f *Forged) Last() Step { return f.Steps[len(f.Steps)-1] }

// Forge builds the token of a case variant ("id" or "id#variant").
func (is *Issuer) Forge(env FaultEnv, ref string) (*Forged, *Case, Variant, error) {
	c, v, err := LookupFault(ref)
	if err != nil {
		return nil, nil, Variant{}, err
	}
	env.Issuer = is
	f, err := v.Make(&env)
	if err != nil {
		return nil, c, v, fmt.Errorf("issuer: fault %s: %w", c.Ref(v), err)
	}
	last := &f.Steps[len(f.Steps)-1]
	last.Expect = v.Expect
	for i := range f.Steps[:len(f.Steps)-1] {
		if f.Steps[i].Expect == "" {
			f.Steps[i].Expect = MustAccept
		}
	}
	return f, c, v, nil
}

// spec is the baseline ID token spec with the catalog's defaults.
func (e *FaultEnv) spec() IDToken {
	s := e.Spec
	if s.Alg == "" {
		s.Alg = keys.RS256
	}
	if s.TTL == 0 {
		s.TTL = BaselineTTL
	}
	if s.Nonce == "" && !e.NoNonce {
		s.Nonce = DefaultNonce
	}
	if s.ClientID == "" {
		s.ClientID = "web"
	}
	if s.Subject == "" {
		s.Subject = "alice"
	}
	return s
}

// Baseline drafts the valid token B (an ID token, or an access token when
// Kind says so).
func (e *FaultEnv) Baseline() (*Draft, error) {
	if e.Kind == KindAccessToken {
		a := e.Access
		if a.TTL == 0 {
			a.TTL = BaselineTTL
		}
		return e.Issuer.DraftAccessToken(a)
	}
	return e.Issuer.DraftIDToken(e.spec())
}

// BaselineWith drafts B from a modified spec (another alg, nonce, an
// access token to hash…). It fails for access-token environments.
func (e *FaultEnv) BaselineWith(change func(*IDToken)) (*Draft, error) {
	if e.Kind == KindAccessToken {
		return nil, fmt.Errorf("%w: this case is about ID tokens", ErrFaultNeeds)
	}
	s := e.spec()
	change(&s)
	return e.Issuer.DraftIDToken(s)
}

// Nonce is the nonce the relying party sent (the baseline's), or "" for an
// access token.
func (e *FaultEnv) Nonce() string {
	if e.Kind == KindAccessToken {
		return ""
	}
	return e.spec().Nonce
}

// BaselineStep drafts B, lets change (nil: none) modify the draft, signs
// it, and returns the draft with its step: the start of every case that
// works on a signed baseline.
func (e *FaultEnv) BaselineStep(change func(d *Draft)) (*Draft, Step, error) {
	d, err := e.Baseline()
	if err != nil {
		return nil, Step{}, err
	}
	if change != nil {
		change(d)
	}
	s, err := e.Step(d)
	return d, s, err
}

// Step signs d as it is and describes the delivery.
func (e *FaultEnv) Step(d *Draft) (Step, error) {
	t, err := d.Sign()
	if err != nil {
		return Step{}, err
	}
	return Step{Token: t.Raw, Header: t.Header, Payload: t.Payload, Nonce: e.Nonce()}, nil
}

// RawStep assembles a token from raw parts: header and payload bytes are
// base64url-encoded as they are, sig is the raw signature (nil: signed by s
// over exactly the encoded parts, or an empty signature when s is nil too).
func (e *FaultEnv) RawStep(header, payload []byte, s keys.Signer) (Step, error) {
	raw, err := Encode(header, payload, s)
	if err != nil {
		return Step{}, err
	}
	return Step{Token: raw, Header: header, Payload: payload, Nonce: e.Nonce()}, nil
}

// One is a single-step Forged.
func One(s Step, err error) (*Forged, error) {
	if err != nil {
		return nil, err
	}
	return &Forged{Steps: []Step{s}}, nil
}

// Signed signs the baseline after change modifies the draft: the common
// shape of claims and header faults ("re-sign after applying the defect").
func (e *FaultEnv) Signed(change func(d *Draft) error) (*Forged, error) {
	d, err := e.Baseline()
	if err != nil {
		return nil, err
	}
	if err := change(d); err != nil {
		return nil, err
	}
	return One(e.Step(d))
}

// ActiveKey is the issuer's signing key for alg.
func (e *FaultEnv) ActiveKey(alg keys.Alg) (*keys.Key, error) { return e.Issuer.Ring.Active(alg) }

// AttackerKey is a private key the issuer never published, derived from a
// fixed seed so that golden files are stable. Label tells keys apart.
func (e *FaultEnv) AttackerKey(alg keys.Alg, label string) (crypto.Signer, error) {
	return keys.Derive("testidp attacker", label, alg, 2048)
}

// PublicJWKS is the issuer's published JWK Set decoded, for cases that serve
// a changed copy of it.
func (e *FaultEnv) PublicJWKS() ([]map[string]any, error) {
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(e.Issuer.Ring.JWKS(), &set); err != nil {
		return nil, err
	}
	return set.Keys, nil
}

// EncodeJWKS writes a JWK Set from raw key objects.
func EncodeJWKS(keys []map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"keys": keys})
	return b
}
