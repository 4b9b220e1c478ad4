package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
)

// mixedResult is what the sustained run measured.
type mixedResult struct {
	d       time.Duration
	clients int
	ops     map[string][]time.Duration // latencies by operation
	errs    map[string]int
	first   []string      // the first errors, for the report
	samples []memSample   // server RSS over time
	logLen  int           // entries GET /_testidp/tokens returned at the end
	cpu     time.Duration // server CPU during the run
}

type memSample struct {
	at  time.Duration
	rss float64
}

// mixedRun drives base for d with concurrent clients: code-flow clients
// (authorize with login auto and PKCE, code exchange, userinfo, two
// refreshes), client_credentials clients (one per algorithm) and JWKS
// readers. Every answer must be the expected one.
func mixedRun(s *server, d time.Duration) *mixedResult {
	res := &mixedResult{d: d, ops: map[string][]time.Duration{}, errs: map[string]int{}}
	var mu sync.Mutex
	record := func(op string, start time.Time, err error) bool {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			res.errs[op]++
			if len(res.first) < 5 {
				res.first = append(res.first, op+": "+err.Error())
			}
			return false
		}
		res.ops[op] = append(res.ops[op], time.Since(start))
		return true
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	workers := []func(){}
	for range 4 {
		workers = append(workers, func() { codeFlowClient(s.base, tr, stop, record) })
	}
	for _, c := range ccClients {
		workers = append(workers, func() { repeatClient(s.base, tr, stop, ccTarget(c.alg, c.id), record) })
	}
	for range 2 {
		workers = append(workers, func() {
			repeatClient(s.base, tr, stop, target{name: "jwks", method: http.MethodGet, path: "/jwks"}, record)
		})
	}
	res.clients = len(workers)
	startCPU, start := s.cpu(), time.Now()
	for _, w := range workers {
		wg.Go(w)
	}
	for time.Now().Before(stop) {
		res.samples = append(res.samples, memSample{time.Since(start), s.rss()})
		time.Sleep(min(2*time.Second, time.Until(stop)+time.Millisecond))
	}
	wg.Wait()
	res.cpu = s.cpu() - startCPU
	res.samples = append(res.samples, memSample{time.Since(start), s.rss()})
	return res
}

// repeatClient sends t until stop.
func repeatClient(base string, tr http.RoundTripper, stop time.Time, t target, record func(string, time.Time, error) bool) {
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	for time.Now().Before(stop) {
		start := time.Now()
		record(t.name, start, doRequest(client, base, t))
	}
}

// codeFlowClient is a browser and its application: a login (the session
// is kept, so later authorizations reuse it), then for each round a code
// flow, userinfo and two refreshes.
func codeFlowClient(base string, tr http.RoundTripper, stop time.Time, record func(string, time.Time, error) bool) {
	jar, _ := cookiejar.New(nil)
	host := strings.TrimPrefix(base, "http://")
	browser := &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != host {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	app := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	for time.Now().Before(stop) {
		start := time.Now()
		code, verifier, err := authorize(browser, base)
		if !record("authorize", start, err) {
			continue
		}
		start = time.Now()
		tok, err := tokenRequest(app, base, url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {"http://127.0.0.1:3000/cb"}, "code_verifier": {verifier}})
		if !record("code exchange", start, err) {
			continue
		}
		start = time.Now()
		record("userinfo", start, userinfo(app, base, tok.AccessToken))
		for range 2 {
			start = time.Now()
			next, err := tokenRequest(app, base, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
			if !record("refresh", start, err) {
				break
			}
			tok = next
		}
	}
}

// authorize runs an authorization request to the redirect to the client
// and returns the code and the PKCE verifier.
func authorize(browser *http.Client, base string) (code, verifier string, err error) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	verifier = base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {"http://127.0.0.1:3000/cb"},
		"scope": {"openid profile email"}, "state": {"st"}, "nonce": {"n"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	resp, err := browser.Get(base + "/authorize?" + q.Encode())
	if err != nil {
		return "", "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		return "", "", fmt.Errorf("status %d, no code in %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code"), verifier, nil
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
}

// tokenRequest posts a grant as the web client; the answer must carry an
// access token and a refresh token.
func tokenRequest(app *http.Client, base string, form url.Values) (tokens, error) {
	req, _ := http.NewRequest(http.MethodPost, base+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("web", "web-secret")
	resp, err := app.Do(req)
	if err != nil {
		return tokens{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var t tokens
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &t) != nil || t.AccessToken == "" || t.RefreshToken == "" || t.IDToken == "" {
		return tokens{}, fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	return t, nil
}

// userinfo must answer 200 for the access token.
func userinfo(app *http.Client, base, at string) error {
	req, _ := http.NewRequest(http.MethodGet, base+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	resp, err := app.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"sub"`) {
		return fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	return nil
}

// issuedLogLength asks the testing API for more entries than the cap.
func issuedLogLength(base string) int {
	resp, err := http.Get(base + "/_testidp/tokens?limit=1000000")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var out struct {
		Tokens []json.RawMessage `json:"tokens"`
	}
	if json.NewDecoder(resp.Body).Decode(&out) != nil {
		return -1
	}
	return len(out.Tokens)
}
