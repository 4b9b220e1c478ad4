package endpoints

import (
	"sync"
	"time"
)

// replayCache remembers client assertion ids until they expire, so that an
// assertion is accepted once (OpenID Connect Core §9: "jti … MUST only be
// used once").
type replayCache struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func newReplayCache() *replayCache { return &replayCache{seen: map[string]time.Time{}} }

// first records id until exp and reports whether it was not seen before.
func (c *replayCache) first(id string, exp, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.seen) > 1024 {
		for k, t := range c.seen {
			if !now.Before(t) {
				delete(c.seen, k)
			}
		}
	}
	if t, ok := c.seen[id]; ok && now.Before(t) {
		return false
	}
	c.seen[id] = exp
	return true
}
