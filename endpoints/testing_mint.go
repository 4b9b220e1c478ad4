package endpoints

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/keys"
)

// mintRequest is the body of POST {issuer}/_testidp/mint. Every field is
// optional: the default is an ID token for the issuer's first client and
// first user, as a login would give it.
type mintRequest struct {
	ClientID string          `json:"client_id"`
	Sub      string          `json:"sub"`
	Aud      json.RawMessage `json:"aud"` // a string or an array of strings
	Alg      string          `json:"alg"`
	// Claims are merged over the defaults; null removes a claim.
	Claims map[string]json.RawMessage `json:"claims"`
	// Header adds or replaces members of the JOSE header.
	Header map[string]json.RawMessage `json:"header"`
	// TTL is a Go duration ("5m", "-1h" for an expired token) or seconds.
	TTL   json.RawMessage `json:"ttl"`
	Nonce string          `json:"nonce"`
	// Kind is id_token (default) or access_token.
	Kind  string `json:"kind"`
	Scope string `json:"scope"`
	// Fault is a catalog case, "id" or "id#variant" (GET /_testidp/faults).
	Fault string `json:"fault"`
	// AccessToken and Code are hashed into at_hash and c_hash.
	AccessToken string `json:"access_token"`
	Code        string `json:"code"`
	// RogueURL is where the caller serves the documents of jku and x5u
	// cases (default: a host nobody serves, or this host for #same-host).
	RogueURL string `json:"rogue_url"`
}

// mintResponse answers a mint: the token with its decoded parts, and for a
// fault the verdict a correct verifier must reach and the steps.
type mintResponse struct {
	Token       string           `json:"token"`
	Header      json.RawMessage  `json:"header"`
	Claims      json.RawMessage  `json:"claims"`
	Fault       string           `json:"fault,omitempty"`
	Expect      issuer.Expect    `json:"expect"`
	Description string           `json:"description,omitempty"`
	Delivery    *issuer.Delivery `json:"delivery,omitempty"`
	Steps       []mintStep       `json:"steps,omitempty"`
	Rogue       *rogueDoc        `json:"rogue,omitempty"`
}

// mintStep is one step of a fault case (the last is the case itself).
type mintStep struct {
	Token       string          `json:"token"`
	Header      json.RawMessage `json:"header"`
	Claims      json.RawMessage `json:"claims"`
	Expect      issuer.Expect   `json:"expect"`
	Nonce       string          `json:"nonce,omitempty"`
	AccessToken string          `json:"access_token,omitempty"`
	Code        string          `json:"code,omitempty"`
	Userinfo    json.RawMessage `json:"userinfo,omitempty"`
	Refresh     bool            `json:"refresh,omitempty"`
	JWKS        json.RawMessage `json:"jwks,omitempty"`
	MaxAge      int             `json:"max_age,omitempty"`
	// State, ACRValues and TrustedAudiences are what the relying party
	// sent or is configured with for this step (s_hash, acr, aud cases).
	State            string   `json:"state,omitempty"`
	ACRValues        []string `json:"acr_values,omitempty"`
	TrustedAudiences []string `json:"trusted_audiences,omitempty"`
	Note             string   `json:"note,omitempty"`
}

// serveMint is POST {issuer}/_testidp/mint: a token minted as this issuer
// would issue it, changed as asked, or broken as a fault case says. Cases
// that need state get it through what they describe: a rotation rotates the
// real key ring, a case that names a JWK Set has it served at the jwks_uri
// (the custom JWKS behaviour).
func (s *site) serveMint(w http.ResponseWriter, r *http.Request) {
	var req mintRequest
	if err := decodeJSON(r, &req); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	resp, err := s.mint(r, req)
	var bad badMint
	switch {
	case errors.As(err, &bad), errors.Is(err, ErrUnknown), errors.Is(err, issuer.ErrUnknownFault),
		errors.Is(err, issuer.ErrFaultNeeds), errors.Is(err, issuer.ErrBadSpec), errors.Is(err, issuer.ErrAlgNotAllowed),
		errors.Is(err, keys.ErrNoKey), errors.Is(err, keys.ErrUnsupportedAlg):
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
	case err != nil:
		writeAPIError(w, http.StatusInternalServerError, "server_error", err.Error())
	default:
		s.logMinted(req, resp)
		writeJSON(w, http.StatusOK, resp)
	}
}

