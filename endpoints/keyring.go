package endpoints

import (
	"context"
	"fmt"
	"time"

	"github.com/testidp/testidp/keys"
	"github.com/testidp/testidp/storage"
)

// loadRing reads an issuer's keys from the database and, for every algorithm
// in use without an active key, generates one and stores the whole ring in
// one transaction. A restart on the same database therefore serves the same
// JWKS and kids.
func loadRing(ctx context.Context, st *storage.Store, scope string, algs []keys.Alg, gen func(keys.Alg, time.Time) (*keys.Key, error), now time.Time) (*keys.Ring, error) {
	recs, err := st.Keys(ctx, scope)
	if err != nil {
		return nil, fmt.Errorf("endpoints: load keys: %w", err)
	}
	ring := make([]*keys.Key, 0, len(recs)+len(algs))
	active := map[keys.Alg]bool{}
	for _, rec := range recs {
		k, err := keyFromRecord(rec)
		if err != nil {
			return nil, err
		}
		if k.State == keys.Active {
			active[k.Alg] = true
		}
		ring = append(ring, k)
	}
	changed := false
	for _, alg := range algs {
		if active[alg] {
			continue
		}
		k, err := gen(alg, now)
		if err != nil {
			return nil, fmt.Errorf("endpoints: generate %s key: %w", alg, err)
		}
		ring = append(ring, k.WithState(keys.Active, now))
		changed = true
	}
	if changed {
		if err := saveRing(ctx, st, scope, ring); err != nil {
			return nil, err
		}
	}
	return keys.NewRing(now, ring...)
}

func saveRing(ctx context.Context, st *storage.Store, scope string, ring []*keys.Key) error {
	recs := make([]storage.KeyRecord, 0, len(ring))
	for _, k := range ring {
		der, err := k.MarshalPrivate()
		if err != nil {
			return err
		}
		recs = append(recs, storage.KeyRecord{
			Issuer: scope, ID: k.ID, Alg: string(k.Alg), State: string(k.State), Private: der,
			CreatedAt: k.CreatedAt, ActivatedAt: k.ActivatedAt, RetiredAt: k.RetiredAt, RemoveAt: k.RemoveAt,
		})
	}
	if err := st.ReplaceKeys(ctx, scope, recs); err != nil {
		return fmt.Errorf("endpoints: store keys: %w", err)
	}
	return nil
}

func keyFromRecord(rec storage.KeyRecord) (*keys.Key, error) {
	alg, err := keys.ParseAlg(rec.Alg)
	if err != nil {
		return nil, fmt.Errorf("endpoints: stored key %q: %w", rec.ID, err)
	}
	k, err := keys.Parse(alg, rec.ID, rec.Private, rec.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("endpoints: stored key %q: %w", rec.ID, err)
	}
	k = k.WithState(keys.State(rec.State), rec.ActivatedAt)
	k.ActivatedAt, k.RetiredAt, k.RemoveAt = rec.ActivatedAt, rec.RetiredAt, rec.RemoveAt
	return k, nil
}
