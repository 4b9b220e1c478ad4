package endpoints

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// requestLog writes one info line per request: method, path (never the
// query, which can hold an id_token_hint or a code), status, duration,
// response bytes, the client_id the request names, and the OAuth error code
// of a refused request. With the level above info it costs one Enabled call.
func (p *Provider) requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.log.Enabled(r.Context(), slog.LevelInfo) {
			next.ServeHTTP(w, r)
			return
		}
		// Wall time for the duration, not the provider's clock (which
		// tests may pin).
		start := time.Now()
		lw := &logWriter{ResponseWriter: w}
		next.ServeHTTP(lw, r)
		attrs := make([]slog.Attr, 0, 8)
		attrs = append(attrs, slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", lw.status()), slog.Duration("duration", time.Since(start)), slog.Int64("bytes", lw.bytes))
		if id := requestClientID(r); id != "" {
			attrs = append(attrs, slog.String("client_id", id))
		}
		if code, _ := lw.oauthError(); code != "" {
			attrs = append(attrs, slog.String("error", code))
		}
		logAttrs(r.Context(), p.log, slog.LevelInfo, "request", attrs...)
	})
}

// logAttrs is Logger.LogAttrs without the caller's program counter, which
// slog finds with runtime.Callers on every record; these lines have no use
// for it, and they are on the token endpoint's path.
func logAttrs(ctx context.Context, l *slog.Logger, level slog.Level, msg string, attrs ...slog.Attr) {
	h := l.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	r := slog.NewRecord(time.Now(), level, msg, 0)
	r.AddAttrs(attrs...)
	_ = h.Handle(ctx, r)
}

// maxErrorBody is how much of an error response logWriter keeps to find
// its OAuth error code.
const maxErrorBody = 1 << 10

// logWriter records what a handler answered: the status, the bytes written,
// and the start of an error response's body.
type logWriter struct {
	http.ResponseWriter
	code    int
	bytes   int64
	errBody []byte
}

func (w *logWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *logWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	if w.code >= 400 && len(w.errBody) < maxErrorBody {
		w.errBody = append(w.errBody, b[:min(len(b), maxErrorBody-len(w.errBody))]...)
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *logWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// oauthError returns the error code and description of an RFC 6749 JSON
// error response, or "" for anything else.
func (w *logWriter) oauthError() (code, description string) {
	if w.code < 400 || !bytes.HasPrefix(bytes.TrimSpace(w.errBody), []byte("{")) {
		return "", ""
	}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(w.errBody, &e) != nil {
		return "", ""
	}
	return e.Error, e.Description
}

// requestClientID is the client a request names: the form's client_id
// (when a handler parsed the form), the query's, or the Basic user. It is
// what the request claims, not an authenticated identity.
func requestClientID(r *http.Request) string {
	if r.Form != nil {
		if id := r.Form.Get("client_id"); id != "" {
			return id
		}
	} else if strings.Contains(r.URL.RawQuery, "client_id=") {
		if id := r.URL.Query().Get("client_id"); id != "" {
			return id
		}
	}
	return basicUser(r.Header.Get("Authorization"))
}

// basicUser decodes the user of a Basic Authorization header (RFC 6749
// §2.3.1: form-encoded), never the password.
func basicUser(h string) string {
	const prefix = "Basic "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(h[len(prefix):])
	if err != nil {
		return ""
	}
	user, _, ok := bytes.Cut(raw, []byte(":"))
	if !ok {
		return ""
	}
	id, err := url.QueryUnescape(string(user))
	if err != nil {
		return ""
	}
	return id
}

// recordOf finds the request log's record of a response, if logging is on.
func recordOf(w http.ResponseWriter) *logWriter {
	for {
		switch v := w.(type) {
		case *logWriter:
			return v
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return nil
		}
	}
}
