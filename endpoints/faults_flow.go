package endpoints

import (
	"context"
	"strings"

	"github.com/testidp/testidp/issuer"
)

// Faults inside real flows: a client configured with fault, an
// authorization request with testidp_fault, or a fault picked on the login
// page breaks the ID tokens of the flow — the very token the flow would
// issue (its nonce, at_hash over the real access token, c_hash over the real
// code) with the case's one defect — so that a whole application, not just a
// library call, meets the forged token. What a case needs from the provider
// happens as in the mint API: rotations rotate the key ring, a case's JWK
// Set is served at the jwks_uri. The last step of a case is the token
// delivered; a case about refreshed ID tokens (refresh-identity-changed)
// applies only to the refresh grant, and userinfo-sub-mismatch leaves the
// ID token valid and changes the UserInfo answer (userinfo.go).

// faultyIDToken builds the case ref over spec. applied is false when the
// case does not apply to this issuance (a refresh-only case outside a
// refresh), and the caller mints the token normally.
func (s *site) faultyIDToken(ctx context.Context, c *client, spec issuer.IDToken, ref string, fromRefresh bool) (string, bool, error) {
	cs, _, err := issuer.LookupFault(ref)
	if err != nil {
		return "", false, err
	}
	if cs.ID == "refresh-identity-changed" && !fromRefresh {
		return "", false, nil
	}
	f, _, _, err := s.forge(s.faultEnv(ctx, c, spec), ref)
	if err != nil {
		return "", false, err
	}
	raw := f.Last().Token
	if cs.ID == "enc-expected-missing" || isJWE(raw) {
		return raw, true, nil // the case is about encryption: deliver it as made
	}
	raw, err = s.encryptFor(ctx, c, raw)
	return raw, true, err
}

// encryptFor seals a signed ID token when the client registered ID-token
// encryption (OpenID Connect Core §10.2), and returns it unchanged when not.
func (s *site) encryptFor(ctx context.Context, c *client, signed string) (string, error) {
	enc, err := s.encryption(ctx, c)
	if err != nil || enc == nil {
		return signed, err
	}
	return issuer.EncryptToken(signed, *enc)
}

// isJWE tells a compact JWE (five parts) from a JWS.
func isJWE(raw string) bool { return strings.Count(raw, ".") == 4 }
