package endpoints

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// PKCE (RFC 7636).
const (
	pkceS256  = "S256"
	pkcePlain = "plain"
)

// validPKCEValue reports whether v is a well-formed code_verifier or plain
// code_challenge: 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1).
func validPKCEValue(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// checkPKCE verifies the code_verifier of a token request against the
// authorization request's challenge (RFC 7636 §4.6). A verifier without a
// challenge is refused too, so a PKCE-less code cannot be redeemed by a
// client that pretends otherwise (downgrade).
func checkPKCE(challenge, method, verifier string) error {
	switch {
	case challenge == "" && verifier == "":
		return nil
	case challenge == "":
		return oauthErr("invalid_grant", "code_verifier sent, but the authorization request had no code_challenge")
	case verifier == "":
		return oauthErr("invalid_grant", "code_verifier required: the authorization request had a code_challenge (RFC 7636 §4.5)")
	case !validPKCEValue(verifier):
		return oauthErr("invalid_grant", "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)")
	}
	computed := verifier
	if method == pkceS256 {
		sum := sha256.Sum256([]byte(verifier))
		computed = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if subtle.ConstantTimeCompare([]byte(computed), []byte(challenge)) != 1 {
		return oauthErr("invalid_grant", "code_verifier does not match the code_challenge")
	}
	return nil
}
