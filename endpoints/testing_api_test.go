package endpoints

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// api calls the testing API and decodes the JSON answer.
func (e *testEnv) api(method, path, body, token string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.issuer+"/_testidp"+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil && resp.StatusCode != http.StatusNotFound {
		e.t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, m
}

// apiList calls the testing API for an endpoint that answers a JSON array.
func (e *testEnv) apiList(method, path string) (int, []any) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.issuer+"/_testidp"+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []any
	_ = json.NewDecoder(resp.Body).Decode(&list)
	return resp.StatusCode, list
}

func TestClockAPI(t *testing.T) {
	e := startEnv(t, nil)
	start := e.clock.Now()
	status, got := e.api("POST", "/clock", `{"advance": "2h"}`, "")
	if status != 200 || got["mode"] != "offset" || int64(got["unix"].(float64)) != start.Add(2*time.Hour).Unix() {
		t.Errorf("advance 2h: %d %v", status, got)
	}
	if !e.p.Now().Equal(start.Add(2 * time.Hour)) {
		t.Errorf("provider clock %v, want %v", e.p.Now(), start.Add(2*time.Hour))
	}
	_, got = e.api("POST", "/clock", `{"now": "2030-01-02T03:04:05Z"}`, "")
	if got["mode"] != "fixed" || got["now"] != "2030-01-02T03:04:05Z" {
		t.Errorf("set: %v", got)
	}
	_, got = e.api("POST", "/clock", `{"reset": true}`, "")
	if got["mode"] != "real" {
		t.Errorf("reset: %v", got)
	}
	for _, bad := range []string{`{"advance": "soon"}`, `{"now": "yesterday"}`, `{"unknown": 1}`, `{} {}`} {
		if status, body := e.api("POST", "/clock", bad, ""); status != 400 || body["error"] != "invalid_request" {
			t.Errorf("POST clock %s: %d %v, want 400 invalid_request", bad, status, body)
		}
	}
}

func TestTestingAPIProtection(t *testing.T) {
	e := startEnv(t, func(c *Config) { c.AdminToken = "s3cret" })
	if status, _ := e.api("GET", "/clock", "", ""); status != 401 {
		t.Errorf("no token: %d, want 401", status)
	}
	if status, _ := e.api("GET", "/clock", "", "wrong"); status != 401 {
		t.Errorf("wrong token: %d, want 401", status)
	}
	if status, _ := e.api("GET", "/clock", "", "s3cret"); status != 200 {
		t.Errorf("right token: %d, want 200", status)
	}
	off := false
	e2 := startEnv(t, func(c *Config) { c.TestingAPI = &off })
	if status, _ := e2.api("GET", "/clock", "", ""); status != 404 {
		t.Errorf("testing_api false: %d, want 404", status)
	}
}

func TestFaultsManifestAPI(t *testing.T) {
	e := startEnv(t, nil)
	resp, err := http.Get(e.issuer + "/_testidp/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m []struct{ Ref, Expect string }
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || len(m) < 80 {
		t.Fatalf("manifest: %d entries, %v", len(m), err)
	}
	if m[0].Ref != "baseline-valid#RS256" || m[0].Expect != "must-accept" {
		t.Errorf("first entry %+v", m[0])
	}
}
