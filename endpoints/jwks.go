package endpoints

import (
	"net/http"
	"strings"
)

// serveJWKS writes the ring's precomputed JWK Set, with a strong ETag so that
// a verifier's conditional request gets 304 (RFC 9110 §13.1.2).
func (s *site) serveJWKS(w http.ResponseWriter, r *http.Request) {
	etag := s.ring.ETag()
	w.Header()["Etag"] = []string{etag}
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.Header()["Cache-Control"] = []string{"public, max-age=60"}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeStatic(w, r, s.ring.JWKS(), "application/json", "public, max-age=60")
}

// etagMatches implements If-None-Match's weak comparison against one tag.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
