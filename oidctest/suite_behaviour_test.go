package oidctest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/testidp/testidp/endpoints"
	"github.com/testidp/testidp/fixtures"
	"github.com/testidp/testidp/oidctest"
)

// headerURL is the jku or x5u a token's header names, or "".
func headerURL(raw string) string {
	b, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	var h struct{ JKU, X5U string }
	_ = json.Unmarshal(b, &h)
	return h.JKU + h.X5U
}

// TestSuiteRogueFetches: fetching a jku or x5u URL is reported, wherever the
// document lives (the runner's server, or the provider's own host), as a
// warning when the token was rejected and beside WRONG when accepted.
func TestSuiteRogueFetches(t *testing.T) {
	for _, tc := range []struct {
		name    string
		accept  bool
		verdict oidctest.SuiteVerdict
	}{
		{"fetch then reject", false, oidctest.VerdictWarn},
		{"fetch then accept", true, oidctest.VerdictWrong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fetcher := func(ctx context.Context, raw string) error {
				if u := headerURL(raw); u != "" {
					resp, err := http.Get(u)
					if err != nil || resp.StatusCode != http.StatusOK {
						return fmt.Errorf("fetch %s: %v %v", u, resp, err)
					}
					resp.Body.Close()
				}
				if tc.accept {
					return nil
				}
				return errors.New("rejected")
			}
			rep := runCatalog(t, fetcher, oidctest.SuiteOnly("jku-injection", "x5-header-injection#x5u"))
			if len(rep.Results) != 3 {
				t.Fatalf("%d results, want jku-injection, its #same-host and x5-header-injection#x5u", len(rep.Results))
			}
			for _, r := range rep.Results {
				if r.Verdict != tc.verdict || r.RogueFetches != 1 || !strings.Contains(r.Reason, "fetched "+r.RogueURL) || r.Hint == "" {
					t.Errorf("%s: verdict %s, %d fetches of %q, reason %q, hint %q; want %s after one fetch, said so",
						r.Ref, r.Verdict, r.RogueFetches, r.RogueURL, r.Reason, r.Hint, tc.verdict)
				}
			}
		})
	}
	rep := runCatalog(t, func(context.Context, string) error { return errors.New("no") }, oidctest.SuiteOnly("jku-injection"))
	for _, r := range rep.Results {
		if r.Verdict != oidctest.VerdictOK || r.RogueFetches != 0 || r.RogueURL == "" {
			t.Errorf("%s without fetching: %s, %d fetches of %q; want ok", r.Ref, r.Verdict, r.RogueFetches, r.RogueURL)
		}
	}
}

// TestSuiteVerifierFailures: what is neither accept nor reject is an error,
// WRONG on a must-case and a warning on a should-case.
func TestSuiteVerifierFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		verify func(context.Context, string) error
		detail string
	}{
		{"ErrVerifierFailed", func(context.Context, string) error {
			return fmt.Errorf("key store down: %w", oidctest.ErrVerifierFailed)
		}, "key store down"},
		{"panic", func(context.Context, string) error { panic("boom") }, "panic: boom"},
		{"timeout honoured", func(ctx context.Context, _ string) error { <-ctx.Done(); return ctx.Err() }, "timed out after 30ms"},
		{"timeout ignored", func(context.Context, string) error { time.Sleep(3 * time.Second); return nil }, "no answer within 30ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := runCatalog(t, tc.verify, oidctest.SuiteTimeout(30*time.Millisecond),
				oidctest.SuiteOnly("baseline-valid#RS256", "iss-wrong#other", "rsa-weak-key#1024", "kid-absent-multiple"))
			want := map[string]oidctest.SuiteVerdict{"baseline-valid#RS256": oidctest.VerdictWrong, "iss-wrong#other": oidctest.VerdictWrong,
				"rsa-weak-key#1024": oidctest.VerdictWarn, "kid-absent-multiple": oidctest.VerdictWarn}
			for _, r := range rep.Results {
				if r.Got != oidctest.GotError || r.Verdict != want[r.Ref] || !strings.Contains(r.Detail, tc.detail) {
					t.Errorf("%s: got %s, verdict %s, detail %q; want error, %s, %q", r.Ref, r.Got, r.Verdict, r.Detail, want[r.Ref], tc.detail)
				}
			}
		})
	}
}

