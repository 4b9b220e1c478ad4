package endpoints

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// jwksRequest switches the JWKS endpoint's behaviour (see jwksBehaviours).
type jwksRequest struct {
	Behaviour string `json:"behaviour"`
	Behavior  string `json:"behavior"` // the same, spelled the American way
	// Delay (slow) is a Go duration such as "3s".
	Delay string `json:"delay"`
	// Unusable (extra_unusable) picks the unusable keys: kty, crv, alg, n.
	Unusable []string `json:"unusable"`
	// Status, ContentType and Body make the custom answer; Body is a JSON
	// value served as written, or a JSON string whose text is served.
	Status      int             `json:"status"`
	ContentType string          `json:"content_type"`
	Body        json.RawMessage `json:"body"`
}

// jwksState is the testing API's view of the JWKS endpoint.
type jwksState struct {
	Behaviour  string   `json:"behaviour"`
	Delay      string   `json:"delay,omitempty"`
	Unusable   []string `json:"unusable,omitempty"`
	Status     int      `json:"status,omitempty"`
	Behaviours any      `json:"behaviours"`
}

const maxJWKSDelay = 5 * time.Minute

// serveJWKSBehaviour is GET and POST {issuer}/_testidp/jwks.
func (s *site) serveJWKSBehaviour(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var req jwksRequest
		if err := decodeJSON(r, &req); err != nil {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		b, err := req.behaviour()
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		if b.Name == "duplicate_kid" || (b.Name == "extra_unusable" && slices.Contains(b.Unusable, "alg")) {
			s.jwks.derivedSet(b) // derive the decoy keys now, not in a verifier's request
		}
		if b.Name == "normal" {
			b = nil
		}
		s.jwks.mode.Store(b)
	}
	st := jwksState{Behaviour: "normal", Behaviours: jwksBehaviours}
	if b := s.jwks.mode.Load(); b != nil {
		st.Behaviour, st.Unusable, st.Status = b.Name, b.Unusable, b.Status
		if b.Delay > 0 {
			st.Delay = b.Delay.String()
		}
	}
	writeJSON(w, http.StatusOK, st)
}

// behaviour checks a request and builds the behaviour it asks for.
func (req jwksRequest) behaviour() (*jwksBehaviour, error) {
	name := req.Behaviour
	if name == "" {
		name = req.Behavior
	}
	if !knownBehaviour(name) {
		return nil, fmt.Errorf("behaviour %q: must be one of normal, error, slow, empty, invalid_json, extra_unusable, no_kid, duplicate_kid, custom", name)
	}
	b := &jwksBehaviour{Name: name}
	if req.Delay != "" && name != "slow" || len(req.Unusable) > 0 && name != "extra_unusable" ||
		(req.Status != 0 || req.ContentType != "" || req.Body != nil) && name != "custom" {
		return nil, fmt.Errorf("behaviour %q: delay is for slow, unusable for extra_unusable, status, content_type and body for custom", name)
	}
	switch name {
	case "slow":
		b.Delay = 5 * time.Second
		if req.Delay != "" {
			d, err := time.ParseDuration(req.Delay)
			if err != nil || d < 0 || d > maxJWKSDelay {
				return nil, fmt.Errorf(`delay %q: give a duration from 0s to %v, such as "3s"`, req.Delay, maxJWKSDelay)
			}
			b.Delay = d
		}
	case "extra_unusable":
		b.Unusable = unusableKinds
		if len(req.Unusable) > 0 {
			for _, kind := range req.Unusable {
				if !slices.Contains(unusableKinds, kind) {
					return nil, fmt.Errorf("unusable %q: must be among %q", kind, unusableKinds)
				}
			}
			b.Unusable = req.Unusable
		}
	case "custom":
		return req.custom(b)
	}
	return b, nil
}

func (req jwksRequest) custom(b *jwksBehaviour) (*jwksBehaviour, error) {
	if req.Body == nil {
		return nil, fmt.Errorf(`custom needs "body": a JSON value, or a string`)
	}
	b.Status, b.ContentType, b.Body = req.Status, req.ContentType, req.Body
	if b.Status == 0 {
		b.Status = http.StatusOK
	}
	if b.Status < 200 || b.Status > 599 {
		return nil, fmt.Errorf("status %d: give an HTTP status from 200 to 599", b.Status)
	}
	if b.ContentType == "" {
		b.ContentType = "application/json"
	}
	var text string
	if json.Unmarshal(req.Body, &text) == nil {
		b.Body = []byte(text)
	}
	return b, nil
}
