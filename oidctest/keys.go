package oidctest

import (
	"encoding/pem"
	"fmt"
	"sync"
	"time"

	"github.com/testidp/testidp/fixtures"
	"github.com/testidp/testidp/keys"
)

// defaultSeed derives the keys beyond the fixed test keys (EC and EdDSA
// keys, and RSA keys past the published ones).
const defaultSeed = "oidctest"

// keyGen hands out the provider's signing keys without generating any: the
// n-th RSA key asked for is the n-th test key of fixtures (then derived),
// the others are derived from the seed. A server's issuers each ask for
// their own keys, so they never share one.
func (s *settings) keyGen() func(keys.Alg, time.Time) (*keys.Key, error) {
	var mu sync.Mutex
	count := map[keys.Alg]int{}
	seed := s.seed
	return func(alg keys.Alg, now time.Time) (*keys.Key, error) {
		mu.Lock()
		n := count[alg]
		count[alg]++
		mu.Unlock()
		if seed == "" && (alg == keys.RS256 || alg == keys.PS256) {
			if k, ok := testRSAKey(alg, n); ok {
				return k, nil
			}
		}
		return keys.DeriveKey(orDefault(seed, defaultSeed), fmt.Sprintf("%s#%d", alg, n), alg, now, keys.GenerateOptions{})
	}
}

// parsedTestKeys caches the fixtures' RSA keys, parsed once per process.
var parsedTestKeys sync.Map // "alg#n" → *keys.Key

// testRSAKey returns the fixtures' RSA key for the n-th request of alg
// (RS256 takes the keys from the front, PS256 from the back, so that both
// can be in use at once).
func testRSAKey(alg keys.Alg, n int) (*keys.Key, bool) {
	pems := fixtures.TestRSAKeys()
	i := n
	if alg == keys.PS256 {
		i = len(pems) - 1 - n
	}
	if i < 0 || i >= len(pems) || (alg == keys.RS256 && i >= len(pems)/2) || (alg == keys.PS256 && i < len(pems)/2) {
		return nil, false
	}
	id := fmt.Sprintf("%s#%d", alg, n)
	if k, ok := parsedTestKeys.Load(id); ok {
		return k.(*keys.Key), true
	}
	block, _ := pem.Decode(pems[i])
	if block == nil {
		return nil, false
	}
	k, err := keys.Parse(alg, "", block.Bytes, time.Unix(0, 0).UTC())
	if err != nil {
		return nil, false
	}
	actual, _ := parsedTestKeys.LoadOrStore(id, k)
	return actual.(*keys.Key), true
}
