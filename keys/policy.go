package keys

import (
	"fmt"
	"time"
)

// Rotation as data: an issuer's ring changes only through the functions of
// this file and of ring_ops.go. Each takes the keys and a time and returns
// the new keys; none reads a clock or writes anywhere. The caller stores the
// result (in one transaction) and then publishes it with Ring.Set, so the
// stored ring is valid at every instant.

// Policy is an issuer's rotation schedule.
type Policy struct {
	// RotateEvery is how long a key signs before a new key replaces it;
	// zero: no schedule (keys change only on demand).
	RotateEvery time.Duration
	// PublishAhead is how long a next key is published before it signs.
	PublishAhead time.Duration
	// RetireAfter is how long a replaced key stays published.
	RetireAfter time.Duration
}

// Source makes a new key for alg, created at now. label names the key's place
// in the ring's history ("initial", "scheduled <activation time>", "rotate
// <time> after <kid>"), so that a source deriving keys from a seed makes the
// same keys for the same history (see SeedSource).
type Source func(alg Alg, label string, now time.Time) (*Key, error)

// RandomSource generates fresh keys with Generate; labels are ignored.
func RandomSource(rsaBits int) Source {
	return func(alg Alg, _ string, now time.Time) (*Key, error) {
		return Generate(alg, now, GenerateOptions{RSABits: rsaBits})
	}
}

// SeedSource derives every key from seed with DeriveKey, labelled by scope
// (one seed can serve several issuers) and the key's label: two processes
// with the same seed and the same history hold the same keys, which sign
// deterministically (see Key.Deterministic). Such keys are for tests only:
// anyone who knows the seed can sign as the issuer.
func SeedSource(seed, scope string, rsaBits int) Source {
	return func(alg Alg, label string, now time.Time) (*Key, error) {
		k, err := DeriveKey(seed, scope+" "+label, alg, now, GenerateOptions{RSABits: rsaBits})
		if err != nil {
			return nil, err
		}
		return k.Deterministic(), nil
	}
}

// LabelInitial labels the first key of an algorithm.
const LabelInitial = "initial"

// maxSteps bounds the transitions Advance applies to one algorithm at once
// (a valid policy needs a few per retired key still published).
const maxSteps = 10000

// Advance applies every transition due at now, per algorithm:
//   - a next key whose planned activation has come signs; the key it
//     replaces is retired then, and removed at its RemoveAt if one was set
//     (by Rotate) or RetireAfter later;
//   - with RotateEvery set, a key that has signed for RotateEvery is
//     replaced: its successor is created and published PublishAhead before
//     (never before the key itself started to sign);
//   - retired keys whose RemoveAt has come leave the ring.
//
// Transitions happen at their scheduled times, not at now: after a long
// pause (a stopped server, a clock moved ahead) the ring is what it would be
// had the schedule run all along, without making the keys that would already
// be gone.
func (p Policy) Advance(ring []*Key, now time.Time, src Source) ([]*Key, error) {
	out := clone(ring)
	for _, alg := range RingAlgs {
		var err error
		if out, err = p.advanceAlg(out, alg, now, src); err != nil {
			return nil, err
		}
	}
	return dropRemoved(out, now), nil
}

