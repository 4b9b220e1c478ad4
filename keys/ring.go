package keys

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Ring is the key ring of one issuer: every key it publishes, with at most one
// active key per algorithm. Reads are lock-free; Set replaces the whole ring.
type Ring struct {
	cur atomic.Pointer[snapshot]
}

type snapshot struct {
	keys   []*Key
	active map[Alg]*Key
	byID   map[string]*Key
	jwks   []byte
	etag   string
	set    jose.JSONWebKeySet
}

// NewRing returns a ring holding keys, published as of now.
func NewRing(now time.Time, keys ...*Key) (*Ring, error) {
	r := &Ring{}
	if err := r.Set(now, keys); err != nil {
		return nil, err
	}
	return r, nil
}

// Set replaces the ring's keys. It fails, leaving the ring unchanged, when two
// keys share a kid or an algorithm has more than one active key (see Check).
// Keys are kept oldest first (ties by kid), so the same keys always give the
// same JWKS bytes; those whose RemoveAt is at or before now are not
// published.
func (r *Ring) Set(now time.Time, keys []*Key) error {
	if err := Check(keys); err != nil {
		return err
	}
	keys = slices.Clone(keys)
	slices.SortStableFunc(keys, func(a, b *Key) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	s := &snapshot{active: map[Alg]*Key{}, byID: map[string]*Key{}, keys: keys}
	for _, k := range keys {
		if k.State == Active {
			s.active[k.Alg] = k
		}
		s.byID[k.ID] = k
	}
	for _, k := range s.keys {
		if k.Published(now) {
			s.set.Keys = append(s.set.Keys, k.public)
		}
	}
	if s.set.Keys == nil {
		s.set.Keys = []jose.JSONWebKey{}
	}
	b, err := json.Marshal(s.set)
	if err != nil {
		return fmt.Errorf("keys: encode jwks: %w", err)
	}
	sum := sha256.Sum256(b)
	s.jwks = b
	s.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
	r.cur.Store(s)
	return nil
}

// Check reports whether keys can form a ring: every kid once, at most one
// active key per algorithm, and known states and algorithms.
func Check(keys []*Key) error {
	ids := make(map[string]bool, len(keys))
	active := map[Alg]string{}
	for _, k := range keys {
		if ids[k.ID] {
			return fmt.Errorf("keys: duplicate kid %q in ring", k.ID)
		}
		ids[k.ID] = true
		switch k.State {
		case Active:
			if other, dup := active[k.Alg]; dup {
				return fmt.Errorf("keys: two active %s keys (%q, %q)", k.Alg, other, k.ID)
			}
			active[k.Alg] = k.ID
		case Next, Retired:
		default:
			return fmt.Errorf("keys: key %q has unknown state %q", k.ID, k.State)
		}
		if !k.Alg.Asymmetric() {
			return fmt.Errorf("%w for a ring key: %q (key %q)", ErrUnsupportedAlg, k.Alg, k.ID)
		}
	}
	return nil
}

// Published reports whether the key belongs in the JWKS at time now.
func (k *Key) Published(now time.Time) bool {
	return k.RemoveAt.IsZero() || now.Before(k.RemoveAt)
}

// Keys returns the ring's keys, oldest first.
func (r *Ring) Keys() []*Key {
	return append([]*Key(nil), r.cur.Load().keys...)
}

// Active returns the signing key for alg.
func (r *Ring) Active(alg Alg) (*Key, error) {
	if k, ok := r.cur.Load().active[alg]; ok {
		return k, nil
	}
	return nil, &NoKeyError{Alg: alg}
}

// Lookup returns the key with the given kid, published or not.
func (r *Ring) Lookup(kid string) (*Key, bool) {
	k, ok := r.cur.Load().byID[kid]
	return k, ok
}

// JWKS is the published JWK Set as JSON, computed when the ring last changed.
// The slice is shared: callers must not modify it.
func (r *Ring) JWKS() []byte { return r.cur.Load().jwks }

// Published is the JWK Set as JSON (as JWKS returns it) with its strong
// entity tag, both from the same state of the ring, so that a tag never
// labels another set's bytes.
func (r *Ring) Published() (jwks []byte, etag string) {
	s := r.cur.Load()
	return s.jwks, s.etag
}

// PublicSet is the published JWK Set as go-jose values, for verifying tokens.
func (r *Ring) PublicSet() jose.JSONWebKeySet { return r.cur.Load().set }

// ActiveAlgs lists the algorithms of ks that have an active key, in RingAlgs
// order.
func ActiveAlgs(ks []*Key) []Alg {
	var out []Alg
	for _, alg := range RingAlgs {
		if find(ks, alg, Active) != nil {
			out = append(out, alg)
		}
	}
	return out
}
