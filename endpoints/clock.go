package endpoints

import (
	"sync"
	"time"
)

// clock is the provider's adjustable clock: the injected base clock, moved
// by an offset or pinned to a fixed time through the testing API (and
// oidctest's SetNow/Advance). Every expiry, token and key decision reads it.
type clock struct {
	base   func() time.Time
	mu     sync.RWMutex
	fixed  time.Time
	offset time.Duration
}

func newClock(base func() time.Time) *clock {
	if base == nil {
		base = time.Now
	}
	return &clock{base: base}
}

// Now is the provider's current time.
func (c *clock) Now() time.Time {
	c.mu.RLock()
	fixed, offset := c.fixed, c.offset
	c.mu.RUnlock()
	if !fixed.IsZero() {
		return fixed
	}
	if offset == 0 {
		return c.base()
	}
	return c.base().Add(offset)
}

// Set pins the clock to t (time stands still until it is moved again).
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.fixed, c.offset = t, 0
	c.mu.Unlock()
}

// Advance moves the clock by d, pinned or running.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	if c.fixed.IsZero() {
		c.offset += d
	} else {
		c.fixed = c.fixed.Add(d)
	}
	c.mu.Unlock()
}

// Reset returns to the base clock.
func (c *clock) Reset() {
	c.mu.Lock()
	c.fixed, c.offset = time.Time{}, 0
	c.mu.Unlock()
}

// mode names the clock's state for the testing API.
func (c *clock) mode() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	switch {
	case !c.fixed.IsZero():
		return "fixed"
	case c.offset != 0:
		return "offset"
	}
	return "real"
}
