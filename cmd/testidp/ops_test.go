package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBannerAndJSONLogs(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "testidp.db")
	s := startServeStop(t, []string{"--addr", "127.0.0.1:0", "--db", db}, map[string]string{"TESTIDP_LOG_FORMAT": "json"})
	resp, err := http.Get(s.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := s.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	out := s.stdout.String()
	port := s.issuer[strings.LastIndex(s.issuer, ":")+1:]
	for _, want := range []string{
		"an OpenID Provider for tests only — never production",
		"listening: http://127.0.0.1:" + port + "\n",
		"issuer:    " + s.issuer + "\n",
		"database:  " + db + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "warning:") {
		t.Errorf("banner warns on a loopback address:\n%s", out)
	}
	var msgs []string
	for _, line := range strings.Split(strings.TrimSpace(s.stderr.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("with TESTIDP_LOG_FORMAT=json, a log line is not JSON: %q", line)
		}
		msgs = append(msgs, m["msg"].(string))
		if m["msg"] == "request" && m["path"] != "/.well-known/openid-configuration" {
			t.Errorf("unexpected request line %v", m)
		}
	}
	if got := strings.Join(msgs, ","); got != "serving,request,shutting down: finishing in-flight requests,stopped; database closed" {
		t.Errorf("log messages = %s", got)
	}
}

func TestBannerWarnsBeyondLoopback(t *testing.T) {
	cases := []struct {
		name string
		file string
		warn bool
	}{
		{"no admin token", "", true},
		{"admin token", "admin_token: s3cret-admin-token\n", false},
		{"testing API off", "testing_api: false\n", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"--addr", "0.0.0.0:0", "--db", ":memory:"}
			if tc.file != "" {
				file := filepath.Join(t.TempDir(), "c.yaml")
				os.WriteFile(file, []byte(tc.file), 0o600)
				args = append(args, "--config", file)
			}
			s := startServeStop(t, args, nil)
			out := s.stdout.String()
			if got := strings.Contains(out, "warning:   listening beyond loopback without admin_token"); got != tc.warn {
				t.Errorf("warning shown %v, want %v:\n%s", got, tc.warn, out)
			}
			if strings.Contains(out, "s3cret") || strings.Contains(s.stderr.String(), "s3cret") {
				t.Error("the admin token was printed")
			}
		})
	}
}

func TestOpsSettings(t *testing.T) {
	cases := []struct {
		name string
		args []string
		vars map[string]string
		want string // a problem, or "" for valid
	}{
		{"tls from env", nil, map[string]string{"TESTIDP_TLS": "1"}, ""},
		{"tls flag", []string{"--tls"}, nil, ""},
		{"tls flag false beats env", []string{"--tls=false"}, map[string]string{"TESTIDP_TLS": "true"}, ""},
		{"tls env not a boolean", nil, map[string]string{"TESTIDP_TLS": "sometimes"}, `tls.enabled (from environment variable TESTIDP_TLS): "sometimes" is not a boolean`},
		{"log format from env", nil, map[string]string{"TESTIDP_LOG_FORMAT": "xml"}, "log.format (from environment variable TESTIDP_LOG_FORMAT)"},
		{"log level flag", []string{"--log-level", "loud"}, nil, "log.level (from flag --log-level)"},
		{"hosts", []string{"--tls", "--tls-hosts", "idp.test, 10.0.0.1,bad host"}, nil, `tls.hosts[2]: "bad host"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig("serve", tc.args, env(tc.vars), &syncBuffer{})
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("loadConfig: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("loadConfig: %v, want a problem containing %q", err, tc.want)
			}
		})
	}
	cfg, err := loadConfig("serve", []string{"--tls=false"}, env(map[string]string{"TESTIDP_TLS": "true"}), &syncBuffer{})
	if err != nil || cfg.TLS.On() {
		t.Errorf("--tls=false over TESTIDP_TLS=true: tls on %v, err %v", cfg.TLS.On(), err)
	}
	file := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(file, []byte("tls: {enabled: true, hosts: [idp.test]}\nlog: {format: json}\n"), 0o600)
	cfg, err = loadConfig("serve", []string{"--config", file, "--db", "/data/x.db"}, env(nil), &syncBuffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.TLS.Enabled || cfg.TLS.Hosts[0] != "idp.test" || cfg.Log.Format != "json" || cfg.TLS.CAOut != "/data/testidp-ca.pem" {
		t.Errorf("from the file: tls %+v, log %+v", cfg.TLS, cfg.Log)
	}
}