// TestSuiteSelection: patterns select case ids, refs and globs; a pattern
// that matches nothing is an error, not an empty run.
func TestSuiteSelection(t *testing.T) {
	srv := oidctest.NewServer(t)
	accept := func(context.Context, string) error { return nil }
	refs := func(opts ...oidctest.SuiteOption) (string, error) {
		rep, err := oidctest.RunSuite(context.Background(), accept, append(opts, oidctest.SuiteServer(srv))...)
		if err != nil {
			return "", err
		}
		var out []string
		for _, r := range rep.Results {
			out = append(out, r.Ref)
		}
		return strings.Join(out, " "), nil
	}
	for _, tc := range []struct {
		name string
		opts []oidctest.SuiteOption
		want string
	}{
		{"case id", []oidctest.SuiteOption{oidctest.SuiteOnly("iss-wrong")}, "iss-wrong#other iss-wrong#suffix"},
		{"ref", []oidctest.SuiteOption{oidctest.SuiteOnly("iss-wrong#suffix")}, "iss-wrong#suffix"},
		{"glob over refs", []oidctest.SuiteOption{oidctest.SuiteOnly("nonce-missing#*")}, "nonce-missing#absent nonce-missing#null nonce-missing#empty"},
		{"skip", []oidctest.SuiteOption{oidctest.SuiteOnly("nonce-missing"), oidctest.SuiteSkip("*#null")}, "nonce-missing#absent nonce-missing#empty"},
	} {
		if got, err := refs(tc.opts...); err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		opt  oidctest.SuiteOption
		want string
	}{
		{oidctest.SuiteOnly("no-such-case"), `pattern "no-such-case" matches no case`},
		{oidctest.SuiteSkip("iss-wrong#nope"), `pattern "iss-wrong#nope" matches no case`},
		{oidctest.SuiteOnly("["), `pattern "[": syntax error`},
	} {
		if _, err := refs(tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("RunSuite: %v; want an error containing %q", err, tc.want)
		}
	}
	if _, err := oidctest.RunSuite(context.Background(), accept); err == nil || !strings.Contains(err.Error(), "SuiteServer or SuiteIssuer") {
		t.Errorf("RunSuite without a provider: %v", err)
	}
}

