package endpoints

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/testidp/testidp/keys"
)

// jwksServer serves one issuer's jwks_uri: the ring's precomputed JWK Set,
// unless a test switched the endpoint to another behaviour through the
// testing API (jwks_behaviour.go).
type jwksServer struct {
	ring         *keys.Ring
	cacheControl string
	mode         atomic.Pointer[jwksBehaviour] // nil: normal
}

func newJWKSServer(ring *keys.Ring, maxAge time.Duration) *jwksServer {
	return &jwksServer{ring: ring, cacheControl: "public, max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10)}
}

// serveJWKS is the jwks_uri.
func (s *site) serveJWKS(w http.ResponseWriter, r *http.Request) {
	if b := s.jwks.mode.Load(); b != nil {
		s.jwks.serveBehaviour(w, r, b)
		return
	}
	s.jwks.serveNormal(w, r)
}

// serveNormal writes the ring's precomputed JWK Set with the configured
// max-age and a strong ETag, so that a verifier's conditional request gets
// 304 (RFC 9110 §13.1.2).
func (j *jwksServer) serveNormal(w http.ResponseWriter, r *http.Request) {
	jwks, etag := j.ring.Published()
	w.Header()["Etag"] = []string{etag}
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.Header()["Cache-Control"] = []string{j.cacheControl}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeStatic(w, r, jwks, "application/json", j.cacheControl)
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
