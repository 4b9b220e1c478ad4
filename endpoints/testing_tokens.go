package endpoints

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/storage"
)

// defaultTokensLimit is how many entries GET {issuer}/_testidp/tokens
// returns without a limit parameter.
const defaultTokensLimit = 100

// issuedToken is one entry of the issued-token log as the testing API
// shows it: what was issued to whom, never the token itself. TokenID is the
// JWT's jti, or for a token without one (opaque access and refresh tokens,
// ID tokens without jti) the base64url SHA-256 of its value.
type issuedToken struct {
	Seq       int64     `json:"seq"`
	Kind      string    `json:"kind"`
	ClientID  string    `json:"client_id"`
	Subject   string    `json:"sub"`
	TokenID   string    `json:"token_id"`
	IssuedAt  time.Time `json:"issued_at"`
	GrantType string    `json:"grant_type,omitempty"`
	Alg       string    `json:"alg,omitempty"`
	KeyID     string    `json:"kid,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Fault     string    `json:"fault,omitempty"`
}

// serveIssuedTokens is GET {issuer}/_testidp/tokens[?limit=N]: the tokens
// this issuer issued, newest first (default 100; the log keeps the newest
// 10000 per issuer).
func (s *site) serveIssuedTokens(w http.ResponseWriter, r *http.Request) {
	limit := defaultTokensLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", "limit: a positive number of entries")
			return
		}
		limit = n
	}
	entries, err := s.store.Log(r.Context(), s.key, limit)
	if err != nil {
		writeAPIError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	out := make([]issuedToken, 0, len(entries))
	for _, e := range entries {
		var sum tokenSummary
		_ = json.Unmarshal(e.Data, &sum) // written by logSummary
		t := issuedToken{Seq: e.Seq, Kind: e.Kind, ClientID: e.ClientID, Subject: e.Subject, TokenID: e.TokenID,
			IssuedAt: e.IssuedAt.UTC(), GrantType: sum.GrantType, Alg: sum.Alg, KeyID: sum.KeyID, Fault: sum.Fault}
		if sum.ExpiresAt != 0 {
			t.ExpiresAt = time.Unix(sum.ExpiresAt, 0).UTC()
		}
		out = append(out, t)
	}
	writeJSON(w, http.StatusOK, struct {
		Tokens []issuedToken `json:"tokens"`
	}{out})
}

// grantMint is the grant type of tokens from the mint API in the log.
const grantMint = "mint"

// logMinted records a token of the mint API in the issued-token log. Its
// header and claims may be broken on purpose: what cannot be read is left
// out.
func (s *site) logMinted(req mintRequest, resp *mintResponse) {
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var c struct {
		Sub string  `json:"sub"`
		JTI string  `json:"jti"`
		Exp float64 `json:"exp"`
	}
	_ = json.Unmarshal(resp.Header, &h)
	_ = json.Unmarshal(resp.Claims, &c)
	kind := req.Kind
	if kind == "" {
		kind = string(issuer.KindIDToken)
	}
	client := req.ClientID
	if client == "" && len(s.cfg.Clients) > 0 {
		client = s.cfg.Clients[0].ID
	}
	id := c.JTI
	if id == "" {
		id = hashValue(resp.Token)
	}
	var exp time.Time
	if c.Exp > 0 && c.Exp < 1<<40 {
		exp = time.Unix(int64(c.Exp), 0)
	}
	s.store.AppendLog(storage.LogEntry{Issuer: s.key, Kind: kind, ClientID: client, Subject: c.Sub, TokenID: id,
		Data: logSummary(grantMint, h.Alg, h.Kid, exp, resp.Fault), IssuedAt: s.now()})
}