// TestSuiteRunningProvider: a provider reached by URL, with an admin token,
// and a client chosen by id whose algorithm becomes the default.
func TestSuiteRunningProvider(t *testing.T) {
	cfg, err := endpoints.ParseConfig(fixtures.DefaultConfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.AdminToken, cfg.DB = "admin-0123456789", ":memory:"
	srv := oidctest.NewServer(t, oidctest.WithConfig(cfg))
	accept := func(context.Context, string) error { return nil }
	if _, err := oidctest.RunSuite(context.Background(), accept, oidctest.SuiteIssuer(srv.Issuer, "wrong")); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong admin token: %v; want a 401 from the testing API", err)
	}
	if _, err := oidctest.RunSuite(context.Background(), accept, oidctest.SuiteIssuer(srv.Issuer, cfg.AdminToken), oidctest.SuiteClient("ghost", "")); err == nil || !strings.Contains(err.Error(), `client "ghost"`) {
		t.Errorf("unknown client: %v", err)
	}
	var steps []oidctest.SuiteStep
	record := func(ctx context.Context, _ string) error {
		st, _ := oidctest.SuiteStepFrom(ctx)
		steps = append(steps, st)
		return nil
	}
	rep, err := oidctest.RunSuite(context.Background(), record, oidctest.SuiteIssuer(srv.Issuer+"/", cfg.AdminToken),
		oidctest.SuiteClient("hs256", "hs256-secret-0123456789abcdef0123"), oidctest.SuiteOnly("baseline-valid", "iss-wrong#other"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Issuer != srv.Issuer || rep.ClientID != "hs256" || strings.Join(rep.Algs, ",") != "HS256" {
		t.Errorf("report of %s for %s with %v; want %s, hs256, [HS256] (the client's algorithm)", rep.Issuer, rep.ClientID, rep.Algs, srv.Issuer)
	}
	if n := len(steps); n != 2 || steps[0].Case != "baseline-valid#HS256" || steps[1].Alg != "HS256" || steps[1].ClientSecret == "" {
		t.Errorf("delivered %+v; want baseline-valid#HS256 and iss-wrong#other, for HS256 with the secret", steps)
	}
}

// TestSuiteStepContext: each delivery carries what its case needs the
// relying party to know.
func TestSuiteStepContext(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]oidctest.SuiteStep{}
	tokens := map[string][]string{}
	record := func(ctx context.Context, raw string) error {
		st, _ := oidctest.SuiteStepFrom(ctx)
		mu.Lock()
		got[st.Case] = append(got[st.Case], st)
		tokens[st.Case] = append(tokens[st.Case], raw)
		mu.Unlock()
		return nil
	}
	runCatalog(t, record, oidctest.SuiteOnly("at-hash-wrong", "c-hash-wrong#s-hash", "auth-time-missing", "aud-multi-trusted-azp#trusted-extra",
		"userinfo-sub-mismatch", "refresh-identity-changed#sub", "nonce-replay#same-callback-twice", "baseline-valid#HS256", "iss-wrong"))
	last := func(ref string) oidctest.SuiteStep { s := got[ref]; return s[len(s)-1] }
	checks := []struct {
		ref string
		ok  bool
	}{
		{"at-hash-wrong", last("at-hash-wrong").AccessToken != "" && last("at-hash-wrong").ResponseType == "id_token token"},
		{"c-hash-wrong#s-hash", last("c-hash-wrong#s-hash").State != "" && last("c-hash-wrong#s-hash").Code != ""},
		{"auth-time-missing#stale", last("auth-time-missing#stale").MaxAge > 0},
		{"auth-time-missing#acr-low", len(last("auth-time-missing#acr-low").ACRValues) > 0},
		{"aud-multi-trusted-azp#trusted-extra", len(last("aud-multi-trusted-azp#trusted-extra").TrustedAudiences) > 0},
		{"userinfo-sub-mismatch", json.Valid(last("userinfo-sub-mismatch").Userinfo)},
		{"refresh-identity-changed#sub", len(got["refresh-identity-changed#sub"]) == 2 && last("refresh-identity-changed#sub").PreviousToken == tokens["refresh-identity-changed#sub"][0]},
		{"nonce-replay#same-callback-twice", len(got["nonce-replay#same-callback-twice"]) == 2 && last("nonce-replay#same-callback-twice").Step == 2},
		{"baseline-valid#HS256", len(last("baseline-valid#HS256").ClientSecret) >= 32 && last("baseline-valid#HS256").Alg == "HS256"},
		{"iss-wrong#other", last("iss-wrong#other").Issuer != "" && last("iss-wrong#other").JWKSURI != "" && last("iss-wrong#other").ClientID == "conformance"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: steps %+v lack what the case needs", c.ref, got[c.ref])
		}
	}
	nonces := map[string]string{}
	for ref, steps := range got {
		n := steps[len(steps)-1].Nonce
		if other, dup := nonces[n]; dup || n == "" {
			t.Errorf("%s and %s share the nonce %q: each case needs its own, or replay detection rejects valid tokens", ref, other, n)
		}
		nonces[n] = ref
	}
}

// TestSuiteJWKSPerStep: the verifier meets each step's JWK Set at the
// jwks_uri, and the provider's own afterwards.
func TestSuiteJWKSPerStep(t *testing.T) {
	srv := oidctest.NewServer(t)
	normal := mustGet(t, srv.Issuer+"/jwks")
	seen := map[string]string{}
	record := func(ctx context.Context, _ string) error {
		st, _ := oidctest.SuiteStepFrom(ctx)
		body, err := getBody(ctx, st.JWKSURI) // the verify function runs outside the test's goroutine: no t here
		seen[st.Case] = string(body)
		return err
	}
	if _, err := oidctest.RunSuite(context.Background(), record, oidctest.SuiteServer(srv), oidctest.SuiteOnly("kid-absent-single", "iss-wrong#other")); err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []map[string]any }
	_ = json.Unmarshal([]byte(seen["kid-absent-single"]), &set)
	if len(set.Keys) != 1 || set.Keys[0]["kid"] != nil {
		t.Errorf("kid-absent-single: the verifier saw %s, want one key without kid", seen["kid-absent-single"])
	}
	if seen["iss-wrong#other"] != string(normal) {
		t.Errorf("iss-wrong#other: the verifier saw %s, want the provider's own %s", seen["iss-wrong#other"], normal)
	}
	if after := mustGet(t, srv.Issuer+"/jwks"); !bytes.Equal(after, normal) {
		t.Errorf("after the run the JWKS is %s, want the provider's own again", after)
	}
}

func mustGet(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return b.Bytes()
}

