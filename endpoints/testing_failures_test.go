package endpoints

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func TestEndpointFailures(t *testing.T) {
	e := startEnv(t, nil)
	// AuthStyleInHeader: with auto-detection x/oauth2 retries a failed
	// request once with the other style, which would use up two failures.
	cc := clientcredentials.Config{ClientID: "service", ClientSecret: "service-secret", TokenURL: e.issuer + "/token",
		AuthStyle: oauth2.AuthStyleInHeader}
	ctx := context.Background()

	if status, body := e.api("POST", "/failures", `{"endpoint": "token", "count": 2, "error": "temporarily_unavailable", "status": 503}`, ""); status != 200 {
		t.Fatalf("arm: %d %v", status, body)
	}
	for i := 0; i < 2; i++ {
		_, err := cc.Token(ctx)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "temporarily_unavailable" || re.Response.StatusCode != 503 {
			t.Errorf("request %d: %v, want the injected 503 temporarily_unavailable", i+1, err)
		}
	}
	if _, err := cc.Token(ctx); err != nil {
		t.Errorf("third request should succeed: %v", err)
	}

	e.api("POST", "/failures", `{"endpoint": "userinfo", "count": 1, "status": 502}`, "")
	resp, err := http.Get(e.issuer + "/userinfo")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 502 {
		t.Errorf("userinfo: %d, want the injected 502", resp.StatusCode)
	}

	e.api("POST", "/failures", `{"endpoint": "token", "count": 1, "delay": "300ms"}`, "")
	start := time.Now()
	if _, err := cc.Token(ctx); err != nil || time.Since(start) < 300*time.Millisecond {
		t.Errorf("delayed request: %v after %v, want success after at least 300ms", err, time.Since(start))
	}

	e.api("POST", "/failures", `{"endpoint": "token", "count": 5, "error": "server_error", "status": 500}`, "")
	if status, list := e.apiList("DELETE", "/failures"); status != 200 || len(list) != 0 {
		t.Errorf("clear: %d %v", status, list)
	}
	if _, err := cc.Token(ctx); err != nil {
		t.Errorf("after clearing: %v", err)
	}
	for _, bad := range []string{`{"endpoint": "authorize", "count": 1, "status": 500}`, `{"endpoint": "token", "count": 0, "status": 500}`,
		`{"endpoint": "token", "count": 1}`, `{"endpoint": "token", "count": 1, "status": 200}`, `{"endpoint": "token", "count": 1, "delay": "forever"}`} {
		if status, _ := e.api("POST", "/failures", bad, ""); status != 400 {
			t.Errorf("POST %s: %d, want 400", bad, status)
		}
	}
}
