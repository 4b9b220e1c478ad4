package endpoints

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// The testing API lives under {issuer}/_testidp/: what a test needs to
// drive the provider (clock, keys, mint, faults, endpoint behaviours, the
// issued-token log). It can be switched off (testing_api: false) or protected
// with a bearer token (admin_token).
const pathTestingAPI = "/_testidp"

// mountTestingAPI adds the testing API routes of one issuer.
func (s *site) mountTestingAPI(r chi.Router, p *Provider) {
	if !*p.cfg.TestingAPI {
		return
	}
	r.Route(s.route(pathTestingAPI), func(r chi.Router) {
		r.Use(p.requireAdmin)
		r.Get("/clock", p.serveClock)
		r.Post("/clock", p.serveClock)
		r.Get("/faults", serveFaults)
		r.Post("/mint", s.current(s.serveMint))
		r.Get("/rogue", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.rogue.list()) })
		r.Get("/failures", s.serveFailures)
		r.Post("/failures", s.serveFailures)
		r.Delete("/failures", s.serveFailures)
		r.Get("/keys", s.current(s.serveKeys))
		r.Post("/keys/rotate", s.current(s.serveRotate))
		r.Post("/keys/import", s.current(s.serveImport))
		r.Post("/keys/unpublish", s.current(s.serveUnpublish))
		r.Get("/keys/export", s.current(s.serveExport))
		r.Get("/jwks", s.serveJWKSBehaviour)
		r.Post("/jwks", s.serveJWKSBehaviour)
		r.Get("/tokens", s.serveIssuedTokens)
	})
}

// requireAdmin checks the admin token, when one is configured.
func (p *Provider) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.cfg.AdminToken != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(p.cfg.AdminToken)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="testidp testing API"`)
				writeAPIError(w, http.StatusUnauthorized, "invalid_token", "the testing API needs the admin token as a Bearer token")
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		writeAPIError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeAPIError writes a testing-API error in the shape of every other error
// of testidp: {"error": …, "error_description": …}.
func writeAPIError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(struct {
		Error       string `json:"error"`
		Description string `json:"error_description,omitempty"`
	}{code, description})
	_, _ = w.Write(append(b, '\n'))
}

// decodeJSON reads a JSON request body into v, refusing unknown fields and
// trailing data. An empty body leaves v as it is.
func decodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fmt.Errorf("request body larger than %d bytes", maxBodyBytes)
		}
		return err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed JSON body: %v", err)
	}
	if dec.More() {
		return errors.New("malformed JSON body: data after the JSON value")
	}
	return nil
}