func (p Policy) advanceAlg(ks []*Key, alg Alg, now time.Time, src Source) ([]*Key, error) {
	for range maxSteps {
		a, n := find(ks, alg, Active), find(ks, alg, Next)
		switch {
		case n != nil && n.ActivatedAt.IsZero() && a != nil && p.RotateEvery > 0:
			// A next key without a plan activates at the scheduled rotation.
			ks = replace(ks, n.WithActivatedAt(a.ActivatedAt.Add(p.RotateEvery)))
			continue
		case n != nil && !n.ActivatedAt.IsZero() && !n.ActivatedAt.After(now):
			ks = promote(ks, a, n, n.ActivatedAt, retireTime(a, n.ActivatedAt, p.RetireAfter))
			continue
		case a == nil || n != nil || p.RotateEvery <= 0:
			return ks, nil
		}
		due, publishAt := p.schedule(a.ActivatedAt)
		if now.Before(publishAt) {
			return ks, nil
		}
		if skip := p.skippable(due, now); skip > 0 {
			// The keys that would have signed from due up to the skipped
			// periods would all be removed by now: retire a at due and make
			// the first key still published.
			ks = replace(ks, retire(a, due, retireTime(a, due, p.RetireAfter)))
			due = due.Add(time.Duration(skip) * p.RotateEvery)
			publishAt = later(due.Add(-p.PublishAhead), due.Add(-p.RotateEvery))
		}
		k, err := newKey(ks, src, alg, "scheduled "+stamp(due), publishAt)
		if err != nil {
			return nil, err
		}
		ks = append(ks, k.WithActivatedAt(due))
	}
	return nil, fmt.Errorf("keys: the %s rotation schedule did not settle in %d steps", alg, maxSteps)
}

// schedule is when a key activated at from is due to be replaced, and when
// its successor is published.
func (p Policy) schedule(from time.Time) (due, publishAt time.Time) {
	due = from.Add(p.RotateEvery)
	return due, later(due.Add(-p.PublishAhead), from)
}

// skippable counts the scheduled keys from due on that would be created,
// retired and removed again by now, leaving out the one signing at now.
func (p Policy) skippable(due, now time.Time) int64 {
	if now.Before(due) {
		return 0
	}
	x := now.Sub(due) - p.RotateEvery - p.RetireAfter
	if x < 0 {
		return 0
	}
	return min(int64(x/p.RotateEvery)+1, int64(now.Sub(due)/p.RotateEvery))
}

// NextChange is the earliest time after now at which Advance would change
// ring (activate, create or remove a key), or the zero time if it never
// would. ring is expected to be advanced to now already.
func (p Policy) NextChange(ring []*Key, now time.Time) time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, k := range ring {
		switch k.State {
		case Retired:
			consider(k.RemoveAt)
		case Next:
			consider(k.ActivatedAt)
		case Active:
			if p.RotateEvery > 0 && find(ring, k.Alg, Next) == nil {
				_, publishAt := p.schedule(k.ActivatedAt)
				consider(publishAt)
			}
		}
	}
	return next
}

// promote makes n the active key from at, retiring a (if any) at the same
// time, to be removed at removeAt.
func promote(ks []*Key, a, n *Key, at, removeAt time.Time) []*Key {
	if a != nil {
		ks = replace(ks, retire(a, at, removeAt))
	}
	return replace(ks, n.WithActivatedAt(at).WithState(Active, at))
}

func retire(k *Key, at, removeAt time.Time) *Key {
	return k.WithState(Retired, at).WithRemoveAt(removeAt)
}

// retireTime is when a, replaced at at, leaves the JWKS: the time set when
// its replacement was planned, else retireAfter later.
func retireTime(a *Key, at time.Time, retireAfter time.Duration) time.Time {
	if a != nil && !a.RemoveAt.IsZero() {
		return a.RemoveAt
	}
	return at.Add(retireAfter)
}

// newKey asks src for a key that is not in ks yet, as a next key created at
// at. A source that returns a kid of the ring is asked again with a numbered
// label; one that keeps doing so is an error.
func newKey(ks []*Key, src Source, alg Alg, label string, at time.Time) (*Key, error) {
	l := label
	for i := 2; i < 10; i++ {
		k, err := src(alg, l, at)
		if err != nil {
			return nil, err
		}
		if k.Alg != alg {
			return nil, fmt.Errorf("%w: the key source made a %s key for %s", ErrKeyMismatch, k.Alg, alg)
		}
		if byID(ks, k.ID) == nil {
			return k.asNext(at), nil
		}
		l = fmt.Sprintf("%s #%d", label, i)
	}
	return nil, fmt.Errorf("%w: the key source keeps making %s keys the ring already has", ErrKidInUse, alg)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
