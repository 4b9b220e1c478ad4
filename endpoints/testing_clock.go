package endpoints

import (
	"net/http"
	"time"
)

// clockState is the testing API's view of the clock.
type clockState struct {
	Now  time.Time `json:"now"`
	Unix int64     `json:"unix"`
	Mode string    `json:"mode"` // real, offset or fixed
}

// clockRequest moves the clock: set it ("now", RFC 3339), move it
// ("advance", a Go duration such as "90s" or "-1h"), or return to real time
// ("reset": true).
type clockRequest struct {
	Now     *time.Time `json:"now"`
	Advance string     `json:"advance"`
	Reset   bool       `json:"reset"`
}

// serveClock is GET and POST {issuer}/_testidp/clock. The clock is the
// provider's: it moves every issuer at once.
func (p *Provider) serveClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var req clockRequest
		if err := decodeJSON(r, &req); err != nil {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		var d time.Duration
		if req.Advance != "" {
			var err error
			if d, err = time.ParseDuration(req.Advance); err != nil {
				writeAPIError(w, http.StatusBadRequest, "invalid_request", `advance: not a duration such as "90s" or "-1h"`)
				return
			}
		}
		switch {
		case req.Reset:
			p.clock.Reset()
		case req.Now != nil:
			p.clock.Set(*req.Now)
		}
		p.clock.Advance(d)
	}
	now := p.clock.Now()
	writeJSON(w, http.StatusOK, clockState{Now: now.UTC(), Unix: now.Unix(), Mode: p.clock.mode()})
}
