package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A connection that never finishes its request headers (slowloris) is
// closed after readHeaderTimeout, and it does not stop others from being
// served meanwhile.
func TestSlowHeadersAreCutOff(t *testing.T) {
	defer func(d time.Duration) { readHeaderTimeout = d }(readHeaderTimeout)
	readHeaderTimeout = 300 * time.Millisecond
	issuer := startServe(t, []string{"--addr", "127.0.0.1:0", "--db", ":memory:"}, nil)
	u, _ := url.Parse(issuer)
	var conns []net.Conn
	for range 20 {
		c, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, _ = io.WriteString(c, "GET /.well-known/openid-configuration HTTP/1.1\r\nHost: "+u.Host+"\r\nX-Slow: ")
		conns = append(conns, c)
	}
	// Others are served while the slow ones hang.
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("discovery while 20 connections hold unfinished headers: %v %v", resp, err)
	}
	resp.Body.Close()
	start := time.Now()
	for i, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := io.ReadAll(c) // returns when the server closes the connection
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("connection %d with unfinished headers still open after 5s (readHeaderTimeout 300ms)", i)
		}
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("connections with unfinished headers closed after %v, want about readHeaderTimeout", d)
	}
}

// Request line and headers beyond maxHeaderBytes are refused with 431
// before any handler runs; a large but reasonable header still passes.
func TestHeaderSizeLimit(t *testing.T) {
	issuer := startServe(t, []string{"--addr", "127.0.0.1:0", "--db", ":memory:"}, nil)
	u, _ := url.Parse(issuer)
	cases := []struct {
		name string
		size int
		want int
	}{
		{"8 KiB cookie", 8 << 10, http.StatusOK},
		{"twice the limit", 2 * maxHeaderBytes, http.StatusRequestHeaderFieldsTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", u.Host)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			go io.WriteString(c, "GET /.well-known/openid-configuration HTTP/1.1\r\nHost: "+u.Host+
				"\r\nCookie: a="+strings.Repeat("x", tc.size)+"\r\nConnection: close\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("no response to a %d-byte header: %v", tc.size, err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%d-byte header: status %d, want %d", tc.size, resp.StatusCode, tc.want)
			}
		})
	}
}
