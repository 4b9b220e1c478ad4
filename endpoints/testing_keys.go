package endpoints

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/testidp/testidp/keys"
)

// keyView is one key in the testing API (and `testidp keys list`).
type keyView struct {
	Kid       string    `json:"kid"`
	Alg       string    `json:"alg"`
	State     string    `json:"state"`
	Published bool      `json:"published"`
	CreatedAt time.Time `json:"created_at"`
	// ActivatedAt is when the key started signing, or for a next key when
	// it is planned to.
	ActivatedAt *time.Time `json:"activated_at,omitempty"`
	RetiredAt   *time.Time `json:"retired_at,omitempty"`
	RemoveAt    *time.Time `json:"remove_at,omitempty"`
}

// ringView is an issuer's key ring in the testing API.
type ringView struct {
	Keys       []keyView  `json:"keys"`
	NextChange *time.Time `json:"next_change,omitempty"`
	Policy     struct {
		RotateEvery  string `json:"rotate_every"`
		PublishAhead string `json:"publish_ahead"`
		RetireAfter  string `json:"retire_after"`
	} `json:"policy"`
	Seeded bool `json:"seeded"`
	// Changed lists the keys a POST made (rotate) or added (import).
	Changed []string `json:"changed,omitempty"`
}

func (r *keyRing) view(changed []*keys.Key) ringView {
	now := r.now()
	var v ringView
	for _, k := range r.ring.Keys() {
		v.Keys = append(v.Keys, keyView{Kid: k.ID, Alg: string(k.Alg), State: string(k.State), Published: k.Published(now),
			CreatedAt: k.CreatedAt.UTC(), ActivatedAt: optTime(k.ActivatedAt), RetiredAt: optTime(k.RetiredAt), RemoveAt: optTime(k.RemoveAt)})
	}
	if n := r.next.Load(); n != noChange {
		v.NextChange = optTime(time.Unix(0, n))
	}
	v.Policy.RotateEvery, v.Policy.PublishAhead = r.policy.RotateEvery.String(), r.policy.PublishAhead.String()
	v.Policy.RetireAfter, v.Seeded = r.policy.RetireAfter.String(), r.cfg.Seed != ""
	for _, k := range changed {
		v.Changed = append(v.Changed, k.ID)
	}
	return v
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// serveKeys is GET {issuer}/_testidp/keys: the ring, as stored (a change
// another process made is loaded first).
func (s *site) serveKeys(w http.ResponseWriter, r *http.Request) {
	s.keys.poll(r.Context())
	writeJSON(w, http.StatusOK, s.keys.view(nil))
}

// rotateRequest is POST {issuer}/_testidp/keys/rotate. Durations are Go
// durations; absent ones take the issuer's keys configuration.
type rotateRequest struct {
	// Alg to rotate; empty: every algorithm with an active key.
	Alg string `json:"alg"`
	// PublishAhead: how long the new key is published before it signs
	// ("0s": at once, so that verifiers meet a kid they never saw).
	PublishAhead *string `json:"publish_ahead"`
	// RetireAfter: how long the replaced key stays published once the new
	// key signs.
	RetireAfter *string `json:"retire_after"`
	// RetireNow: the replaced key leaves the JWKS the moment the new key
	// signs (retire_after "0s").
	RetireNow bool `json:"retire_now"`
}

func (s *site) serveRotate(w http.ResponseWriter, r *http.Request) {
	var req rotateRequest
	if err := decodeJSON(r, &req); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	var algs []keys.Alg
	if req.Alg != "" {
		a, err := keys.ParseAlg(req.Alg)
		if err != nil || !a.Asymmetric() {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("alg %q: must be one of RS256, PS256, ES256, ES384, EdDSA", req.Alg))
			return
		}
		algs = []keys.Alg{a}
	}
	ahead, retire, err := req.durations(s.keys.policy)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	made, err := s.keys.rotate(r.Context(), algs, ahead, retire)
	if err != nil {
		writeKeyError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.keys.view(made))
}

// durations resolves the request's durations against the policy.
func (req rotateRequest) durations(p keys.Policy) (ahead, retire time.Duration, err error) {
	parse := func(name string, v *string, def time.Duration) (time.Duration, error) {
		if v == nil {
			return def, nil
		}
		d, err := time.ParseDuration(*v)
		if err != nil || d < 0 {
			return 0, fmt.Errorf(`%s %q: give a duration such as "0s", "90s" or "1h"`, name, *v)
		}
		return d, nil
	}
	if req.RetireNow && req.RetireAfter != nil {
		return 0, 0, errors.New("give retire_now or retire_after, not both")
	}
	if ahead, err = parse("publish_ahead", req.PublishAhead, p.PublishAhead); err != nil {
		return 0, 0, err
	}
	if retire, err = parse("retire_after", req.RetireAfter, p.RetireAfter); err != nil || req.RetireNow {
		return ahead, 0, err
	}
	return ahead, retire, nil
}

// rotate rotates algs (every algorithm with an active key when empty) and
// returns the new keys.
func (r *keyRing) rotate(ctx context.Context, algs []keys.Alg, publishAhead, retireAfter time.Duration) ([]*keys.Key, error) {
	var made []*keys.Key
	_, err := r.update(ctx, func(ks []*keys.Key, now time.Time) ([]*keys.Key, error) {
		made = nil
		todo := algs
		if len(todo) == 0 {
			todo = keys.ActiveAlgs(ks)
		}
		for _, alg := range todo {
			var k *keys.Key
			var err error
			opts := keys.RotateOptions{Alg: alg, PublishAhead: publishAhead, RetireAfter: retireAfter}
			if ks, k, err = keys.Rotate(ks, now, opts, r.source); err != nil {
				return nil, err
			}
			made = append(made, k)
		}
		return ks, nil
	})
	return made, err
}

// writeKeyError answers a failed key operation: bad input is a 4xx naming
// the problem, a storage failure a 500.
func writeKeyError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, keys.ErrUnknownKid):
		writeAPIError(w, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, keys.ErrActiveKey), errors.Is(err, keys.ErrKidInUse):
		writeAPIError(w, http.StatusConflict, "conflict", err.Error())
	case errors.Is(err, keys.ErrUnsupportedAlg), errors.Is(err, keys.ErrKeyMismatch), errors.Is(err, keys.ErrNoPrivateKey):
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
	default:
		writeAPIError(w, http.StatusInternalServerError, "server_error", err.Error())
	}
}
