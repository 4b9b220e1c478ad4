package endpoints

import (
	"context"
	"sync"
	"time"
)

// keyPollInterval is how often (in real time) the background loop visits
// every issuer's key ring: it applies scheduled transitions nobody's request
// triggered, and reloads a ring another process (testidp keys --db) changed
// in the database.
var keyPollInterval = time.Second

// purgeInterval is how often (in real time) the loop deletes expired auth
// requests, codes, tokens and sessions, so that a long-running fixture's
// database stays bounded (the issued-token log is capped by storage).
var purgeInterval = time.Minute

// keyLoop is the provider's background goroutine for key rings and the
// purge of expired rows; Close stops it.
type keyLoop struct {
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func (l *keyLoop) start(p *Provider) {
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel, l.done = cancel, make(chan struct{})
	go func() {
		defer close(l.done)
		t := time.NewTicker(keyPollInterval)
		defer t.Stop()
		purge := time.NewTicker(purgeInterval)
		defer purge.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				for _, s := range p.sites {
					s.keys.poll(ctx)
				}
			case <-purge.C:
				if err := p.store.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
					p.log.Warn("purge expired rows", "err", err)
				}
			}
		}
	}()
}

// stop ends the loop and waits for it; calling it again does nothing.
func (l *keyLoop) stop() {
	l.once.Do(func() {
		if l.cancel != nil {
			l.cancel()
			<-l.done
		}
	})
}
