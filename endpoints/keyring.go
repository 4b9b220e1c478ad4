package endpoints

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/testidp/testidp/keys"
	"github.com/testidp/testidp/storage"
)

// keyRing is one issuer's signing keys: the ring stored in SQLite, which is
// the truth, and the in-memory keys.Ring that minting and the JWKS read.
// Every change is one storage transaction that reads the stored ring, applies
// a pure function of package keys, advances the rotation schedule and writes
// the result; the in-memory ring is set after the commit. A crash at any
// point therefore leaves a valid ring, and a change made by another process
// (the CLI on the same database) is never overwritten unseen.
type keyRing struct {
	scope  string
	ring   *keys.Ring
	cfg    KeysConfig // normalized
	policy keys.Policy
	source keys.Source
	store  *storage.Store
	now    func() time.Time
	log    *slog.Logger

	// next is when the ring changes next, in unix nanoseconds (noChange:
	// never). The request path compares it with the clock and does nothing
	// else unless the time has come.
	next atomic.Int64

	mu     sync.Mutex           // serializes changes
	stored [32]byte             // digest of the stored ring last read or written
	parsed map[string]parsedKey // kid → key, so that unchanged keys are not parsed again
}

const noChange = math.MaxInt64

type parsedKey struct {
	der []byte
	key *keys.Key
}

// newKeyRing loads an issuer's ring: the stored keys, the configured imports
// (a key not in the ring yet signs for its algorithm), a new key for every
// algorithm in use without an active one, and the schedule advanced to now.
func newKeyRing(ctx context.Context, p *Provider, scope string, cfg KeysConfig, algs []keys.Alg, gen func(keys.Alg, time.Time) (*keys.Key, error)) (*keyRing, error) {
	r := &keyRing{scope: scope, ring: &keys.Ring{}, cfg: cfg, policy: cfg.policy(), store: p.store,
		now: p.now, log: p.log, parsed: map[string]parsedKey{}}
	r.source = keySource(cfg, scope, gen)
	var imported []*keys.Key
	for i, imp := range cfg.Import {
		ks, err := imp.read(p.now())
		if err != nil {
			return nil, fmt.Errorf("endpoints: keys.import[%d] (%s): %w", i, imp.File, err)
		}
		imported = append(imported, ks...)
	}
	_, err := r.update(ctx, func(ks []*keys.Key, now time.Time) ([]*keys.Key, error) {
		ks, err := keys.Add(ks, imported, now, keys.AddOptions{Activate: true, RetireAfter: r.policy.RetireAfter})
		if err != nil {
			return nil, err
		}
		return keys.EnsureActive(ks, algs, now, r.source)
	})
	if err != nil {
		return nil, fmt.Errorf("endpoints: load keys of %s: %w", scope, err)
	}
	return r, nil
}

// keySource picks where new keys come from: the seed, else the provider's
// GenerateKey option (tests), else fresh random keys.
func keySource(cfg KeysConfig, scope string, gen func(keys.Alg, time.Time) (*keys.Key, error)) keys.Source {
	switch {
	case cfg.Seed != "":
		return keys.SeedSource(cfg.Seed, scope, cfg.RSABits)
	case gen != nil:
		return func(alg keys.Alg, _ string, now time.Time) (*keys.Key, error) { return gen(alg, now) }
	}
	return keys.RandomSource(cfg.RSABits)
}

// refresh applies the transitions whose time has come. It is called at the
// start of every request of the issuer; unless a transition is due it costs
// one clock read and one atomic load.
func (r *keyRing) refresh() {
	if n := r.next.Load(); n != noChange && r.now().UnixNano() >= n {
		r.advance(context.Background())
	}
}

// advance applies due transitions. A failure (the database busy beyond its
// timeout) is logged and left to the background loop to retry.
func (r *keyRing) advance(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := r.next.Load(); n == noChange || r.now().UnixNano() < n {
		return // another request did it
	}
	if _, err := r.updateLocked(ctx, nil); err != nil {
		r.log.Error("key rotation failed; retrying", "issuer", r.scope, "error", err)
		r.next.Store(noChange)
		r.stored = [32]byte{}
	}
}

// poll is the background loop's visit: it applies due transitions and
// reloads the ring when the stored one changed (another process wrote it).
func (r *keyRing) poll(ctx context.Context) {
	if n := r.next.Load(); n != noChange && r.now().UnixNano() >= n {
		r.advance(ctx)
		return
	}
	recs, err := r.store.Keys(ctx, r.scope)
	if err != nil {
		r.log.Warn("reading the key ring failed", "issuer", r.scope, "error", err)
		return
	}
	r.mu.Lock()
	changed := digestRecords(recs) != r.stored
	r.mu.Unlock()
	if changed {
		if _, err := r.update(ctx, nil); err != nil {
			r.log.Error("reloading the key ring failed", "issuer", r.scope, "error", err)
		}
	}
}

// ringOp is a change of the ring at now: a pure function of package keys.
type ringOp func(ks []*keys.Key, now time.Time) ([]*keys.Key, error)

// update applies op (nil: none) and the schedule in one transaction, then
// publishes the result.
func (r *keyRing) update(ctx context.Context, op ringOp) ([]*keys.Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.updateLocked(ctx, op)
}

func (r *keyRing) updateLocked(ctx context.Context, op ringOp) ([]*keys.Key, error) {
	now := r.now()
	var out []*keys.Key
	var digest [32]byte
	err := r.store.UpdateKeys(ctx, r.scope, func(recs []storage.KeyRecord) ([]storage.KeyRecord, error) {
		ks, err := r.fromRecords(recs)
		if err != nil {
			return nil, err
		}
		if op != nil {
			if ks, err = op(ks, now); err != nil {
				return nil, err
			}
		}
		if ks, err = r.policy.Advance(ks, now, r.source); err != nil {
			return nil, err
		}
		if err := keys.Check(ks); err != nil {
			return nil, err
		}
		written, err := r.toRecords(ks)
		out, digest = ks, digestRecords(written)
		return written, err
	})
	if err != nil {
		return nil, err
	}
	if err := r.ring.Set(now, out); err != nil {
		return nil, err // cannot happen: keys.Check passed
	}
	r.stored = digest
	r.next.Store(unixNanos(r.policy.NextChange(out, now)))
	r.prune(out)
	return out, nil
}

func unixNanos(t time.Time) int64 {
	if t.IsZero() {
		return noChange
	}
	return t.UnixNano()
}
