package oidctest

import (
	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/keys"
)

// FaultToken is a deliberately broken (or tricky-but-valid) token of the
// fault catalog, with the verdict a correct verifier must reach.
type FaultToken struct {
	// Token is the token to give the verifier.
	Token string
	// Ref is the case variant, "id#variant".
	Ref string
	// Expect is must-reject, should-reject, either, should-accept or
	// must-accept.
	Expect string
	// Description says what is wrong with the token.
	Description string
	// Nonce is the nonce the relying party "sent" (the verifier should
	// compare the token's with it); AccessToken and Code came with the
	// token (at_hash and c_hash cases).
	Nonce, AccessToken, Code string
	// Setup are tokens a correct verifier accepts, to be given to it first
	// (a first token to cache the JWKS, an earlier login).
	Setup []string
}

// Fault returns the token of a fault-catalog case ("id" or "id#variant";
// see testidp faults, or docs/faults.md) for the client and user the
// options name. Cases that need state change the server as they describe: a
// rotation rotates its keys, a case about the JWKS makes it serve that JWKS.
// An unknown case, or one the server cannot build (an encryption case for a
// client without an encryption key), fails the test.
func (s *Server) Fault(ref string, opts ...TokenOption) FaultToken {
	s.t.Helper()
	r := newTokenRequest(opts)
	f, c, v, err := s.p.MintFault(r.Mint, ref)
	if err != nil {
		s.t.Fatalf("oidctest: Fault(%q): %v", ref, err)
	}
	last := f.Last()
	out := FaultToken{Token: last.Token, Ref: c.Ref(v), Expect: string(v.Expect), Description: v.Description,
		Nonce: last.Nonce, AccessToken: last.AccessToken, Code: last.Code}
	for _, st := range f.Steps[:len(f.Steps)-1] {
		out.Setup = append(out.Setup, st.Token)
	}
	return out
}

// RotateKeys makes a new RS256 key (or the algorithms given, such as
// "ES256") sign at once at the issuer the options name; the replaced key
// stays published. A verifier that caches the JWKS meets a kid it has never
// seen, and must re-fetch.
func (s *Server) RotateKeys(algs ...string) {
	s.t.Helper()
	if len(algs) == 0 {
		algs = []string{string(keys.RS256)}
	}
	for _, a := range algs {
		alg, err := keys.ParseAlg(a)
		if err == nil && !alg.Asymmetric() {
			err = issuer.ErrAlgNotAllowed
		}
		if err == nil {
			err = s.p.RotateKeys("", alg)
		}
		if err != nil {
			s.t.Fatalf("oidctest: RotateKeys(%q): %v", a, err)
		}
	}
}
