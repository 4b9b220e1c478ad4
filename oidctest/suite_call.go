package oidctest

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// detailLimit bounds the verifier's answer kept in a result.
const detailLimit = 300

// call runs the verifier on one token with the step in the context and the
// timeout, and classifies what it did. A verify function that ignores its
// context is abandoned after the timeout and as long again (at most 1s).
func (r *suiteRunner) call(ctx context.Context, step SuiteStep, token string) (SuiteGot, string) {
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, suiteStepKey{}, step), r.cfg.timeout)
	defer cancel()
	type answer struct {
		err      error
		panicked any
		didPanic bool
	}
	done := make(chan answer, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- answer{panicked: p, didPanic: true}
			}
		}()
		done <- answer{err: r.verify(ctx, token)}
	}()
	grace := time.NewTimer(r.cfg.timeout + min(r.cfg.timeout, time.Second))
	defer grace.Stop()
	var a answer
	select {
	case a = <-done:
	case <-grace.C:
		return GotError, fmt.Sprintf("no answer within %v", r.cfg.timeout)
	}
	switch {
	case a.didPanic:
		return GotError, shorten(fmt.Sprintf("panic: %v", a.panicked), detailLimit)
	case a.err == nil:
		return GotAccepted, ""
	case errors.Is(a.err, ErrSkipCase):
		return GotSkipped, shorten(a.err.Error(), detailLimit)
	case errors.Is(a.err, ErrVerifierFailed):
		return GotError, shorten(a.err.Error(), detailLimit)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return GotError, shorten(fmt.Sprintf("timed out after %v: %v", r.cfg.timeout, a.err), detailLimit)
	}
	return GotRejected, shorten(a.err.Error(), detailLimit)
}
