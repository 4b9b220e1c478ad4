package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/testidp/testidp/endpoints"
	"github.com/testidp/testidp/fixtures"
	"github.com/testidp/testidp/oidctest"
)

// helperVerifierEnv turns the test binary into a verifier (see TestMain):
// go-oidc with the nonce check, configured from the TESTIDP_* variables,
// the token on stdin; exit 0 accepts, 1 rejects.
const helperVerifierEnv = "CONFORMANCE_TEST_VERIFIER"

func helperVerifier() int {
	tok, _ := io.ReadAll(os.Stdin)
	ctx := context.Background()
	p, err := oidc.NewProvider(ctx, os.Getenv("TESTIDP_ISSUER"))
	if err != nil {
		fmt.Println("discovery:", err)
		return 1
	}
	v := p.Verifier(&oidc.Config{ClientID: os.Getenv("TESTIDP_CLIENT_ID"), SupportedSigningAlgs: []string{os.Getenv("TESTIDP_ALG")}})
	idt, err := v.Verify(ctx, string(tok))
	if err != nil {
		fmt.Println(err)
		return 1
	}
	if idt.Nonce != os.Getenv("TESTIDP_NONCE") {
		fmt.Println("nonce mismatch")
		return 1
	}
	return 0
}

// conformanceRun is one testidp conformance run.
type conformanceRun struct {
	code           int
	stdout, stderr string
}

func runConformance(t *testing.T, args ...string) conformanceRun {
	t.Helper()
	var out, errOut syncBuffer
	code := runMain(append([]string{"conformance"}, args...), env(nil), &out, &errOut)
	return conformanceRun{code, out.String(), errOut.String()}
}

// jsonReport reads a --report file written as JSON.
func jsonReport(t *testing.T, file string) *oidctest.SuiteReport {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var rep oidctest.SuiteReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("JSON report: %v\n%s", err, b)
	}
	return &rep
}

func verdicts(rep *oidctest.SuiteReport) map[string]string {
	out := map[string]string{}
	for _, r := range rep.Results {
		out[r.Ref] = string(r.Verdict)
	}
	return out
}

