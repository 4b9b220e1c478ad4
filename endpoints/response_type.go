package endpoints

import "strings"

// The response types testidp serves (OAuth 2.0 Multiple Response Type
// Encoding Practices; OpenID Connect Core §3).
var supportedResponseTypes = []string{"code", "id_token", "id_token token", "code id_token", "code token", "code id_token token"}

// canonicalResponseType orders the space-separated values as code, id_token,
// token (the order of values does not matter on the wire). Unknown or
// repeated values are kept so that the result simply fails to match.
func canonicalResponseType(rt string) string {
	parts := strings.Fields(rt)
	seen := map[string]bool{}
	ordered := make([]string, 0, len(parts))
	for _, want := range []string{"code", "id_token", "token"} {
		for _, p := range parts {
			if p == want && !seen[p] {
				ordered = append(ordered, p)
				seen[p] = true
			}
		}
	}
	if len(ordered) != len(parts) {
		return rt
	}
	return strings.Join(ordered, " ")
}

// responseType describes one canonical response type.
type responseType struct {
	code, idToken, token bool
}

func parseResponseType(canonical string) responseType {
	var rt responseType
	for _, p := range strings.Fields(canonical) {
		switch p {
		case "code":
			rt.code = true
		case "id_token":
			rt.idToken = true
		case "token":
			rt.token = true
		}
	}
	return rt
}

// frontChannelTokens reports whether tokens travel in the authorization
// response (so query encoding is not allowed and nonce is required when an
// ID token does).
func (rt responseType) frontChannelTokens() bool { return rt.idToken || rt.token }
