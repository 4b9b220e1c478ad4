package endpoints

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/testidp/testidp/issuer"
)

// authRequest is a validated authorization request, stored between
// /authorize and the login decision.
type authRequest struct {
	ID                  string   `json:"id"`
	ClientID            string   `json:"client_id"`
	RedirectURI         string   `json:"redirect_uri"`
	ResponseType        string   `json:"response_type"` // canonical
	ResponseMode        string   `json:"response_mode"` // resolved: query, fragment or form_post
	Scopes              []string `json:"scopes"`
	State               string   `json:"state,omitempty"`
	Nonce               string   `json:"nonce,omitempty"`
	Prompt              []string `json:"prompt,omitempty"`
	MaxAge              *int64   `json:"max_age,omitempty"`
	LoginHint           string   `json:"login_hint,omitempty"`
	HintSubject         string   `json:"hint_sub,omitempty"` // sub of a valid id_token_hint
	ACRValues           []string `json:"acr_values,omitempty"`
	CodeChallenge       string   `json:"code_challenge,omitempty"`
	CodeChallengeMethod string   `json:"code_challenge_method,omitempty"`
	// Fault is testidp_fault: break this login's ID tokens (non-standard).
	Fault string `json:"fault,omitempty"`
}

func (ar *authRequest) hasPrompt(p string) bool { return slices.Contains(ar.Prompt, p) }

// parseAuthRequest reads and checks every parameter of an authorization
// request whose client and redirect URI were already validated. The returned
// request is usable for an error response even when err is not nil (its
// redirect URI, state and response mode are set as far as they could be).
func (s *site) parseAuthRequest(r *http.Request, c *client) (*authRequest, *oidc.Error) {
	f := r.Form
	ar := &authRequest{ClientID: c.ID, RedirectURI: f.Get("redirect_uri"), State: f.Get("state")}
	ar.ResponseType = canonicalResponseType(f.Get("response_type"))
	rt := parseResponseType(ar.ResponseType)
	ar.ResponseMode = defaultResponseMode(rt)
	if name := repeatedParam(r); name != "" {
		return ar, oauthErrf("invalid_request", "parameter %q is included more than once (RFC 6749 §3.1)", name)
	}
	if e := checkUnsupportedParams(f.Get); e != nil {
		return ar, e
	}
	if e := s.checkResponseType(ar, c); e != nil {
		return ar, e
	}
	if e := checkResponseMode(ar, rt, f.Get("response_mode")); e != nil {
		return ar, e
	}
	ar.Scopes = strings.Fields(f.Get("scope"))
	ar.Nonce = f.Get("nonce")
	openid := slices.Contains(ar.Scopes, "openid")
	switch {
	case rt.idToken && !openid:
		return ar, oauthErrf("invalid_scope", "response_type %q returns an ID token and needs the openid scope", ar.ResponseType)
	case ar.ResponseType != "code" && openid && ar.Nonce == "":
		return ar, oauthErr("invalid_request", "nonce is required for the implicit and hybrid flows (OpenID Connect Core §3.2.2.1, §3.3.2.11)")
	}
	if e := parsePrompt(ar, f.Get("prompt"), f.Get("max_age")); e != nil {
		return ar, e
	}
	if e := parsePKCE(ar, c, rt, f.Get("code_challenge"), f.Get("code_challenge_method")); e != nil {
		return ar, e
	}
	if ref := f.Get("testidp_fault"); ref != "" {
		if _, _, err := issuer.LookupFault(ref); err != nil {
			return ar, oauthErrf("invalid_request", "testidp_fault %q is not a fault case (GET /_testidp/faults lists them)", ref)
		}
		ar.Fault = ref
	}
	ar.LoginHint = f.Get("login_hint")
	ar.ACRValues = strings.Fields(f.Get("acr_values"))
	if hint := f.Get("id_token_hint"); hint != "" {
		tok, err := s.verifyOwn(hint, true)
		if err != nil {
			return ar, oauthErrf("invalid_request", "id_token_hint is not an ID token of this issuer: %v", err)
		}
		ar.HintSubject = tok.Claims.Subject
	}
	return ar, nil
}

func defaultResponseMode(rt responseType) string {
	if rt.frontChannelTokens() {
		return "fragment"
	}
	return "query"
}

// checkUnsupportedParams refuses the request features testidp does not offer,
// with the error codes OpenID Connect Core §3.1.2.6 defines for them.
func checkUnsupportedParams(get func(string) string) *oidc.Error {
	switch {
	case get("request") != "":
		return oauthErr("request_not_supported", "request objects are not supported")
	case get("request_uri") != "":
		return oauthErr("request_uri_not_supported", "request_uri is not supported")
	case get("registration") != "":
		return oauthErr("registration_not_supported", "the registration parameter is not supported")
	}
	return nil
}

func (s *site) checkResponseType(ar *authRequest, c *client) *oidc.Error {
	switch {
	case ar.ResponseType == "":
		return oauthErr("invalid_request", "response_type is missing")
	case !slices.Contains(supportedResponseTypes, ar.ResponseType):
		return oauthErrf("unsupported_response_type", "response_type %q is not supported", ar.ResponseType)
	case !c.allowsResponseType(ar.ResponseType):
		return oauthErrf("unauthorized_client", "client %q is not registered for response_type %q", c.ID, ar.ResponseType)
	}
	return nil
}

func checkResponseMode(ar *authRequest, rt responseType, mode string) *oidc.Error {
	switch mode {
	case "":
		return nil
	case "query", "fragment", "form_post":
	default:
		return oauthErrf("invalid_request", "response_mode %q: must be query, fragment or form_post", mode)
	}
	if mode == "query" && rt.frontChannelTokens() {
		return oauthErrf("invalid_request", "response_mode query cannot carry the tokens of response_type %q (OAuth 2.0 Multiple Response Types §5)", ar.ResponseType)
	}
	ar.ResponseMode = mode
	return nil
}

func parsePrompt(ar *authRequest, prompt, maxAge string) *oidc.Error {
	ar.Prompt = strings.Fields(prompt)
	if slices.Contains(ar.Prompt, "none") && len(ar.Prompt) > 1 {
		return oauthErr("invalid_request", "prompt none cannot be combined with other values (OpenID Connect Core §3.1.2.1)")
	}
	if maxAge != "" {
		n, err := strconv.ParseInt(maxAge, 10, 64)
		if err != nil || n < 0 {
			return oauthErrf("invalid_request", "max_age %q must be a non-negative integer number of seconds", maxAge)
		}
		ar.MaxAge = &n
	}
	return nil
}

func parsePKCE(ar *authRequest, c *client, rt responseType, challenge, method string) *oidc.Error {
	if challenge == "" {
		if method != "" {
			return oauthErr("invalid_request", "code_challenge_method without code_challenge")
		}
		if rt.code && c.requiresPKCE() {
			return oauthErrf("invalid_request", "code_challenge is required for client %q (PKCE, RFC 7636)", c.ID)
		}
		return nil
	}
	if method == "" {
		method = pkcePlain // RFC 7636 §4.3
	}
	if method != pkceS256 && method != pkcePlain {
		return oauthErrf("invalid_request", "code_challenge_method %q: must be S256 or plain", method)
	}
	if !validPKCEValue(challenge) {
		return oauthErr("invalid_request", "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.2)")
	}
	ar.CodeChallenge, ar.CodeChallengeMethod = challenge, method
	return nil
}
