package oidctest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/testidp/testidp/oidctest"
)

// suiteT stands in for the *testing.T of a real test in the suite's
// examples: it runs subtests in line and prints how each ended.
type suiteT struct {
	*exampleT
	log             *suiteLog
	failed, skipped bool
}

// suiteLog is where a suiteT and its subtests print, and what ended how.
type suiteLog struct {
	w               io.Writer
	failed, skipped []string
}

type skipNow struct{}

func newSuiteT() *suiteT { return &suiteT{exampleT: newT(), log: &suiteLog{w: os.Stdout}} }

func (t *suiteT) Run(name string, f func(*suiteT)) bool {
	sub := &suiteT{exampleT: t.exampleT, log: t.log}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(skipNow); !ok {
					panic(r)
				}
			}
		}()
		f(sub)
	}()
	status := "PASS"
	switch {
	case sub.failed:
		status, t.log.failed = "FAIL", append(t.log.failed, name)
	case sub.skipped:
		status, t.log.skipped = "SKIP", append(t.log.skipped, name)
	}
	fmt.Fprintf(t.log.w, "--- %s: %s\n", status, name)
	return !sub.failed
}

func (t *suiteT) Errorf(format string, args ...any) {
	t.failed = true
	fmt.Fprintln(t.log.w, "    "+strings.SplitN(fmt.Sprintf(format, args...), "\n", 2)[0])
}

func (t *suiteT) Logf(string, ...any) {}

func (t *suiteT) Skip(args ...any) {
	t.skipped = true
	panic(skipNow{})
}

// goOIDCVerify is a verifier of ID tokens for client web built on go-oidc,
// with the nonce check go-oidc leaves to the application.
func goOIDCVerify(srv *oidctest.Server) func(context.Context, string) error {
	provider, err := oidc.NewProvider(context.Background(), srv.Issuer)
	if err != nil {
		panic(err)
	}
	v := provider.Verifier(&oidc.Config{ClientID: "web", SupportedSigningAlgs: []string{"RS256"}, Now: srv.Now})
	return func(ctx context.Context, raw string) error {
		tok, err := v.Verify(ctx, raw)
		if err != nil {
			return err
		}
		if st, _ := oidctest.SuiteStepFrom(ctx); tok.Nonce != st.Nonce {
			return errors.New("nonce does not match")
		}
		return nil
	}
}

func ExampleRunVerifierSuite() {
	t := newSuiteT() // in a test: func TestMyVerifier(t *testing.T)
	defer t.done()
	srv := oidctest.NewServer(t)
	rep := oidctest.RunVerifierSuite(t, goOIDCVerify(srv), oidctest.SuiteServer(srv),
		oidctest.SuiteOnly("baseline-valid#RS256", "baseline-valid#ES256", "nonce-mismatch#suffix", "b64-junk-chars#space"))
	fmt.Println(rep.Summary())
	// Output:
	// --- PASS: baseline-valid#RS256
	// --- SKIP: baseline-valid#ES256
	//     b64-junk-chars#space: expected must-reject, got accepted
	// --- FAIL: b64-junk-chars#space
	// --- PASS: nonce-mismatch#suffix
	// 4 cases: 2 ok, 1 WRONG, 0 warn, 0 info, 1 skipped — FAIL: 1 must-case(s) wrong
}

