package keys

import (
	"crypto"
	"fmt"
	"slices"
	"time"
)

// RotateOptions tune Rotate. Durations are exact: the caller fills in the
// policy's values where the user gave none.
type RotateOptions struct {
	Alg Alg
	// PublishAhead is how long the new key is published before it signs;
	// zero: it signs at once, so a verifier meets its kid before ever
	// seeing it in the JWKS.
	PublishAhead time.Duration
	// RetireAfter is how long the replaced key stays published once the
	// new key signs; zero: it leaves the JWKS at that moment.
	RetireAfter time.Duration
}

// Rotate starts a rotation of opts.Alg at now: a new key is made (replacing
// any next key of that algorithm) and signs PublishAhead later; the key it
// replaces then stays published for RetireAfter. Without an active key for
// the algorithm the new key signs at once. Rotate returns the new ring and
// the new key.
func Rotate(ring []*Key, now time.Time, opts RotateOptions, src Source) ([]*Key, *Key, error) {
	if !opts.Alg.Asymmetric() {
		return nil, nil, fmt.Errorf("%w for a ring key: %q", ErrUnsupportedAlg, opts.Alg)
	}
	if opts.PublishAhead < 0 || opts.RetireAfter < 0 {
		return nil, nil, fmt.Errorf("keys: rotate: publish-ahead %v and retire-after %v must not be negative", opts.PublishAhead, opts.RetireAfter)
	}
	label := "rotate " + stamp(now)
	if a := find(ring, opts.Alg, Active); a != nil {
		label += " after " + a.ID
	}
	if n := find(ring, opts.Alg, Next); n != nil {
		// The replacement of a pending next key must be another key, also
		// under a seed and a pinned clock.
		label += " replacing " + n.ID
	}
	ks := slices.DeleteFunc(clone(ring), func(k *Key) bool { return k.Alg == opts.Alg && k.State == Next })
	a := find(ks, opts.Alg, Active)
	k, err := newKey(ks, src, opts.Alg, label, now)
	if err != nil {
		return nil, nil, err
	}
	ks = append(ks, k)
	if a == nil || opts.PublishAhead == 0 {
		ks = promote(ks, a, k, now, now.Add(opts.RetireAfter))
		return dropRemoved(ks, now), byID(ks, k.ID), nil
	}
	at := now.Add(opts.PublishAhead)
	k = k.WithActivatedAt(at)
	ks = replace(replace(ks, k), a.WithRemoveAt(at.Add(opts.RetireAfter)))
	return ks, k, nil
}

// Unpublish takes the key kid out of the ring, so that the JWKS no longer
// carries it. The active key of an algorithm cannot be unpublished (rotate
// first); unpublishing a next key cancels the planned rotation.
func Unpublish(ring []*Key, kid string) ([]*Key, error) {
	k := byID(ring, kid)
	switch {
	case k == nil:
		return nil, fmt.Errorf("%w %q", ErrUnknownKid, kid)
	case k.State == Active:
		return nil, fmt.Errorf("%w: %q signs %s tokens; rotate it first", ErrActiveKey, kid, k.Alg)
	}
	ks := slices.DeleteFunc(clone(ring), func(o *Key) bool { return o.ID == kid })
	if a := find(ks, k.Alg, Active); k.State == Next && a != nil && !a.RemoveAt.IsZero() {
		ks = replace(ks, a.WithRemoveAt(time.Time{}))
	}
	return ks, nil
}

// EnsureActive gives every algorithm of algs an active key at now: a next key
// of that algorithm is promoted early, else a new key is made (labelled
// LabelInitial).
func EnsureActive(ring []*Key, algs []Alg, now time.Time, src Source) ([]*Key, error) {
	ks := clone(ring)
	for _, alg := range algs {
		if find(ks, alg, Active) != nil {
			continue
		}
		n := find(ks, alg, Next)
		if n == nil {
			k, err := newKey(ks, src, alg, LabelInitial, now)
			if err != nil {
				return nil, err
			}
			ks, n = append(ks, k), k
		}
		ks = promote(ks, nil, n, now, time.Time{})
	}
	return ks, nil
}

// AddOptions tune Add.
type AddOptions struct {
	// Activate makes the first added key of each algorithm sign at once:
	// it replaces the active key (kept published for RetireAfter) and any
	// next key. Added keys that do not sign are published without a
	// removal time (state retired).
	Activate    bool
	RetireAfter time.Duration
}

// Add puts keys from outside (imported) into the ring at now. A key whose
// kid the ring has already is left as it is when it is the same key, and is
// an error (ErrKidInUse) when it is another.
func Add(ring, added []*Key, now time.Time, opts AddOptions) ([]*Key, error) {
	ks := clone(ring)
	signs := map[Alg]bool{}
	for _, k := range added {
		if old := byID(ks, k.ID); old != nil {
			if !old.SamePublic(k) {
				return nil, fmt.Errorf("%w: %q names another key of the ring", ErrKidInUse, k.ID)
			}
			continue
		}
		c := k.asNext(now)
		ks = append(ks, c)
		if !opts.Activate || signs[k.Alg] {
			ks = replace(ks, c.WithState(Retired, now))
			continue
		}
		signs[k.Alg] = true
		ks = slices.DeleteFunc(ks, func(o *Key) bool { return o.Alg == k.Alg && o.State == Next && o.ID != k.ID })
		ks = promote(ks, find(ks, k.Alg, Active), c, now, now.Add(opts.RetireAfter))
	}
	return dropRemoved(ks, now), nil
}

// SamePublic reports whether k and o have the same public key.
func (k *Key) SamePublic(o *Key) bool {
	pk, ok := k.signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pk.Equal(o.signer.Public())
}

// find returns the key of alg in state s (the newest, should there be more).
func find(ks []*Key, alg Alg, s State) *Key {
	var out *Key
	for _, k := range ks {
		if k.Alg == alg && k.State == s && (out == nil || !k.CreatedAt.Before(out.CreatedAt)) {
			out = k
		}
	}
	return out
}

func byID(ks []*Key, kid string) *Key {
	for _, k := range ks {
		if k.ID == kid {
			return k
		}
	}
	return nil
}

// replace returns ks with the key of k's kid replaced by k.
func replace(ks []*Key, k *Key) []*Key {
	for i, o := range ks {
		if o.ID == k.ID {
			ks[i] = k
		}
	}
	return ks
}

func clone(ks []*Key) []*Key { return append([]*Key(nil), ks...) }

// dropRemoved leaves out the retired keys whose removal time has come.
func dropRemoved(ks []*Key, now time.Time) []*Key {
	return slices.DeleteFunc(ks, func(k *Key) bool {
		return k.State == Retired && !k.RemoveAt.IsZero() && !now.Before(k.RemoveAt)
	})
}
