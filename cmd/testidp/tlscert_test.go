package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestGeneratedTLSRenewal(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	hosts := []string{"127.0.0.1", "::1", "localhost"}
	cases := []struct {
		name               string
		prepare            func(dir string) // after a first run at t0
		now                time.Time
		hosts              []string
		wantCA, wantServer bool // reused?
	}{
		{"same names, same day", nil, t0, hosts, true, true},
		{"a month before expiry", nil, t0.Add(serverLifetime - 31*24*time.Hour), hosts, true, true},
		{"near expiry", nil, t0.Add(serverLifetime - 29*24*time.Hour), hosts, true, false},
		{"names changed", nil, t0, append(slices.Clone(hosts), "idp.test"), true, false},
		{"CA near expiry", nil, t0.Add(caLifetime - 29*24*time.Hour), hosts, false, false},
		{"server key of another certificate", func(dir string) {
			other := t.TempDir()
			if _, err := loadOrCreateTLS(other, hosts, t0); err != nil {
				t.Fatal(err)
			}
			copyFile(t, filepath.Join(other, serverKeyFile), filepath.Join(dir, serverKeyFile))
		}, t0, hosts, true, false},
		{"corrupt CA", func(dir string) { os.WriteFile(filepath.Join(dir, caCertFile), []byte("garbage"), 0o644) }, t0, hosts, false, false},
		{"server certificate missing", func(dir string) { os.Remove(filepath.Join(dir, serverCertFile)) }, t0, hosts, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			first, err := loadOrCreateTLS(dir, hosts, t0)
			if err != nil {
				t.Fatal(err)
			}
			if first.reusedCA || first.reusedServer {
				t.Fatalf("first run in an empty directory reused something: %+v", first)
			}
			if tc.prepare != nil {
				tc.prepare(dir)
			}
			g, err := loadOrCreateTLS(dir, tc.hosts, tc.now)
			if err != nil {
				t.Fatalf("loadOrCreateTLS: %v", err)
			}
			if g.reusedCA != tc.wantCA || g.reusedServer != tc.wantServer {
				t.Errorf("reused CA %v, certificate %v; want %v, %v", g.reusedCA, g.reusedServer, tc.wantCA, tc.wantServer)
			}
			leaf := g.serverCert.Leaf
			if err := leaf.CheckSignatureFrom(g.caCert); err != nil {
				t.Errorf("server certificate not signed by the CA: %v", err)
			}
			want := slices.Sorted(slices.Values(tc.hosts))
			if got := certHosts(leaf); !slices.Equal(got, want) {
				t.Errorf("certificate names %v, want %v", got, want)
			}
			if left := leaf.NotAfter.Sub(tc.now); left < renewBefore {
				t.Errorf("certificate expires in %v, less than %v", left, renewBefore)
			}
			// What was written is what a third run finds.
			again, err := loadOrCreateTLS(dir, tc.hosts, tc.now)
			if err != nil {
				t.Fatalf("third run: %v", err)
			}
			if !again.reusedCA || !again.reusedServer {
				t.Errorf("a third run did not reuse what the second wrote: err %v, reused CA %v, certificate %v", err, again.reusedCA, again.reusedServer)
			}
		})
	}
}

func TestGeneratedTLSFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	if _, err := loadOrCreateTLS(dir, []string{"localhost"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{caKeyFile: 0o600, serverKeyFile: 0o600, caCertFile: 0o644, serverCertFile: 0o644, ".": 0o700 | os.ModeDir} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode(), want)
		}
	}
	// An empty directory name keeps nothing, and still works.
	g, err := loadOrCreateTLS("", []string{"localhost"}, time.Now())
	if err != nil {
		t.Fatalf("ephemeral: %v", err)
	}
	if g.reusedCA || len(g.caPEM) == 0 {
		t.Errorf("ephemeral: err %v, reused CA %v, CA PEM %d bytes", err, g.reusedCA, len(g.caPEM))
	}
}

func TestTLSHosts(t *testing.T) {
	cases := []struct {
		name         string
		listen       string
		issuers, add []string
		want         []string
	}{
		{"defaults", "", []string{"https://localhost:8443"}, nil, []string{"127.0.0.1", "::1", "localhost"}},
		{"wildcard listen is not a name", "0.0.0.0", nil, nil, []string{"127.0.0.1", "::1", "localhost"}},
		{"listen host, issuers, extras", "192.0.2.7", []string{"https://IdP.Example:8443/realms/a", "https://[2001:db8::1]:8443"},
			[]string{"testidp", "*.svc.local"}, []string{"*.svc.local", "127.0.0.1", "192.0.2.7", "2001:db8::1", "::1", "idp.example", "localhost", "testidp"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tlsHosts(tc.listen, tc.issuers, tc.add); !slices.Equal(got, tc.want) {
				t.Errorf("tlsHosts(%q, %v, %v) = %v, want %v", tc.listen, tc.issuers, tc.add, got, tc.want)
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
