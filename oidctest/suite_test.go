package oidctest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/oidctest"
)

// allAlgs are the algorithms testidp signs with; go-oidc verifies them all
// (HS256 through the application's key set).
var allAlgs = []string{"RS256", "PS256", "ES256", "ES384", "EdDSA", "HS256"}

// goOIDCFindings are the cases a careful application on coreos/go-oidc
// v3.21.0 (and go-jose v4.1.8 beneath it) still gets wrong: the libraries
// accept them before the application sees the claims (see also
// issuer/fault_*_test.go, verifierExceptions "finding:").
var goOIDCFindings = map[string]string{
	"numericdate-string#string-digits":     "go-oidc decodes NumericDates into json.Number, which encoding/json also fills from a JSON string of digits: exp \"1780315500\" passes",
	"numericdate-string#nbf-string-digits": "the same for nbf",
	"b64-junk-chars#space":                 "go-oidc parses with jose.ParseSigned, which strips whitespace before base64url decoding",
	"b64-junk-chars#non-ascii":             "the same, for Unicode whitespace",
	"b64-junk-chars#trailing-whitespace":   "the same, at the end of the token",
	"b64-junk-chars#newline":               "the same, and Go's encoding/base64 ignores \\n anyway",
	"json-serialization#flattened":         "jose.ParseSigned accepts the JWS JSON serialization; ID tokens must be compact",
	"json-serialization#unprotected-alg":   "the same, with alg in the unprotected header",
	"json-serialization#polyglot":          "the same, for a JSON document that also carries a compact token",
	"dup-claim#sub":                        "encoding/json keeps the last of duplicate members and go-oidc does not refuse them: the application only sees sub \"admin\"",
}

// runCatalog runs the whole catalog against verify on a server of its own,
// with the conformance client and every algorithm.
func runCatalog(t *testing.T, verify func(context.Context, string) error, opts ...oidctest.SuiteOption) *oidctest.SuiteReport {
	t.Helper()
	srv := oidctest.NewServer(t, oidctest.WithClient(oidctest.ConformanceClient()))
	opts = append([]oidctest.SuiteOption{oidctest.SuiteServer(srv), oidctest.SuiteClient("conformance", ""), oidctest.SuiteAlgs(allAlgs...)}, opts...)
	rep, err := oidctest.RunSuite(context.Background(), verify, opts...)
	if err != nil {
		t.Fatalf("RunSuite: %v", err)
	}
	return rep
}

// refsWith lists the refs of the results with one of the verdicts.
func refsWith(rep *oidctest.SuiteReport, verdicts ...oidctest.SuiteVerdict) []string {
	var out []string
	for _, r := range rep.Results {
		if slices.Contains(verdicts, r.Verdict) {
			out = append(out, r.Ref)
		}
	}
	sort.Strings(out)
	return out
}

// diff says which refs are only in got and only in want.
func diff(got, want []string) (extra, missing []string) {
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	return extra, missing
}

// TestSuiteGoOIDC runs the catalog against the application verifier built
// on go-oidc: it gets every must-case right except the known findings.
func TestSuiteGoOIDC(t *testing.T) {
	app := newAppVerifier(time.Now)
	rep := runCatalog(t, app.verify)
	want := slices.Sorted(maps.Keys(goOIDCFindings))
	if extra, missing := diff(refsWith(rep, oidctest.VerdictWrong), want); extra != nil || missing != nil {
		t.Errorf("WRONG beyond the known go-oidc findings: %v; known findings no longer WRONG (drop them): %v", extra, missing)
	}
	if rep.Passed || rep.Counts.Total != len(issuer.Manifest()) {
		t.Errorf("report: passed %v, %d results; want a failed run over all %d variants", rep.Passed, rep.Counts.Total, len(issuer.Manifest()))
	}
	c := rep.Counts
	t.Logf("go-oidc application verifier: %d ok, %d WRONG, %d warn, %d info, %d skipped in %.2fs", c.OK, c.Wrong, c.Warn, c.Info, c.Skipped, rep.Seconds)
	for _, r := range rep.Results {
		if r.Verdict == oidctest.VerdictWarn || r.Verdict == oidctest.VerdictInfo {
			t.Logf("%s %s: %s %s", r.Verdict, r.Ref, r.Got, r.Detail)
		}
	}
}

// TestVerifierSuiteGoOIDC is the Go suite as a user runs it: the go-oidc
// application verifier passes once its known findings are left out.
func TestVerifierSuiteGoOIDC(t *testing.T) {
	app := newAppVerifier(time.Now)
	rep := oidctest.RunVerifierSuite(t, app.verify, oidctest.SuiteAlgs(allAlgs...),
		oidctest.SuiteSkip(slices.Sorted(maps.Keys(goOIDCFindings))...))
	if !rep.Passed || rep.Counts.OK < 200 {
		t.Errorf("report %s; want a pass over the catalog", rep.Summary())
	}
}

