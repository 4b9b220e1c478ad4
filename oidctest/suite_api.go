package oidctest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/testidp/testidp/issuer"
)

// suiteAPI talks to the testing API of the provider under test.
type suiteAPI struct {
	issuer string // without a trailing slash
	admin  string
	client *http.Client
}

// apiAnswer is an answer of the testing API other than 200: its status
// and, when it is the API's JSON error, the error code and description.
type apiAnswer struct {
	Status      int
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func newSuiteAPI(issuerURL, admin string) *suiteAPI {
	return &suiteAPI{issuer: strings.TrimSuffix(issuerURL, "/"), admin: admin, client: &http.Client{Timeout: 30 * time.Second}}
}

// call sends a request to issuer+path (with the admin token for the testing
// API) and decodes a 200 answer into out.
func (a *suiteAPI) call(ctx context.Context, method, path string, in, out any) error {
	bad, err := a.do(ctx, method, path, in, out)
	if err == nil && bad != nil {
		err = fmt.Errorf("%s %s: %d %s: %s", method, path, bad.Status, bad.Code, bad.Description)
	}
	return err
}

// do is call that returns an answer other than 200 instead of failing.
func (a *suiteAPI) do(ctx context.Context, method, path string, in, out any) (*apiAnswer, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.issuer+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if a.admin != "" && strings.HasPrefix(path, "/_testidp/") {
		req.Header.Set("Authorization", "Bearer "+a.admin)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		bad := &apiAnswer{Status: resp.StatusCode}
		if json.Unmarshal(raw, bad) != nil || bad.Code == "" {
			bad.Code, bad.Description = http.StatusText(resp.StatusCode), shorten(string(raw), 200)
		}
		return bad, nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil, nil
}

// minted is the mint API's answer (endpoints/testing_mint.go).
type minted struct {
	Token    string           `json:"token"`
	Header   json.RawMessage  `json:"header"`
	Claims   json.RawMessage  `json:"claims"`
	Fault    string           `json:"fault"`
	Expect   issuer.Expect    `json:"expect"`
	Delivery *issuer.Delivery `json:"delivery"`
	Steps    []mintedStep     `json:"steps"`
	Rogue    *struct {
		URL         string `json:"url"`
		ContentType string `json:"content_type"`
		Document    string `json:"document"`
	} `json:"rogue"`
}

type mintedStep struct {
	Token            string          `json:"token"`
	Expect           issuer.Expect   `json:"expect"`
	Nonce            string          `json:"nonce"`
	AccessToken      string          `json:"access_token"`
	Code             string          `json:"code"`
	State            string          `json:"state"`
	Userinfo         json.RawMessage `json:"userinfo"`
	Refresh          bool            `json:"refresh"`
	JWKS             json.RawMessage `json:"jwks"`
	MaxAge           int             `json:"max_age"`
	ACRValues        []string        `json:"acr_values"`
	TrustedAudiences []string        `json:"trusted_audiences"`
	Note             string          `json:"note"`
}

// mintRequest is the part of the mint API's request the suite uses.
type suiteMintRequest struct {
	ClientID string `json:"client_id,omitempty"`
	Fault    string `json:"fault,omitempty"`
	Nonce    string `json:"nonce,omitempty"`
	RogueURL string `json:"rogue_url,omitempty"`
}

// mintFault mints a case. A case the provider cannot build for this client
// (issuer.ErrFaultNeeds) gives a reason instead of an error.
func (a *suiteAPI) mintFault(ctx context.Context, req suiteMintRequest) (*minted, string, error) {
	var m minted
	bad, err := a.do(ctx, http.MethodPost, "/_testidp/mint", req, &m)
	if err != nil {
		return nil, "", fmt.Errorf("mint %s: %w", req.Fault, err)
	}
	if bad != nil {
		if _, reason, found := strings.Cut(bad.Description, issuer.ErrFaultNeeds.Error()+": "); found && bad.Status == http.StatusBadRequest {
			return nil, reason, nil
		}
		return nil, "", fmt.Errorf("mint %s: %d %s: %s", req.Fault, bad.Status, bad.Code, bad.Description)
	}
	if len(m.Steps) == 0 {
		return nil, "", fmt.Errorf("mint %s: the answer has no steps", req.Fault)
	}
	return &m, "", nil
}

// setJWKS makes the provider serve body at its jwks_uri (nil: its own
// keys).
func (a *suiteAPI) setJWKS(ctx context.Context, body json.RawMessage) error {
	req := map[string]any{"behaviour": "normal"}
	if body != nil {
		req = map[string]any{"behaviour": "custom", "body": body}
	}
	var ignored json.RawMessage
	if err := a.call(ctx, http.MethodPost, "/_testidp/jwks", req, &ignored); err != nil {
		return fmt.Errorf("set the JWKS: %w", err)
	}
	return nil
}

// rogueFetches is how often the provider served the rogue document at
// rawURL (a same-host jku or x5u), or -1 when it does not know it.
func (a *suiteAPI) rogueFetches(ctx context.Context, rawURL string) (int, error) {
	var docs []struct {
		URL     string `json:"url"`
		Fetches int    `json:"fetches"`
	}
	if err := a.call(ctx, http.MethodGet, "/_testidp/rogue", nil, &docs); err != nil {
		return 0, fmt.Errorf("rogue fetches: %w", err)
	}
	for _, d := range docs {
		if d.URL == rawURL {
			return d.Fetches, nil
		}
	}
	return -1, nil
}

// shorten cuts s to at most n bytes (on a rune boundary), marking the cut.
func shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
