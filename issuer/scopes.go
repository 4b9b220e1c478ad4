package issuer

// scopeClaims maps the standard scopes to the claims they release (OpenID
// Connect Core §5.4).
var scopeClaims = map[string][]string{
	"profile": {"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"},
	"email":   {"email", "email_verified"},
	"address": {"address"},
	"phone":   {"phone_number", "phone_number_verified"},
}

// standardClaim is the set of claims some scope governs.
var standardClaim = func() map[string]bool {
	m := map[string]bool{}
	for _, names := range scopeClaims {
		for _, n := range names {
			m[n] = true
		}
	}
	return m
}()

// ScopedClaims returns the user claims released by the scopes: standard
// claims only when their scope was granted, every non-standard (custom) claim
// always. The result is a new map.
func ScopedClaims(scopes []string, user map[string]any) map[string]any {
	out := make(map[string]any, len(user))
	for name, v := range user {
		if !standardClaim[name] {
			out[name] = v
		}
	}
	for _, s := range scopes {
		for _, name := range scopeClaims[s] {
			if v, ok := user[name]; ok {
				out[name] = v
			}
		}
	}
	return out
}

// Reserved lists the claims testidp computes itself; configured user and
// client claims may not set them.
var Reserved = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce",
	"at_hash", "c_hash", "s_hash", "azp", "sid", "client_id", "scope"}
