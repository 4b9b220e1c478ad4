package oidctest

import (
	"strings"

	"github.com/testidp/testidp/issuer"
)

// hintFor says what a verifier must check, or receive, to get a case of
// this kind right. The SuiteStep field is named with its variable
// (--verify-cmd) and header (--verify-url).
func hintFor(e issuer.ManifestEntry) string {
	for _, h := range caseHints {
		if strings.HasPrefix(e.ID, h.prefix) {
			return h.hint
		}
	}
	d := e.Delivery
	switch {
	case d.State == "userinfo":
		return "compare the sub of the UserInfo response (SuiteStep.Userinfo, TESTIDP_USERINFO, X-Testidp-Userinfo) with the token's: they must be equal (Core §5.3.2); a verifier that sees only the token cannot get this case right"
	case d.State == "refresh":
		return "a refreshed ID token must keep the iss, sub, aud, azp and auth_time of the original (SuiteStep.PreviousToken, TESTIDP_PREVIOUS_TOKEN, X-Testidp-Previous-Token; Core §12.2)"
	case d.State == "nonce-replay":
		return "remember the nonces of accepted tokens and refuse a second use (Core §3.1.3.7 step 11, §15.5.2)"
	case d.State == "rogue-url":
		return "take keys only from the issuer's jwks_uri: never fetch a jku or x5u URL named in a token (RFC 8725 §3.10)"
	case d.State == "rotation":
		return "look the key up by kid in the issuer's JWKS, fetching it again on an unknown kid (Core §10.1.1); a key no longer published is no longer trusted"
	case strings.Contains(d.ResponseType, "token") || strings.HasPrefix(e.ID, "at-hash"):
		return "at_hash: hash the access token delivered with the ID token (SuiteStep.AccessToken, TESTIDP_ACCESS_TOKEN, X-Testidp-Access-Token) with the alg's hash, base64url the left half, and require equality (Core §3.2.2.9)"
	case strings.Contains(d.ResponseType, "code id_token") || strings.HasPrefix(e.ID, "c-hash"):
		return "c_hash (and s_hash): hash the code (SuiteStep.Code, TESTIDP_CODE, X-Testidp-Code) or state (SuiteStep.State, TESTIDP_STATE, X-Testidp-State) as for at_hash and require equality (Core §3.3.2.10)"
	case e.Category == issuer.CatNonce || strings.HasPrefix(e.ID, "nonce"):
		return "compare the nonce claim with the nonce the relying party sent (SuiteStep.Nonce, TESTIDP_NONCE, X-Testidp-Nonce): exact string equality (Core §3.1.3.7 step 11)"
	case d.Registration == "max_age":
		return "with max_age sent (SuiteStep.MaxAge, TESTIDP_MAX_AGE, X-Testidp-Max-Age) require auth_time, a number, no older than max_age (Core §3.1.2.1, §3.1.3.7 step 13)"
	case d.Registration == "acr":
		return "the acr claim must be one of the values requested (SuiteStep.ACRValues, TESTIDP_ACR_VALUES, X-Testidp-Acr-Values; Core §3.1.3.7 step 12)"
	case d.Registration == "trusted-audience":
		return "accept other audiences only when trusted (SuiteStep.TrustedAudiences, TESTIDP_TRUSTED_AUDIENCES, X-Testidp-Trusted-Audiences), with azp equal to the client (Core §3.1.3.7 steps 3–5)"
	}
	return ""
}

// caseHints are the hints of cases about the JWK Set, by case id prefix.
var caseHints = []struct{ prefix, hint string }{
	{"kid-absent", "a token without kid: use the JWKS's only key; with several, reject or try each (Core §10.1)"},
	{"jwk-metadata-mismatch", "use a key only as its use, key_ops and alg allow (RFC 7517 §4.2–4.4)"},
	{"rsa-weak-key", "refuse RSA keys shorter than 2048 bits (RFC 7518 §3.3, RFC 8725 §3.5)"},
	{"jwks-oct-key", "never take a symmetric key from the JWKS: HS256 is keyed by the client secret only"},
	{"jwks-unparseable-key", "skip the JWKS entries you cannot use instead of failing the whole set (RFC 7517 §5)"},
}