func ExampleRunSuite() {
	t := newT()
	defer t.done()
	srv := oidctest.NewServer(t)
	rejectAll := func(context.Context, string) error { return errors.New("no") }
	rep, err := oidctest.RunSuite(context.Background(), rejectAll, oidctest.SuiteServer(srv), oidctest.SuiteOnly("baseline-valid#RS256", "iss-wrong"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rep.Results {
		fmt.Println(r.Ref, r.Expect, r.Got, r.Verdict)
	}
	fmt.Println(rep.Passed)
	// Output:
	// baseline-valid#RS256 must-accept rejected WRONG
	// iss-wrong#other must-reject rejected ok
	// iss-wrong#suffix must-reject rejected ok
	// false
}

func ExampleSuiteStepFrom() {
	t := newT()
	defer t.done()
	srv := oidctest.NewServer(t)
	verify := func(ctx context.Context, raw string) error {
		st, _ := oidctest.SuiteStepFrom(ctx)
		fmt.Println(st.Case, st.Step, st.Steps, st.ClientID, st.Alg, st.Issuer == srv.Issuer, st.Nonce != "", st.PreviousToken != "")
		return nil
	}
	_, _ = oidctest.RunSuite(context.Background(), verify, oidctest.SuiteServer(srv), oidctest.SuiteOnly("refresh-identity-changed#sub"))
	// Output:
	// refresh-identity-changed#sub 1 2 web RS256 true true false
	// refresh-identity-changed#sub 2 2 web RS256 true true true
}

func ExampleSuiteServer() {
	t := newT()
	defer t.done()
	srv := oidctest.NewServer(t)
	verify := goOIDCVerify(srv) // built before the run, for srv.Issuer
	rep, _ := oidctest.RunSuite(context.Background(), verify, oidctest.SuiteServer(srv), oidctest.SuiteOnly("aud-wrong"))
	fmt.Println(rep.Issuer == srv.Issuer, rep.ClientID, rep.Summary())
	// Output: true web 4 cases: 4 ok, 0 WRONG, 0 warn, 0 info, 0 skipped — PASS: no must-case wrong
}

func ExampleSuiteIssuer() {
	t := newT()
	defer t.done()
	running := oidctest.NewServer(t) // stands for testidp serve, or its container
	accept := func(context.Context, string) error { return nil }
	rep, err := oidctest.RunSuite(context.Background(), accept, oidctest.SuiteIssuer(running.Issuer, ""), oidctest.SuiteOnly("exp-past#epoch"))
	fmt.Println(err, rep.Results[0].Verdict)
	// Output: <nil> WRONG
}

func ExampleSuiteClient() {
	t := newT()
	defer t.done()
	srv := oidctest.NewServer(t, oidctest.WithClient(oidctest.ConformanceClient()))
	verify := func(ctx context.Context, raw string) error {
		st, _ := oidctest.SuiteStepFrom(ctx)
		fmt.Println(st.ClientID, len(st.ClientSecret) >= 32)
		return nil
	}
	rep, _ := oidctest.RunSuite(context.Background(), verify, oidctest.SuiteServer(srv),
		oidctest.SuiteClient("conformance", ""), oidctest.SuiteAlgs("RS256", "HS256"), oidctest.SuiteOnly("baseline-valid#HS256"))
	fmt.Println(rep.Results[0].Verdict)
	// Output:
	// conformance true
	// ok
}

func ExampleSuiteAlgs() {
	t := newT()
	defer t.done()
	srv := oidctest.NewServer(t)
	accept := func(context.Context, string) error { return nil }
	rep, _ := oidctest.RunSuite(context.Background(), accept, oidctest.SuiteServer(srv),
		oidctest.SuiteAlgs("RS256", "ES256"), oidctest.SuiteOnly("baseline-valid"))
	for _, r := range rep.Results {
		fmt.Println(r.Ref, r.Verdict)
	}
	// Output:
	// baseline-valid#RS256 ok
	// baseline-valid#PS256 skipped
	// baseline-valid#ES256 ok
	// baseline-valid#ES384 skipped
	// baseline-valid#EdDSA skipped
	// baseline-valid#HS256 skipped
}

func ExampleSuiteOnly() {
	t := newT()
	defer t.done()
	srv := oidctest.NewServer(t)
	accept := func(context.Context, string) error { return nil }
	rep, _ := oidctest.RunSuite(context.Background(), accept, oidctest.SuiteServer(srv), oidctest.SuiteOnly("nonce-m*"))
	fmt.Println(rep.Results[0].Ref, rep.Counts.Total)
	// Output: nonce-mismatch#other 9
}

func ExampleSuiteSkip() {
	t := newT()
	defer t.done()
	srv := oidctest.NewServer(t)
	accept := func(context.Context, string) error { return nil }
	rep, _ := oidctest.RunSuite(context.Background(), accept, oidctest.SuiteServer(srv),
		oidctest.SuiteOnly("nonce-mismatch"), oidctest.SuiteSkip("nonce-mismatch#number", "nonce-mismatch#array"))
	fmt.Println(rep.Counts.Total)
	// Output: 4
}

func ExampleSuiteTimeout() {
	t := newT()
	defer t.done()
	srv := oidctest.NewServer(t)
	slow := func(ctx context.Context, _ string) error {
		<-ctx.Done() // a verifier stuck on a network call that honours its context
		return ctx.Err()
	}
	rep, _ := oidctest.RunSuite(context.Background(), slow, oidctest.SuiteServer(srv),
		oidctest.SuiteTimeout(20*time.Millisecond), oidctest.SuiteOnly("iss-wrong#other"))
	fmt.Println(rep.Results[0].Got, rep.Results[0].Verdict)
	// Output: error WRONG
}

func ExampleConformanceClient() {
	c := oidctest.ConformanceClient()
	fmt.Println(c.ID, len(c.Secret) >= 32, c.IDTokenAlg == "")
	// Output: conformance true true
}

// reportOf runs a few cases against a verifier that accepts everything.
func reportOf(only ...string) *oidctest.SuiteReport {
	t := newT()
	defer t.done()
	srv := oidctest.NewServer(t)
	accept := func(context.Context, string) error { return nil }
	rep, err := oidctest.RunSuite(context.Background(), accept, oidctest.SuiteServer(srv), oidctest.SuiteOnly(only...))
	if err != nil {
		panic(err)
	}
	for i := range rep.Results {
		rep.Results[i].Seconds = 0 // for a stable output
	}
	rep.Seconds = 0
	return rep
}

func ExampleSuiteReport_WriteTable() {
	rep := reportOf("baseline-valid#RS256", "baseline-valid#PS256", "sig-invalid#RS256", "clock-skew-tolerated#exp-30s-ago")
	_ = rep.WriteTable(os.Stdout)
	// Output:
	// REF                               EXPECTED       GOT       VERDICT  NOTE
	// baseline-valid#RS256              must-accept    accepted  ok
	// baseline-valid#PS256              must-accept    skipped   skipped  needs a verifier that accepts PS256; it accepts RS256 (--algs, SuiteAlgs)
	// sig-invalid#RS256                 must-reject    accepted  WRONG
	// clock-skew-tolerated#exp-30s-ago  should-accept  accepted  ok
	// 4 cases: 2 ok, 1 WRONG, 0 warn, 0 info, 1 skipped — FAIL: 1 must-case(s) wrong
}

func ExampleSuiteReport_Summary() {
	rep := reportOf("iss-wrong", "baseline-valid#RS256")
	fmt.Println(rep.Summary())
	// Output: 3 cases: 1 ok, 2 WRONG, 0 warn, 0 info, 0 skipped — FAIL: 2 must-case(s) wrong
}

func ExampleSuiteReport_WriteJSON() {
	rep := reportOf("exp-past#epoch")
	rep.Issuer = "http://127.0.0.1:PORT"
	rep.Results[0].Hint = ""
	_ = rep.WriteJSON(os.Stdout)
	// Output:
	// {
	//   "issuer": "http://127.0.0.1:PORT",
	//   "client_id": "web",
	//   "algs": [
	//     "RS256"
	//   ],
	//   "passed": false,
	//   "counts": {
	//     "total": 1,
	//     "ok": 0,
	//     "wrong": 1,
	//     "warn": 0,
	//     "info": 0,
	//     "skipped": 0
	//   },
	//   "seconds": 0,
	//   "results": [
	//     {
	//       "ref": "exp-past#epoch",
	//       "id": "exp-past",
	//       "variant": "epoch",
	//       "category": "claims",
	//       "expect": "must-reject",
	//       "got": "accepted",
	//       "verdict": "WRONG",
	//       "step": 1,
	//       "steps": 1,
	//       "description": "exp is 0.",
	//       "seconds": 0
	//     }
	//   ]
	// }
}

func ExampleSuiteReport_WriteJUnit() {
	rep := reportOf("baseline-valid#RS256", "baseline-valid#ES256", "exp-past#epoch")
	_ = rep.WriteJUnit(os.Stdout)
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <testsuites name="testidp conformance" tests="3" failures="1" errors="0" skipped="1" time="0.000">
	//   <testsuite name="testidp conformance: signature" tests="2" failures="0" errors="0" skipped="1" time="0.000">
	//     <testcase name="baseline-valid#RS256" classname="testidp.conformance.signature" time="0.000"></testcase>
	//     <testcase name="baseline-valid#ES256" classname="testidp.conformance.signature" time="0.000">
	//       <skipped message="needs a verifier that accepts ES256; it accepts RS256 (--algs, SuiteAlgs)"></skipped>
	//     </testcase>
	//   </testsuite>
	//   <testsuite name="testidp conformance: claims" tests="1" failures="1" errors="0" skipped="0" time="0.000">
	//     <testcase name="exp-past#epoch" classname="testidp.conformance.claims" time="0.000">
	//       <failure message="expected must-reject, got accepted" type="WRONG">exp-past#epoch: expected must-reject, got accepted&#xA;  exp is 0.</failure>
	//     </testcase>
	//   </testsuite>
	// </testsuites>
}
