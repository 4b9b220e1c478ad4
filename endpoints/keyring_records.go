package endpoints

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/testidp/testidp/keys"
	"github.com/testidp/testidp/storage"
)

// fromRecords turns stored key records into keys. A key already parsed with
// the same private bytes is reused (PKCS#8 parsing of RSA keys is not free),
// with the record's state and times. Under a seed, keys sign
// deterministically.
func (r *keyRing) fromRecords(recs []storage.KeyRecord) ([]*keys.Key, error) {
	out := make([]*keys.Key, 0, len(recs))
	for _, rec := range recs {
		var k keys.Key
		if p, ok := r.parsed[rec.ID]; ok && bytes.Equal(p.der, rec.Private) && string(p.key.Alg) == rec.Alg {
			k = *p.key
		} else {
			parsed, err := keyFromRecord(rec)
			if err != nil {
				return nil, err
			}
			k = *parsed
			r.parsed[rec.ID] = parsedKey{der: rec.Private, key: parsed}
		}
		k.State, k.CreatedAt = keys.State(rec.State), rec.CreatedAt
		k.ActivatedAt, k.RetiredAt, k.RemoveAt = rec.ActivatedAt, rec.RetiredAt, rec.RemoveAt
		kp := &k
		if r.cfg.Seed != "" {
			kp = kp.Deterministic() // as the seed made them, also after a restart
		}
		out = append(out, kp)
	}
	return out, nil
}

// toRecords turns keys into records, reusing the PKCS#8 bytes of keys read
// or written before.
func (r *keyRing) toRecords(ks []*keys.Key) ([]storage.KeyRecord, error) {
	recs := make([]storage.KeyRecord, 0, len(ks))
	for _, k := range ks {
		p, ok := r.parsed[k.ID]
		if !ok || !p.key.SamePublic(k) {
			der, err := k.MarshalPrivate()
			if err != nil {
				return nil, err
			}
			p = parsedKey{der: der, key: k}
			r.parsed[k.ID] = p
		}
		recs = append(recs, storage.KeyRecord{
			Issuer: r.scope, ID: k.ID, Alg: string(k.Alg), State: string(k.State), Private: p.der,
			CreatedAt: k.CreatedAt, ActivatedAt: k.ActivatedAt, RetiredAt: k.RetiredAt, RemoveAt: k.RemoveAt,
		})
	}
	return recs, nil
}

// prune forgets parsed keys that left the ring.
func (r *keyRing) prune(ks []*keys.Key) {
	in := make(map[string]bool, len(ks))
	for _, k := range ks {
		in[k.ID] = true
	}
	for kid := range r.parsed {
		if !in[kid] {
			delete(r.parsed, kid)
		}
	}
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
	return k, nil
}

// digestRecords fingerprints a stored ring (every field), in storage order,
// to notice changes made by another process.
func digestRecords(recs []storage.KeyRecord) [32]byte {
	recs = slices.Clone(recs)
	slices.SortFunc(recs, func(a, b storage.KeyRecord) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	h := sha256.New()
	var buf [8]byte
	for _, rec := range recs {
		for _, s := range []string{rec.ID, rec.Alg, rec.State, string(rec.Private)} {
			binary.BigEndian.PutUint64(buf[:], uint64(len(s)))
			h.Write(buf[:])
			h.Write([]byte(s))
		}
		for _, t := range []time.Time{rec.CreatedAt, rec.ActivatedAt, rec.RetiredAt, rec.RemoveAt} {
			var n int64
			if !t.IsZero() {
				n = t.UnixNano()
			}
			binary.BigEndian.PutUint64(buf[:], uint64(n))
			h.Write(buf[:])
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}
