package endpoints

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Sentinel errors.
var (
	// ErrNoIssuer: New was called without an issuer URL.
	ErrNoIssuer = errors.New("endpoints: the issuer URL is not set")
	// ErrUnknown: MintIDToken or MintAccessToken named an issuer, client or
	// user that is not configured.
	ErrUnknown = errors.New("endpoints: not configured")
)

// writeOAuthError renders err as an RFC 6749 §5.2 JSON error. It delegates to
// op.WriteError, the renderer zitadel's op server uses for the errors our
// op.Server methods return, so every JSON error of every endpoint has one
// shape: {"error": …, "error_description": …}, status 400 unless err is an
// op.StatusError (401 for invalid_client, 401/403 at userinfo), 500 only for
// server_error.
func (s *site) writeOAuthError(w http.ResponseWriter, r *http.Request, err error) {
	op.WriteError(w, r, err, s.errorLog())
}

// oauthErr builds an *oidc.Error with any error code, including those
// zitadel has no constructor for (invalid_token, unsupported_response_type…).
func oauthErr(code, description string) *oidc.Error {
	e := &oidc.Error{Description: description}
	setString(&e.ErrorType, code)
	return e
}

// setString assigns to a string-based field whose type is unexported.
func setString[T ~string](dst *T, v string) { *dst = T(v) }

// withStatus attaches an HTTP status to an OAuth error.
func withStatus(err error, status int) error { return op.NewStatusError(err, status) }

var errorPageTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>testidp: {{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}code{background:#f3f3f3;padding:0 .2rem}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Detail}}</p>
<p><small>testidp — an OpenID Provider for tests. Never use it in production.</small></p></body></html>
`))

// errorPage answers a browser request that cannot be redirected back to the
// client (unknown client, untrusted redirect URI): a plain HTML page, never a
// redirect (RFC 6749 §4.1.2.1).
func errorPage(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = errorPageTmpl.Execute(w, struct{ Title, Detail string }{title, detail})
}

// oauthErrf is oauthErr with a formatted description.
func oauthErrf(code, format string, args ...any) *oidc.Error {
	return oauthErr(code, fmt.Sprintf(format, args...))
}
