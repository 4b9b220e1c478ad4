package endpoints

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// A client that sends part of a body and stops is answered and cut off
// after bodyReadTimeout, not held.
func TestSlowBodyIsCutOff(t *testing.T) {
	defer func(d time.Duration) { bodyReadTimeout = d }(bodyReadTimeout)
	bodyReadTimeout = 200 * time.Millisecond
	e := startEnv(t, nil)
	conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	// 100 bytes announced, 12 sent.
	_, _ = io.WriteString(conn, "POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Authorization: Basic c2VydmljZTpzZXJ2aWNlLXNlY3JldA==\r\nContent-Length: 100\r\n\r\ngrant_type=c")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body within 5s (bodyReadTimeout 200ms): %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "invalid_request") {
		t.Errorf("stalled body: %d %s, want 400 invalid_request", resp.StatusCode, body)
	}
	if d := time.Since(start); d < bodyReadTimeout || d > 3*time.Second {
		t.Errorf("stalled body answered after %v, want about bodyReadTimeout (200ms)", d)
	}
	// The connection is closed after the answer.
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Error("connection still open after a stalled body was refused")
	}
}

// The body deadline does not reach handlers that answer late on purpose
// (endpoint failures with a delay longer than bodyReadTimeout): the body
// was read in time, the delayed answer is a normal one.
func TestBodyDeadlineSparesDelayedAnswers(t *testing.T) {
	defer func(d time.Duration) { bodyReadTimeout = d }(bodyReadTimeout)
	bodyReadTimeout = 100 * time.Millisecond
	e := startEnv(t, nil)
	if status, body := e.api("POST", "/failures", `{"endpoint": "token", "count": 1, "delay": "400ms"}`, ""); status != 200 {
		t.Fatalf("arm delay: %d %v", status, body)
	}
	cc := clientcredentials.Config{ClientID: "service", ClientSecret: "service-secret", TokenURL: e.issuer + "/token",
		AuthStyle: oauth2.AuthStyleInHeader}
	start := time.Now()
	if _, err := cc.Token(context.Background()); err != nil {
		t.Fatalf("token request delayed 400ms with a 100ms body deadline: %v, want success", err)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("answered after %v, want the 400ms delay", d)
	}
}
