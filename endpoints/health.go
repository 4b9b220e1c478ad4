package endpoints

import "net/http"

// serveHealth answers liveness probes and `testidp healthcheck`.
func (p *Provider) serveHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(`{"status":"ok"}`))
}
