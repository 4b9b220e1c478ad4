package endpoints

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Endpoint failures on demand: the token and userinfo endpoints can be told
// to fail their next N requests with an OAuth error, a bare HTTP status, or
// a delay (then answer normally) — for testing a client's retries and error
// handling.

// failureRule is one armed failure.
type failureRule struct {
	Endpoint    string `json:"endpoint"` // token or userinfo
	Count       int    `json:"count"`    // requests left to fail
	Error       string `json:"error,omitempty"`
	Description string `json:"error_description,omitempty"`
	Status      int    `json:"status,omitempty"`
	Delay       string `json:"delay,omitempty"`
	delay       time.Duration
}

// failures holds the armed rules of one issuer.
type failures struct {
	armed atomic.Int32 // rules with count > 0: the hot path reads only this
	mu    sync.Mutex
	rules map[string]*failureRule
}

var failureEndpoints = map[string]bool{"token": true, "userinfo": true}

// take consumes one failure of endpoint, if any is armed.
func (f *failures) take(endpoint string) (failureRule, bool) {
	if f.armed.Load() == 0 {
		return failureRule{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.rules[endpoint]
	if r == nil || r.Count <= 0 {
		return failureRule{}, false
	}
	r.Count--
	if r.Count == 0 {
		delete(f.rules, endpoint)
		f.armed.Add(-1)
	}
	return *r, true
}

// inject applies an armed failure of endpoint; it reports whether the
// request was answered.
func (f *failures) inject(w http.ResponseWriter, r *http.Request, endpoint string) bool {
	rule, ok := f.take(endpoint)
	if !ok {
		return false
	}
	if rule.delay > 0 {
		select {
		case <-time.After(rule.delay):
		case <-r.Context().Done():
			return true
		}
	}
	switch {
	case rule.Error != "":
		status := rule.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		writeAPIError(w, status, rule.Error, rule.Description)
		return true
	case rule.Status != 0:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(rule.Status)
		_, _ = w.Write([]byte("testidp: injected failure\n"))
		return true
	}
	return false // a delay only: answer normally
}

// serveFailures is {issuer}/_testidp/failures: POST arms a rule (replacing
// the endpoint's previous one) and answers it; GET lists the armed rules;
// DELETE clears them and answers the empty list.
func (s *site) serveFailures(w http.ResponseWriter, r *http.Request) {
	f := s.failures
	switch r.Method {
	case http.MethodPost:
		var rule failureRule
		if err := decodeJSON(r, &rule); err != nil {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		if problem := rule.check(); problem != "" {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", problem)
			return
		}
		f.mu.Lock()
		if f.rules == nil {
			f.rules = map[string]*failureRule{}
		}
		if _, had := f.rules[rule.Endpoint]; !had {
			f.armed.Add(1)
		}
		f.rules[rule.Endpoint] = &rule
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, rule)
		return
	case http.MethodDelete:
		f.mu.Lock()
		f.rules = nil
		f.armed.Store(0)
		f.mu.Unlock()
	}
	f.mu.Lock()
	list := []failureRule{}
	for _, rule := range f.rules {
		list = append(list, *rule)
	}
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, list)
}

// check validates a rule and parses its delay.
func (r *failureRule) check() string {
	switch {
	case !failureEndpoints[r.Endpoint]:
		return `endpoint: "token" or "userinfo"`
	case r.Count < 1 || r.Count > 1_000_000:
		return "count: how many requests to fail, at least 1"
	case r.Status != 0 && (r.Status < 400 || r.Status > 599):
		return "status: an HTTP error status, 400 to 599"
	case r.Error == "" && r.Status == 0 && r.Delay == "":
		return "give error (an OAuth error code), status, or delay"
	}
	if r.Delay != "" {
		d, err := time.ParseDuration(r.Delay)
		if err != nil || d < 0 || d > 5*time.Minute {
			return `delay: a duration up to 5m, such as "2s"`
		}
		r.delay = d
	}
	return ""
}
