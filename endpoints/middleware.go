package endpoints

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime/debug"
	"sort"
	"time"
)

// maxBodyBytes caps every request body.
const maxBodyBytes = 64 << 10

// bodyReadTimeout is how long a client may take to send a request body: a
// client that trickles one cannot hold a connection for longer. (The
// server's ReadTimeout would do it too, but it also cancels the request's
// context at the deadline, and some answers are delayed on purpose for up
// to 5 minutes.)
var bodyReadTimeout = 30 * time.Second

// limitBody caps the request body so that a client cannot make the server
// read without bound, nor for longer than bodyReadTimeout.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		body := http.MaxBytesReader(w, r.Body, maxBodyBytes)
		rc := http.NewResponseController(w)
		if rc.SetReadDeadline(time.Now().Add(bodyReadTimeout)) != nil {
			r.Body = body // not a served connection (a test's recorder)
			next.ServeHTTP(w, r)
			return
		}
		r.Body = &deadlineBody{ReadCloser: body, rc: rc}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the body's read deadline once the body is read: the
// server then reads the connection in the background to notice a client
// that goes away, and that read must not time out while a handler takes its
// time. A body not read to its end keeps the deadline, which then also
// bounds the server's reading of the rest (a timeout there closes the
// connection); the server sets its own deadline for the next request.
type deadlineBody struct {
	io.ReadCloser
	rc *http.ResponseController
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && b.rc != nil {
		_ = b.rc.SetReadDeadline(time.Time{})
		b.rc = nil
	}
	return n, err
}

// parseForm parses query and body parameters and refuses a parameter given
// more than once (RFC 6749 §3.1, §3.2). The error is an OAuth error.
func parseForm(r *http.Request) error {
	if err := parsePlainForm(r); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return oauthErr("invalid_request", fmt.Sprintf("request body larger than %d bytes", maxBodyBytes))
		}
		return oauthErr("invalid_request", "malformed request parameters: "+err.Error())
	}
	if name := repeatedParam(r); name != "" {
		return oauthErr("invalid_request", fmt.Sprintf("parameter %q is included more than once (RFC 6749 §3.1)", name))
	}
	return nil
}

// parsePlainForm parses the common case of a token request cheaply: a POST
// of exactly application/x-www-form-urlencoded without a query string, whose
// body parameters are then the whole form (r.Form and r.PostForm are one
// map, as no query values need merging). Anything else is left to
// r.ParseForm.
func parsePlainForm(r *http.Request) error {
	if r.Method != http.MethodPost || r.URL.RawQuery != "" || r.Form != nil || r.PostForm != nil ||
		r.Body == nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		return nil
	}
	var body []byte
	var err error
	if n := r.ContentLength; n > 0 && n <= maxBodyBytes {
		body = make([]byte, n)
		_, err = io.ReadFull(r.Body, body)
	} else {
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		if err == nil && len(body) > maxBodyBytes {
			err = &http.MaxBytesError{Limit: maxBodyBytes}
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return oauthErr("invalid_request", fmt.Sprintf("request body larger than %d bytes", maxBodyBytes))
	case err != nil:
		return oauthErr("invalid_request", "malformed request parameters: "+err.Error())
	}
	form, err := url.ParseQuery(string(body))
	r.PostForm, r.Form = form, form
	if err != nil {
		return oauthErr("invalid_request", "malformed request parameters: "+err.Error())
	}
	return nil
}

// repeatedParam returns the first (sorted) parameter with several values.
func repeatedParam(r *http.Request) string {
	var names []string
	for k, v := range r.Form {
		if len(v) > 1 {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return names[0]
}

// withForm parses and checks the form before an OAuth JSON endpoint runs.
func (s *site) withForm(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := parseForm(r); err != nil {
			s.writeOAuthError(w, r, err)
			return
		}
		next(w, r)
	}
}

// cors lets browser applications call the JSON endpoints (discovery, JWKS,
// token, userinfo, introspection, revocation) from any origin, without
// credentials.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "WWW-Authenticate, ETag")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, If-None-Match, DPoP")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic into a logged server_error instead of a dropped
// connection. Reaching it is a bug.
func (p *Provider) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				p.log.Error("panic serving request", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, `{"error":"server_error","error_description":"internal error"}`, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// onUnauthorized calls set when the response status is 401, before headers
// are written; used to add WWW-Authenticate (RFC 6749 §5.2, RFC 6750 §3).
type onUnauthorized struct {
	http.ResponseWriter
	set func(http.Header)
}

func (w *onUnauthorized) WriteHeader(code int) {
	if code == http.StatusUnauthorized {
		w.set(w.Header())
	}
	w.ResponseWriter.WriteHeader(code)
}