// TestSuiteRejectEverything: a verifier that rejects every token fails the
// run on exactly the valid tokens — the must-accept cases and the cases
// whose setup steps (valid tokens) it refuses.
func TestSuiteRejectEverything(t *testing.T) {
	rep := runCatalog(t, func(context.Context, string) error { return errors.New("no") })
	if rep.Passed {
		t.Fatal("a verifier that rejects everything passed")
	}
	srv := oidctest.NewServer(t, oidctest.WithClient(oidctest.ConformanceClient()))
	var want []string
	for _, r := range rep.Results {
		if r.Verdict == oidctest.VerdictSkipped {
			continue
		}
		if r.Expect == issuer.MustAccept || stepsOf(t, srv, r.Ref) > 1 {
			want = append(want, r.Ref)
		}
	}
	sort.Strings(want)
	if extra, missing := diff(refsWith(rep, oidctest.VerdictWrong), want); extra != nil || missing != nil {
		t.Errorf("reject-everything: WRONG also for %v; not WRONG for %v", extra, missing)
	}
	if n := len(refsWith(rep, oidctest.VerdictOK)); n < 150 {
		t.Errorf("only %d ok: the must-reject cases should be", n)
	}
}

// stepsOf mints ref for the conformance client and counts its steps.
func stepsOf(t *testing.T, srv *oidctest.Server, ref string) int {
	t.Helper()
	var m struct {
		Steps []any `json:"steps"`
	}
	if err := postJSON(srv.Issuer+"/_testidp/mint", `{"client_id":"conformance","fault":"`+ref+`"}`, &m); err != nil {
		t.Fatalf("mint %s: %v", ref, err)
	}
	return len(m.Steps)
}

// laxFindings are the cases where go-jose's compact parsing or JWK Set
// decoding differs from the test's strict signature check.
var laxFindings = map[string]string{
	"b64-junk-chars#space":               "jose.ParseSigned strips whitespace before decoding: accepted",
	"b64-junk-chars#non-ascii":           "the same, Unicode whitespace: accepted",
	"b64-junk-chars#trailing-whitespace": "the same: accepted",
	"b64-junk-chars#newline":             "the same: accepted",
	"json-serialization#flattened":       "jose.ParseSigned accepts the JSON serialization: accepted",
	"json-serialization#unprotected-alg": "the same: accepted",
	"json-serialization#polyglot":        "the same: accepted",
	"jwks-unparseable-key":               "decoding a jose.JSONWebKeySet fails on any unusable key: the valid token is rejected",
}

// TestSuiteLaxVerifier: a signature-only verifier is WRONG exactly where
// the test's own judgement says it must be — a must-reject token whose
// signature is genuine, a valid token (must-accept, or a setup step) whose
// signature does not check — give or take go-jose's own findings.
func TestSuiteLaxVerifier(t *testing.T) {
	lax := &laxVerifier{}
	rep := runCatalog(t, lax.verify, oidctest.SuiteAlgs("RS256"))
	var want []string
	for _, r := range rep.Results {
		if r.Verdict == oidctest.VerdictSkipped {
			continue
		}
		seen := lax.seen[r.Ref]
		if len(seen) == 0 {
			t.Fatalf("%s: the verifier saw no token", r.Ref)
		}
		wrong := false
		for i, d := range seen {
			signed := strictlySigned(d)
			switch {
			case i < len(seen)-1 || d.step.Step < d.step.Steps: // a setup step: a valid token
				wrong = wrong || !signed
			case r.Expect == issuer.MustReject:
				wrong = signed
			case r.Expect == issuer.MustAccept:
				wrong = !signed
			}
		}
		if _, finding := laxFindings[r.Ref]; wrong != finding {
			want = append(want, r.Ref)
		}
	}
	sort.Strings(want)
	if extra, missing := diff(refsWith(rep, oidctest.VerdictWrong), want); extra != nil || missing != nil {
		t.Errorf("lax verifier: reported WRONG but not expected %v; expected WRONG but not reported %v", extra, missing)
	}
	if len(want) < 50 {
		t.Errorf("only %d cases expected wrong for a signature-only verifier: %v", len(want), want)
	}
	t.Logf("signature-only verifier: %s", rep.Summary())
}

// TestSuiteFindingsText: every finding of the go-oidc verifier says why.
func TestSuiteFindingsText(t *testing.T) {
	for ref, why := range goOIDCFindings {
		if _, _, err := issuer.LookupFault(ref); err != nil || len(why) < 10 || strings.TrimSpace(why) != why {
			t.Errorf("finding %s: %v, reason %q", ref, err, why)
		}
	}
}

// postJSON posts body to url and decodes a 200 answer.
func postJSON(url, body string, out any) error {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("POST %s: %d %s", url, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// BenchmarkRunSuite measures a run of the whole catalog against a verifier
// that costs nothing: the runner's own cost (minting every case over HTTP,
// serving each step's JWKS), which should stay within a few seconds.
func BenchmarkRunSuite(b *testing.B) {
	t := newT()
	defer t.done()
	srv := oidctest.NewServer(t, oidctest.WithClient(oidctest.ConformanceClient()))
	accept := func(context.Context, string) error { return nil }
	for b.Loop() {
		rep, err := oidctest.RunSuite(context.Background(), accept, oidctest.SuiteServer(srv),
			oidctest.SuiteClient("conformance", ""), oidctest.SuiteAlgs(allAlgs...))
		if err != nil || rep.Counts.Total != len(issuer.Manifest()) {
			b.Fatalf("RunSuite: %v, %+v", err, rep)
		}
	}
}