// TestConformanceCommand: --verify-cmd with a go-oidc verifier program, on
// the command's own provider. The program misses what go-oidc misses
// (whitespace in the token): exit 1, and the report says which case.
func TestConformanceCommand(t *testing.T) {
	helper := helperVerifierEnv + "=1 '" + os.Args[0] + "'"
	report := filepath.Join(t.TempDir(), "report.json")
	only := "--only=baseline-valid#RS256,iss-wrong#suffix,nonce-mismatch#suffix,aud-wrong#other,b64-junk-chars#space"
	r := runConformance(t, "--verify-cmd", helper, only, "--report", report)
	if r.code != 1 || !strings.Contains(r.stderr, "got 1 must-case(s) wrong") {
		t.Fatalf("exit %d, stderr %s; want 1 with one must-case wrong", r.code, r.stderr)
	}
	want := map[string]string{"baseline-valid#RS256": "ok", "iss-wrong#suffix": "ok", "nonce-mismatch#suffix": "ok", "aud-wrong#other": "ok", "b64-junk-chars#space": "WRONG"}
	rep := jsonReport(t, report)
	if got := verdicts(rep); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("verdicts %v, want %v", got, want)
	}
	if rep.ClientID != "conformance" || !strings.HasPrefix(rep.Issuer, "http://localhost:") {
		t.Errorf("run for %s at %s; want the conformance client of the own provider", rep.ClientID, rep.Issuer)
	}
	for _, line := range []string{"REF ", "b64-junk-chars#space", "5 cases: 4 ok, 1 WRONG"} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("table lacks %q:\n%s", line, r.stdout)
		}
	}
	r = runConformance(t, "--verify-cmd", helper, "--only", "baseline-valid#RS256,nonce-mismatch", "--skip", "nonce-mismatch#number")
	if r.code != 0 || !strings.Contains(r.stdout, "PASS") {
		t.Errorf("exit %d; want 0 for a run without wrong must-cases:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestConformanceCommandContract: the command gets the token on stdin, as
// it is, and every TESTIDP_* variable of the contract — its own, not the
// ones in the caller's environment.
func TestConformanceCommandContract(t *testing.T) {
	t.Setenv("TESTIDP_ISSUER", "https://stale.example")
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	script := `{ echo "--- $TESTIDP_CASE $TESTIDP_STEP"; env | grep '^TESTIDP_' | sort; printf 'STDIN='; cat; echo; } >> '` + log + `'; [ "$TESTIDP_CASE" != iss-wrong#other ]`
	report := filepath.Join(dir, "report.xml")
	r := runConformance(t, "--verify-cmd", script, "--only", "refresh-identity-changed#sub,b64-junk-chars#newline,iss-wrong#other,baseline-valid#HS256", "--algs", "RS256,HS256", "--report", report)
	if r.code != 1 {
		t.Fatalf("exit %d; want 1 (the script accepts must-reject cases):\n%s", r.code, r.stderr)
	}
	b, _ := os.ReadFile(log)
	blocks := map[string]string{}
	for _, blk := range strings.Split(string(b), "--- ")[1:] {
		head, rest, _ := strings.Cut(blk, "\n")
		blocks[head] = rest
	}
	want := map[string][]string{
		"refresh-identity-changed#sub 1/2": {"TESTIDP_PREVIOUS_TOKEN=\n", "TESTIDP_NONCE=n-", "TESTIDP_ISSUER=http://localhost:", "TESTIDP_CLIENT_ID=conformance\n", "TESTIDP_ALG=RS256\n"},
		"refresh-identity-changed#sub 2/2": {"TESTIDP_PREVIOUS_TOKEN=ey", "TESTIDP_JWKS_URI=http://localhost:"},
		"b64-junk-chars#newline 1/1":       {"STDIN=ey"},
		"baseline-valid#HS256 1/1":         {"TESTIDP_CLIENT_SECRET=" + oidctest.ConformanceClient().Secret + "\n", "TESTIDP_ALG=HS256\n"},
		"iss-wrong#other 1/1":              {"TESTIDP_USERINFO=\n", "TESTIDP_MAX_AGE=\n"},
	}
	for head, parts := range want {
		for _, p := range parts {
			if !strings.Contains(blocks[head], p) {
				t.Errorf("%s: the command saw\n%s\nwant %q in it", head, blocks[head], p)
			}
		}
		if strings.Contains(blocks[head], "stale.example") {
			t.Errorf("%s: the caller's TESTIDP_ISSUER leaked into the command", head)
		}
	}
	if nl := blocks["b64-junk-chars#newline 1/1"]; strings.Count(nl[strings.Index(nl, "STDIN="):], "\n") < 2 {
		t.Errorf("the token with a newline did not reach stdin as it is: %q", nl)
	}
	junit := readJUnit(t, report)
	if junit.Failures != 2 || junit.Tests != 4 || junit.Skipped != 0 {
		t.Errorf("JUnit tests=%d failures=%d skipped=%d; want 4 cases, 2 failures (the must-reject cases the script accepts)", junit.Tests, junit.Failures, junit.Skipped)
	}
}

type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Cases []struct {
			Name    string `xml:"name,attr"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			Failure *struct {
				Message string `xml:"message,attr"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, file string) junitDoc {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var d junitDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatalf("JUnit report does not parse: %v\n%s", err, b)
	}
	return d
}

// TestConformanceURL: --verify-url sends the token as a bearer token with
// the X-Testidp-* headers; 2xx accepts, 401/403 reject, 500 is an error.
func TestConformanceURL(t *testing.T) {
	var mu sync.Mutex
	headers := map[string]http.Header{}
	ctx := context.Background()
	verifier := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.Header.Get("X-Testidp-Case")
		mu.Lock()
		headers[c] = r.Header.Clone()
		mu.Unlock()
		if c == "kid-absent-multiple" {
			http.Error(w, "verifier crashed", http.StatusInternalServerError)
			return
		}
		p, err := oidc.NewProvider(ctx, r.Header.Get("X-Testidp-Issuer"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		v := p.Verifier(&oidc.Config{ClientID: r.Header.Get("X-Testidp-Client-Id"), SupportedSigningAlgs: []string{r.Header.Get("X-Testidp-Alg")}})
		if idt, err := v.Verify(ctx, tok); err != nil || idt.Nonce != r.Header.Get("X-Testidp-Nonce") {
			http.Error(w, fmt.Sprint("invalid token: ", err), http.StatusUnauthorized)
			return
		}
		fmt.Fprintln(w, "ok")
	}))
	defer verifier.Close()
	report := filepath.Join(t.TempDir(), "r.json")
	r := runConformance(t, "--verify-url", verifier.URL+"/check", "--report", report,
		"--only", "baseline-valid,iss-wrong#other,userinfo-sub-mismatch,b64-junk-chars#newline,kid-absent-multiple")
	if r.code != 1 {
		t.Fatalf("exit %d; want 1 (go-oidc accepts userinfo-sub-mismatch's token):\n%s%s", r.code, r.stdout, r.stderr)
	}
	rep := jsonReport(t, report)
	want := map[string]string{"baseline-valid#RS256": "ok", "iss-wrong#other": "ok", "userinfo-sub-mismatch": "WRONG",
		"b64-junk-chars#newline": "skipped", "kid-absent-multiple": "warn"}
	for _, res := range rep.Results {
		if w, ok := want[res.Ref]; ok && string(res.Verdict) != w {
			t.Errorf("%s: %s (%s %s), want %s", res.Ref, res.Verdict, res.Got, res.Detail, w)
		}
		if res.Ref == "baseline-valid#ES256" && (res.Verdict != "skipped" || !strings.Contains(res.Reason, "ES256")) {
			t.Errorf("%s: %s %q; want skipped for the algorithm", res.Ref, res.Verdict, res.Reason)
		}
		if res.Ref == "b64-junk-chars#newline" && !strings.Contains(res.Reason, "HTTP header cannot carry") {
			t.Errorf("%s: reason %q", res.Ref, res.Reason)
		}
		if res.Ref == "kid-absent-multiple" && (res.Got != "error" || !strings.Contains(res.Detail, "HTTP 500 verifier crashed")) {
			t.Errorf("%s: %s %q; want an error with the answer", res.Ref, res.Got, res.Detail)
		}
	}
	h := headers["userinfo-sub-mismatch"]
	var info map[string]any
	if err := json.Unmarshal([]byte(h.Get("X-Testidp-Userinfo")), &info); err != nil || info["sub"] == nil {
		t.Errorf("X-Testidp-Userinfo %q: %v; want the UserInfo response", h.Get("X-Testidp-Userinfo"), err)
	}
	if h.Get("X-Testidp-Step") != "1/1" || h.Get("X-Testidp-Jwks-Uri") == "" || h.Get("X-Testidp-Previous-Token") != "" {
		t.Errorf("headers %v", h)
	}
}