// TestSuiteReportFormats: the JUnit XML parses and counts what the report
// counts; the JSON keeps its field names.
func TestSuiteReportFormats(t *testing.T) {
	picky := func(ctx context.Context, raw string) error {
		switch st, _ := oidctest.SuiteStepFrom(ctx); {
		case st.Case == "baseline-valid#RS256", strings.HasPrefix(st.Case, "exp-past"):
			return nil // ok, then WRONG
		case st.Case == "clock-skew-tolerated#exp-30s-ago":
			return errors.New("strict <exp> & \x00 control") // warn, with characters XML must escape
		}
		return errors.New("no")
	}
	rep := runCatalog(t, picky, oidctest.SuiteAlgs("RS256"), oidctest.SuiteOnly("baseline-valid", "exp-past", "clock-skew-tolerated#exp-30s-ago", "kid-absent-multiple"))
	var junit struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string  `xml:"name,attr"`
				Time    float64 `xml:"time,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	var b bytes.Buffer
	if err := rep.WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b.Bytes(), &junit); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, b.String())
	}
	c := rep.Counts
	if junit.Tests != c.Total || junit.Failures != c.Wrong || junit.Skipped != c.Skipped || c.Wrong != 3 || c.Skipped != 5 {
		t.Errorf("JUnit tests=%d failures=%d skipped=%d; report %+v (want 3 WRONG: the exp-past variants; 5 skipped)", junit.Tests, junit.Failures, junit.Skipped, c)
	}
	byName := map[string]int{}
	for _, s := range junit.Suites {
		for _, tc := range s.Cases {
			byName[tc.Name]++
			switch {
			case strings.HasPrefix(tc.Name, "exp-past") && (tc.Failure == nil || !strings.Contains(tc.Failure.Message, "expected must-reject, got accepted")):
				t.Errorf("%s: failure %+v", tc.Name, tc.Failure)
			case tc.Name == "baseline-valid#ES256" && (tc.Skipped == nil || !strings.Contains(tc.Skipped.Message, "ES256")):
				t.Errorf("%s: skipped %+v", tc.Name, tc.Skipped)
			case tc.Name == "clock-skew-tolerated#exp-30s-ago" && !strings.Contains(tc.SystemOut, "warn: ") && !strings.Contains(tc.SystemOut, "strict <exp> &"):
				t.Errorf("%s: system-out %q", tc.Name, tc.SystemOut)
			}
		}
	}
	if len(byName) != c.Total {
		t.Errorf("JUnit has %d distinct testcases, want %d", len(byName), c.Total)
	}
	b.Reset()
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"issuer", "client_id", "algs", "passed", "counts", "seconds", "results"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON report has no %q: %s", k, b.String())
		}
	}
	first := doc["results"].([]any)[0].(map[string]any)
	for _, k := range []string{"ref", "id", "variant", "category", "expect", "got", "verdict", "description", "seconds"} {
		if _, ok := first[k]; !ok {
			t.Errorf("JSON result has no %q: %v", k, first)
		}
	}
}

// TestRunVerifierSuiteSubtests: WRONG fails the subtest, skipped skips it,
// the rest pass; the report is returned.
func TestRunVerifierSuiteSubtests(t *testing.T) {
	st := newSuiteT()
	st.log.w = io.Discard
	defer st.done()
	rep := oidctest.RunVerifierSuite(st, func(context.Context, string) error { return nil },
		oidctest.SuiteOnly("baseline-valid", "iss-wrong#other", "clock-skew-tolerated#exp-30s-ago"))
	if rep.Counts.Wrong != 1 || rep.Counts.Skipped != 5 || rep.Counts.OK != 2 || rep.ClientID != "conformance" {
		t.Errorf("report %s for %s; want iss-wrong#other WRONG, 5 algorithms skipped, 2 ok, on the conformance client", rep.Summary(), rep.ClientID)
	}
	if f := strings.Join(st.log.failed, " "); f != "iss-wrong#other" || len(st.log.skipped) != 5 {
		t.Errorf("subtests failed: %q, skipped: %v; want iss-wrong#other failed and the 5 other algorithms skipped", f, st.log.skipped)
	}
}

// TestSuiteVerifierSkips: a verifier that cannot take a token says so with
// ErrSkipCase; the case is skipped with its words, not counted as rejected.
func TestSuiteVerifierSkips(t *testing.T) {
	skipper := func(ctx context.Context, _ string) error {
		if st, _ := oidctest.SuiteStepFrom(ctx); st.Case == "iss-wrong#other" {
			return fmt.Errorf("%w: cannot carry it", oidctest.ErrSkipCase)
		}
		return errors.New("no")
	}
	rep := runCatalog(t, skipper, oidctest.SuiteOnly("iss-wrong"))
	for _, r := range rep.Results {
		skipped := r.Verdict == oidctest.VerdictSkipped && r.Got == oidctest.GotSkipped && strings.Contains(r.Reason, "cannot carry it")
		if skipped != (r.Ref == "iss-wrong#other") {
			t.Errorf("%s: %s %s %q", r.Ref, r.Got, r.Verdict, r.Reason)
		}
	}
}
