package endpoints

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/testidp/testidp/keys"
)

// importRequest is POST {issuer}/_testidp/keys/import.
type importRequest struct {
	// Key is the key material: PEM text or JWK / JWK Set JSON as a string,
	// or a JWK / JWK Set object.
	Key json.RawMessage `json:"key"`
	// Alg and KID as for keys.import in the configuration.
	Alg string `json:"alg"`
	KID string `json:"kid"`
	// Activate (default true): the first key of each algorithm signs at
	// once; the others (and all, when false) are published without signing.
	Activate *bool `json:"activate"`
}

func (s *site) serveImport(w http.ResponseWriter, r *http.Request) {
	var req importRequest
	if err := decodeJSON(r, &req); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if len(req.Key) == 0 {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", `"key" is required: PEM text, or a JWK or JWK Set`)
		return
	}
	data := []byte(req.Key)
	var text string
	if json.Unmarshal(req.Key, &text) == nil {
		data = []byte(text)
	}
	ks, err := keys.Import(data, keys.ImportOptions{Alg: keys.Alg(req.Alg), KeyID: req.KID}, s.now())
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	activate := req.Activate == nil || *req.Activate
	if err := s.keys.add(r.Context(), ks, activate); err != nil {
		writeKeyError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.keys.view(ks))
}

// add puts imported keys into the ring (see keys.Add).
func (r *keyRing) add(ctx context.Context, ks []*keys.Key, activate bool) error {
	_, err := r.update(ctx, func(ring []*keys.Key, now time.Time) ([]*keys.Key, error) {
		return keys.Add(ring, ks, now, keys.AddOptions{Activate: activate, RetireAfter: r.policy.RetireAfter})
	})
	return err
}

// serveUnpublish is POST {issuer}/_testidp/keys/unpublish {"kid": …}.
func (s *site) serveUnpublish(w http.ResponseWriter, r *http.Request) {
	var req struct {
		KID string `json:"kid"`
	}
	if err := decodeJSON(r, &req); err != nil || req.KID == "" {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf(`give the key as {"kid": "…"} (%v)`, err))
		return
	}
	if err := s.unpublishKey(req.KID); err != nil {
		writeKeyError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.keys.view(nil))
}

// serveExport is GET {issuer}/_testidp/keys/export: the published keys as a
// JWK Set, with ?private=true their private parts too, with ?format=pem as
// PKCS#8 PEM (private only); ?kid=… picks one key of the ring.
func (s *site) serveExport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	private, format, kid := q.Get("private") == "true", q.Get("format"), q.Get("kid")
	if format != "" && format != "jwks" && format != "pem" || format == "pem" && !private {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", `format: "jwks" (default) or "pem" (with private=true)`)
		return
	}
	s.keys.poll(r.Context())
	now := s.now()
	var ks []*keys.Key
	for _, k := range s.ring.Keys() {
		if kid == k.ID || kid == "" && k.Published(now) {
			ks = append(ks, k)
		}
	}
	if kid != "" && len(ks) == 0 {
		writeKeyError(w, fmt.Errorf("%w %q", keys.ErrUnknownKid, kid))
		return
	}
	body, contentType, err := exportKeys(ks, private, format)
	if err != nil {
		writeKeyError(w, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(body)
}

func exportKeys(ks []*keys.Key, private bool, format string) ([]byte, string, error) {
	if format == "pem" {
		b, err := keys.ExportPEM(ks)
		return b, "application/x-pem-file", err
	}
	b, err := keys.ExportJWKS(ks, private)
	return b, "application/json", err
}

// rotateSigningKeyNow makes a new key of alg sign at once (publish-ahead
// zero: a verifier meets its kid before it ever saw it in the JWKS); the
// replaced key stays published for keys.retire_after. It is the fault
// catalog's rotation hook (issuer.FaultEnv.Rotate).
func (s *site) rotateSigningKeyNow(alg keys.Alg) error {
	_, err := s.keys.rotate(context.Background(), []keys.Alg{alg}, 0, s.keys.policy.RetireAfter)
	return err
}

// unpublishKey takes the key kid out of the ring and the JWKS (tokens it
// signed no longer verify once a verifier re-fetches). The active key of an
// algorithm cannot be unpublished: rotate first. It is the fault catalog's
// removal hook (issuer.FaultEnv.Unpublish).
func (s *site) unpublishKey(kid string) error {
	_, err := s.keys.update(context.Background(), func(ks []*keys.Key, _ time.Time) ([]*keys.Key, error) {
		return keys.Unpublish(ks, kid)
	})
	return err
}