// TestConformanceRunningProvider: --issuer with --admin-token, --client and
// --client-secret, against a provider that is already running.
func TestConformanceRunningProvider(t *testing.T) {
	cfg, err := endpoints.ParseConfig(fixtures.DefaultConfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DB, cfg.AdminToken = ":memory:", "admin-secret-1"
	srv := oidctest.NewServer(t, oidctest.WithConfig(cfg))
	accept := "cat > /dev/null"
	report := filepath.Join(t.TempDir(), "r.json")
	r := runConformance(t, "--issuer", srv.Issuer, "--admin-token", "admin-secret-1", "--client", "hs256",
		"--client-secret", "hs256-secret-0123456789abcdef0123", "--verify-cmd", accept, "--only", "baseline-valid", "--report", report)
	rep := jsonReport(t, report)
	if r.code != 0 || rep.Issuer != srv.Issuer || rep.ClientID != "hs256" || verdicts(rep)["baseline-valid#HS256"] != "ok" || rep.Counts.Skipped != 5 {
		t.Errorf("exit %d, report %+v; want a pass for hs256 at %s with only HS256 run", r.code, rep, srv.Issuer)
	}
	r = runConformance(t, "--issuer", srv.Issuer, "--admin-token", "nope", "--verify-cmd", accept)
	if r.code != 1 || !strings.Contains(r.stderr, "401") {
		t.Errorf("wrong admin token: exit %d, %s; want 1 naming the 401", r.code, r.stderr)
	}
}

// TestConformanceAddr: --addr fixes the own provider's address, so that a
// verifier can be configured with the issuer beforehand.
func TestConformanceAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	report := filepath.Join(t.TempDir(), "r.json")
	r := runConformance(t, "--addr", addr, "--verify-cmd", "exit 3", "--only", "iss-wrong#other", "--report", report)
	_, port, _ := net.SplitHostPort(addr)
	if rep := jsonReport(t, report); r.code != 0 || rep.Issuer != "http://localhost:"+port {
		t.Errorf("exit %d, issuer %s; want 0 and http://localhost:%s", r.code, rep.Issuer, port)
	}
}

// TestConformanceUsage: mistakes on the command line exit 2 with a message
// naming the flag; a broken verifier command is an error, not a rejection.
func TestConformanceUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--verify-url URL or --verify-cmd CMD"},
		{[]string{"--verify-url", "http://x", "--verify-cmd", "true"}, "one of them"},
		{[]string{"--verify-url", "ftp://x"}, "--verify-url"},
		{[]string{"--verify-cmd", "true", "--issuer", "localhost:8080"}, "--issuer"},
		{[]string{"--verify-cmd", "true", "--issuer", "http://localhost:8080", "--addr", ":0"}, "--addr"},
		{[]string{"--verify-cmd", "true", "--format", "xml", "--report", "r"}, "--format"},
		{[]string{"--verify-cmd", "true", "--format", "json"}, "needs --report"},
		{[]string{"--verify-cmd", "true", "--only", "no-such-case"}, `"no-such-case" matches no case`},
		{[]string{"--verify-cmd", "true", "--skip", "["}, `pattern "["`},
		{[]string{"--verify-cmd", "true", "--algs", "RS999"}, "RS999"},
		{[]string{"--verify-cmd", "true", "--timeout", "0s"}, "--timeout"},
		{[]string{"--verify-cmd", "true", "extra"}, "unexpected argument"},
		{[]string{"--verify-cmd", "true", "--addr", "256.0.0.1:1"}, "--addr"},
	} {
		r := runConformance(t, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("conformance %q: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	report := filepath.Join(t.TempDir(), "r.json")
	r := runConformance(t, "--verify-cmd", "no-such-verifier-program", "--only", "iss-wrong#other", "--report", report)
	if res := jsonReport(t, report).Results[0]; r.code != 1 || res.Got != "error" || !strings.Contains(res.Detail, "exit status 127") {
		t.Errorf("missing program: exit %d, %s %q; want 1 and an error naming exit status 127", r.code, res.Got, res.Detail)
	}
	if err := run(context.Background(), []string{"conformance", "-h"}, env(nil), io.Discard, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("conformance -h: %v", err)
	}
}
