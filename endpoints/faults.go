package endpoints

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/keys"
)

// faultEnv wires a fault case to this issuer: it mints with the issuer's
// keys, rotates the real key ring (rotation cases), names the real jwks_uri
// and knows the client's secret and encryption registration. spec is the
// baseline the case breaks — in a flow, the very token the flow would issue.
func (s *site) faultEnv(ctx context.Context, c *client, spec issuer.IDToken) issuer.FaultEnv {
	env := issuer.FaultEnv{Spec: spec, JWKSURI: s.url(s.paths.jwks), NoNonce: spec.Nonce == "",
		Rotate: s.rotateSigningKeyNow, Unpublish: s.unpublishKey}
	if enc, err := s.encryption(ctx, c); err == nil && enc != nil {
		env.EncryptionKey, env.EncryptionAlg, env.EncryptionEnc = enc.Key, enc.Alg, enc.Enc
	}
	return env
}

// forge builds a case variant and gives its last step what it needs from
// this provider: the JWK Set it names is served at the jwks_uri (as the
// custom JWKS behaviour; POST {issuer}/_testidp/jwks {"behaviour":"normal"}
// restores the real one), and a rogue document it names on this host is
// served there, with fetches counted.
func (s *site) forge(env issuer.FaultEnv, ref string) (*issuer.Forged, *issuer.Case, issuer.Variant, error) {
	var f *issuer.Forged
	var c *issuer.Case
	var v issuer.Variant
	err := s.withKeyFor(func() (err error) {
		f, c, v, err = s.iss.Forge(env, ref)
		return err
	})
	if err != nil {
		return nil, c, v, err
	}
	if jwks := f.Last().JWKS; jwks != nil {
		s.jwks.mode.Store(&jwksBehaviour{Name: "custom", Status: http.StatusOK, ContentType: "application/json", Body: jwks})
	}
	if f.Rogue != nil && f.RogueURL != "" {
		s.rogue.put(f.RogueURL, f.Rogue, f.RogueType, s.issuerURL)
	}
	return f, c, v, nil
}

// rogueDocs are documents a fault case names by URL on this host (jku,
// x5u): served when fetched, and every fetch counted, since fetching them is
// itself a finding (RFC 8725 §3.10: do not follow jku blindly).
type rogueDocs struct {
	mu   sync.Mutex
	docs map[string]*rogueDoc // by path
}

type rogueDoc struct {
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
	Fetches     int    `json:"fetches"`
	// Document is the document itself, in a mint answer only: a caller
	// that serves it at its own rogue_url needs it.
	Document string `json:"document,omitempty"`
	body     []byte
}

// put registers body at rawURL when that URL is on the issuer's host.
func (r *rogueDocs) put(rawURL string, body []byte, contentType, issuerURL string) {
	u, err := url.Parse(rawURL)
	iss, err2 := url.Parse(issuerURL)
	if err != nil || err2 != nil || !strings.EqualFold(u.Host, iss.Host) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.docs == nil {
		r.docs = map[string]*rogueDoc{}
	}
	r.docs[u.Path] = &rogueDoc{URL: rawURL, ContentType: contentType, body: body}
}

// serve answers a request for a registered rogue document.
func (r *rogueDocs) serve(w http.ResponseWriter, req *http.Request) bool {
	r.mu.Lock()
	d := r.docs[req.URL.Path]
	if d != nil {
		d.Fetches++
	}
	r.mu.Unlock()
	if d == nil {
		return false
	}
	w.Header().Set("Content-Type", d.ContentType)
	_, _ = w.Write(d.body)
	return true
}

// list is what GET {issuer}/_testidp/rogue shows.
func (r *rogueDocs) list() []rogueDoc {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []rogueDoc{}
	for _, d := range r.docs {
		out = append(out, *d)
	}
	return out
}

// withKeyFor runs mint, and when it fails for want of an active key of some
// algorithm — a fault case or a mint request signing with an algorithm no
// client uses yet — adds a key of that algorithm to the ring (stored and
// published, as at start) and runs it again.
func (s *site) withKeyFor(mint func() error) error {
	for range len(keys.RingAlgs) {
		err := mint()
		var nk *keys.NoKeyError
		if !errors.As(err, &nk) {
			return err
		}
		if _, err := s.keys.update(context.Background(), func(ks []*keys.Key, now time.Time) ([]*keys.Key, error) {
			return keys.EnsureActive(ks, []keys.Alg{nk.Alg}, now, s.keys.source)
		}); err != nil {
			return err
		}
	}
	return mint()
}
