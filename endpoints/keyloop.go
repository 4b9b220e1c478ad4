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

// keyLoop is the provider's background goroutine for key rings; Close stops
// it.
type keyLoop struct {
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func (l *keyLoop) start(sites []*site) {
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel, l.done = cancel, make(chan struct{})
	go func() {
		defer close(l.done)
		t := time.NewTicker(keyPollInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				for _, s := range sites {
					s.keys.poll(ctx)
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
