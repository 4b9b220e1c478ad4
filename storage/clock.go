package storage

import (
	"math"
	"time"
)

// Times are stored as INTEGER unix nanoseconds, 0 meaning the zero
// time.Time. Times outside int64 nanoseconds (before 1678, after 2262) are
// clamped rather than wrapped, so they keep their order. time.Unix(0, 0)
// itself cannot be told from the zero time and reads back as zero.

var (
	minNanoTime = time.Unix(0, math.MinInt64)
	maxNanoTime = time.Unix(0, math.MaxInt64)
)

func nanos(t time.Time) int64 {
	switch {
	case t.IsZero():
		return 0
	case t.Before(minNanoTime):
		return math.MinInt64
	case t.After(maxNanoTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func fromNanos(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// nowNS is the store's clock in stored form. A row is expired when
// nowNS >= its expires_at.
func (s *Store) nowNS() int64 { return nanos(s.now()) }
