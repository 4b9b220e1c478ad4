package endpoints

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// respond sends an authorization response to the client's redirect URI in the
// request's response mode, adding state and iss (RFC 9207).
func (s *site) respond(w http.ResponseWriter, r *http.Request, ar *authRequest, params url.Values) {
	if ar.State != "" {
		params.Set("state", ar.State)
	}
	params.Set("iss", s.issuerURL)
	switch ar.ResponseMode {
	case "form_post":
		formPost(w, ar.RedirectURI, params)
	case "fragment":
		redirect(w, r, withFragment(ar.RedirectURI, params))
	default:
		redirect(w, r, withQuery(ar.RedirectURI, params))
	}
}

// respondError sends an OAuth error to the client (RFC 6749 §4.1.2.1,
// OpenID Connect Core §3.1.2.6).
func (s *site) respondError(w http.ResponseWriter, r *http.Request, ar *authRequest, err error) {
	var oe *oidc.Error
	if !errors.As(err, &oe) {
		oe = oauthErr("server_error", err.Error())
	}
	s.log.Info("authorization error", "client", ar.ClientID, "error", string(oe.ErrorType), "description", oe.Description)
	params := url.Values{"error": {string(oe.ErrorType)}}
	if oe.Description != "" {
		params.Set("error_description", oe.Description)
	}
	s.respond(w, r, ar, params)
}

func redirect(w http.ResponseWriter, r *http.Request, to string) {
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, status)
}

// withQuery adds params to the redirect URI's query, keeping its own.
func withQuery(redirectURI string, params url.Values) string {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return redirectURI
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// withFragment puts params in the fragment, form-encoded.
func withFragment(redirectURI string, params url.Values) string {
	base, _, _ := strings.Cut(redirectURI, "#")
	return base + "#" + params.Encode()
}

var formPostTmpl = template.Must(template.New("form_post").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Submitting…</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{.URI}}">
{{range $k, $vs := .Params}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">
{{end}}{{end}}<noscript><button type="submit">Continue</button></noscript>
</form></body></html>
`))

// formPost answers with a page that posts params to the redirect URI
// (OAuth 2.0 Form Post Response Mode).
func formPost(w http.ResponseWriter, redirectURI string, params url.Values) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = formPostTmpl.Execute(w, struct {
		URI    template.URL
		Params url.Values
	}{template.URL(redirectURI), params})
}