// badMint is a mint request that cannot be honoured as written.
type badMint string

func (b badMint) Error() string { return string(b) }

// mint builds the token of a request.
func (s *site) mint(r *http.Request, req mintRequest) (*mintResponse, error) {
	m, err := req.toMint(s.prefix)
	if err != nil {
		return nil, err
	}
	if req.Fault != "" {
		return s.mintFault(r, req, m)
	}
	c, err := s.mintClient(req.ClientID)
	if err != nil {
		return nil, err
	}
	var d *issuer.Draft
	err = s.withKeyFor(func() (err error) {
		if req.Kind == string(issuer.KindAccessToken) {
			spec, user := s.accessSpecFor(c, m)
			d, err = s.draftAccess(spec, user)
			return err
		}
		spec := s.idSpecFor(c, m)
		spec.AccessToken, spec.Code = req.AccessToken, req.Code
		d, err = s.draftID(spec)
		return err
	})
	if err != nil {
		return nil, err
	}
	applyRaw(&d.Payload, req.Claims)
	applyRaw(&d.Header, req.Header)
	tok, err := d.Sign()
	if err != nil {
		return nil, err
	}
	return &mintResponse{Token: tok.Raw, Header: rawOrString(tok.Header), Claims: rawOrString(tok.Payload), Expect: issuer.MustAccept}, nil
}

// toMint turns the request's common fields into a Mint.
func (req mintRequest) toMint(issuerPath string) (Mint, error) {
	m := Mint{Issuer: issuerPath, Client: req.ClientID, Subject: req.Sub, Nonce: req.Nonce, Alg: keys.Alg(req.Alg)}
	switch req.Kind {
	case "", string(issuer.KindIDToken), string(issuer.KindAccessToken):
	default:
		return m, badMint(fmt.Sprintf("kind %q: id_token or access_token", req.Kind))
	}
	if req.Alg != "" {
		if _, err := keys.ParseAlg(req.Alg); err != nil {
			return m, badMint(fmt.Sprintf("alg %q: RS256, PS256, ES256, ES384, EdDSA, HS256 or none", req.Alg))
		}
	}
	if req.Scope != "" {
		m.Scopes = strings.Fields(req.Scope)
	}
	var err error
	if m.Audience, err = parseAudience(req.Aud); err != nil {
		return m, err
	}
	if m.TTL, err = parseTTL(req.TTL); err != nil {
		return m, err
	}
	m.Claims = map[string]any{}
	for name, raw := range req.Claims {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return m, badMint(fmt.Sprintf("claims.%s: %v", name, err))
		}
		if v != nil {
			m.Claims[name] = v
		}
	}
	return m, nil
}

func parseAudience(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil || len(many) == 0 {
		return nil, badMint("aud: a string or a non-empty array of strings")
	}
	return many, nil
}

func parseTTL(raw json.RawMessage) (time.Duration, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		d, err := time.ParseDuration(text)
		if err != nil || d == 0 {
			return 0, badMint(`ttl: a non-zero duration such as "5m" or "-1h", or a number of seconds`)
		}
		return d, nil
	}
	secs, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || secs == 0 || secs > 1<<31 || secs < -(1<<31) {
		return 0, badMint(`ttl: a non-zero duration such as "5m" or "-1h", or a number of seconds`)
	}
	return time.Duration(secs) * time.Second, nil
}

// applyRaw sets the given members on c, removing those given as null.
func applyRaw(c *issuer.Claims, members map[string]json.RawMessage) {
	for name, raw := range members {
		if string(raw) == "null" {
			c.Delete(name)
			continue
		}
		c.SetRaw(name, []byte(raw))
	}
}

// rawOrString is b as a JSON value, or as a JSON string when b is not JSON
// (a broken token's parts often are not).
func rawOrString(b []byte) json.RawMessage {
	if json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}
