package endpoints

import "testing"

func TestRedirectMatching(t *testing.T) {
	cases := []struct {
		registered, requested string
		want                  bool
	}{
		{"https://app.example/cb", "https://app.example/cb", true},
		{"https://app.example/cb", "https://app.example/cb/", false},
		{"https://app.example/cb", "https://app.example:8443/cb", false},
		{"https://app.example/cb", "https://APP.example/cb", true},
		{"https://app.example/cb", "https://app.example/cb?x=1", false},
		{"https://app.example/cb", "https://app.example/cb#f", false},
		{"https://app.example/cb", "https://app.example.evil/cb", false},
		{"https://app.example/cb", "https://user@app.example/cb", false},
		{"http://127.0.0.1/cb", "http://127.0.0.1:49152/cb", true},
		{"http://127.0.0.1:3000/cb", "http://127.0.0.1:1/cb", true},
		{"http://[::1]/cb", "http://[::1]:8080/cb", true},
		{"http://localhost/cb", "http://localhost:5173/cb", true},
		{"http://127.0.0.1/cb", "http://127.0.0.1:3000/other", false},
		{"http://127.0.0.1/cb", "https://127.0.0.1:3000/cb", false},
		{"http://localhost/*", "http://localhost:3000/any/path?q=1", true},
		{"http://localhost/*", "http://localhost.evil.example:3000/x", false},
		{"https://app.example/auth/*", "https://app.example/auth/x/y", true},
		{"https://app.example/auth/*", "https://app.example/other", false},
		{"https://app.example/auth/*", "https://app.example/auth/../../other", false},
		{"com.example.app:/oauth2redirect", "com.example.app:/oauth2redirect", true},
		{"com.example.app:/oauth2redirect", "com.example.app:/other", false},
	}
	for _, tc := range cases {
		p, err := parseRedirectPattern(tc.registered)
		if err != nil {
			t.Fatalf("parseRedirectPattern(%q): %v", tc.registered, err)
		}
		if got := p.matches(tc.requested); got != tc.want {
			t.Errorf("registered %q, requested %q: match %v, want %v", tc.registered, tc.requested, got, tc.want)
		}
	}
	for _, bad := range []string{"/relative", "https://x.example/cb#frag", "https://x.example/*/cb", "https://x.example/a*", "https://u:p@x.example/cb", "%zz"} {
		if _, err := parseRedirectPattern(bad); err == nil {
			t.Errorf("parseRedirectPattern(%q): no error", bad)
		}
	}
}
