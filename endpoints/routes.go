package endpoints

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// routes is the whole HTTP surface: every route of every issuer is listed
// here. sites are the provider's, or their copies for one request origin
// (issuer_from_request).
func (p *Provider) routes(sites []*site) http.Handler {
	r := chi.NewRouter()
	r.Use(p.requestLog, p.recoverer, limitBody, cors)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		for _, s := range sites {
			if s.rogue.serve(w, r) { // a document a fault case named (jku, x5u)
				return
			}
		}
		http.Error(w, "404 page not found", http.StatusNotFound)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusMethodNotAllowed)
		_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"HTTP method not allowed at this endpoint"}`))
	})
	r.Get("/healthz", p.serveHealth)
	for _, s := range sites {
		s.mount(r)
		s.mountTestingAPI(r, p)
		if s.prefix != "" {
			// RFC 8414 §3.1: the metadata of an issuer with a path is
			// also at the well-known URI with the path appended.
			r.Get(pathASMetadata+s.prefix, s.serveASMetadata)
			r.Head(pathASMetadata+s.prefix, s.serveASMetadata)
		}
	}
	return r
}

// mount adds one issuer's endpoints under its path. Every handler first
// applies the key transitions whose time has come (see keyRing.refresh).
func (s *site) mount(r chi.Router) {
	static := func(path string, h http.HandlerFunc) {
		r.Get(s.route(path), h)
		r.Head(s.route(path), h)
	}
	static(pathDiscovery, s.serveDiscovery)
	static(pathASMetadata, s.serveASMetadata)
	static(s.paths.jwks, s.current(s.serveJWKS))

	r.Get(s.route(s.paths.authorize), s.current(s.serveAuthorize))
	r.Post(s.route(s.paths.authorize), s.current(s.serveAuthorize))
	r.Get(s.route(pathLogin), s.serveLoginPage)
	r.Post(s.route(pathLogin), s.current(s.serveLoginDecision))
	r.Get(s.route(s.paths.endSession), s.current(s.serveEndSession))
	r.Post(s.route(s.paths.endSession), s.current(s.serveEndSession))
	r.Get(s.route(pathLoggedOut), s.serveLoggedOut)

	r.Post(s.route(s.paths.token), s.logRefusals(s.current(s.withForm(s.serveToken))))
	r.Get(s.route(s.paths.userinfo), s.current(s.withForm(s.serveUserinfo)))
	r.Post(s.route(s.paths.userinfo), s.current(s.withForm(s.serveUserinfo)))
	r.Post(s.route(s.paths.introspect), s.current(s.withForm(s.serveBasicAuthed)))
	r.Post(s.route(s.paths.revoke), s.current(s.withForm(s.serveBasicAuthed)))
}

// current runs h with the issuer's key ring brought up to the clock.
func (s *site) current(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.keys.refresh()
		h(w, r)
	}
}

// serveBasicAuthed hands introspection and revocation to the op server,
// adding the Basic challenge to a 401 (RFC 6749 §5.2).
func (s *site) serveBasicAuthed(w http.ResponseWriter, r *http.Request) {
	s.op.ServeHTTP(basicChallenge(w, r), r)
}

// basicChallenge adds WWW-Authenticate to a 401 answering a request that
// carried an Authorization header.
func basicChallenge(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
	return &onUnauthorized{ResponseWriter: w, set: func(h http.Header) {
		if r.Header.Get("Authorization") != "" {
			h.Set("WWW-Authenticate", `Basic realm="testidp"`)
		}
	}}
}
