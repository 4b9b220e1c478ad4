package oidctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// SuiteT is what RunVerifierSuite needs of a test: *testing.T is one.
type SuiteT[T any] interface {
	testing.TB
	Run(name string, f func(T)) bool
}

// RunVerifierSuite sends every case of the fault catalog to verify, one
// subtest per case variant (t.Run("iss-wrong#suffix", …)), and returns the
// report. verify is the verifier under test: nil means it accepted the token,
// an error that it rejected it (an error wrapping ErrVerifierFailed means
// neither: the verifier itself failed). What the relying party knows beside
// the token — the issuer, the client, the nonce it sent, the access token
// and code delivered with the ID token… — is in the context:
// SuiteStepFrom(ctx).
//
// A subtest fails (t.Errorf, with the expected and the actual outcome and
// the case's notes) when the verifier gets a must-reject or must-accept case
// wrong, including a setup step of a multi-step case that it rejects; a
// should-case it gets wrong is logged as a warning, an either-case's choice
// as information; a case that does not apply (an algorithm not in
// SuiteAlgs, a registration the client lacks) is skipped with the reason. A
// verifier that rejects everything fails: the must-accept cases see to it.
//
// Without SuiteServer or SuiteIssuer the suite starts its own provider
// (NewServer with ConformanceClient); the verifier then learns the issuer
// from SuiteStepFrom(ctx).Issuer. The cases run one after the other (the
// provider's JWKS changes per step), in a few seconds for the whole catalog;
// go test -run TestX/nonce- runs a part of it.
func RunVerifierSuite[T SuiteT[T]](t T, verify func(ctx context.Context, token string) error, opts ...SuiteOption) *SuiteReport {
	t.Helper()
	cfg := newSuiteConfig(opts)
	if cfg.issuer == "" {
		cfg.useServer(NewServer(t, WithClient(ConformanceClient())))
		if cfg.clientID == "" {
			cfg.clientID, cfg.clientSecret = conformanceClientID, conformanceSecret
		}
	}
	r, err := newSuiteRunner(context.Background(), cfg, verify)
	if err != nil {
		t.Fatalf("oidctest: %v", err)
	}
	defer r.close()
	for _, e := range r.entries {
		t.Run(e.Ref, func(t T) {
			res, err := r.runCase(context.Background(), e)
			if err != nil {
				t.Fatalf("oidctest: %v", err)
			}
			reportSubtest(t, res)
		})
	}
	return r.finish()
}

// reportSubtest turns one result into the subtest's outcome.
func reportSubtest(t testing.TB, res SuiteResult) {
	t.Helper()
	switch res.Verdict {
	case VerdictWrong:
		t.Errorf("%s", res.explain())
	case VerdictWarn:
		t.Logf("warning: %s", res.explain())
	case VerdictInfo:
		t.Logf("either is fine; the verifier %s it", res.Got)
	case VerdictSkipped:
		t.Skip(res.Reason)
	}
}

// ErrVerifierFailed, wrapped in the error a verify function returns, says
// the verifier failed rather than rejected the token (it could not reach
// its key store, say): the outcome is "error", which is wrong for a
// must-case.
var ErrVerifierFailed = errors.New("oidctest: the verifier failed")

// ErrSkipCase, wrapped in the error a verify function returns, says the
// verifier cannot be given this token at all (a transport that cannot carry
// it, a feature deliberately out of scope): the case is skipped, with the
// error's text as the reason, rather than counted as rejected.
var ErrSkipCase = errors.New("oidctest: case skipped by the verifier")

// SuiteStep is what the relying party knows when a token of a suite case
// reaches it, beside the token: what it is configured with and what it sent
// or received in the same response. Only fields a case needs are set.
type SuiteStep struct {
	// Case is the case variant ("iss-wrong#suffix"); Step and Steps number
	// the deliveries of a case (setup steps first, 1-based).
	Case        string
	Step, Steps int
	// Issuer is the issuer URL as discovery publishes it; JWKSURI its
	// jwks_uri. ClientID is the relying party's client; ClientSecret keys
	// HS256 (empty when the suite does not know it).
	Issuer, JWKSURI, ClientID, ClientSecret string
	// Alg is the ID-token algorithm the client registered for this case
	// (id_token_signed_response_alg): a token signed otherwise must be
	// refused (Core §3.1.3.7 step 7).
	Alg string
	// ResponseType is the response_type the token answers, when the case
	// depends on it: "id_token token" and "code id_token token" require
	// at_hash, "code id_token" c_hash; with "code" at_hash is optional.
	ResponseType string
	// Nonce is the nonce the relying party sent: the token's must equal it.
	Nonce string
	// AccessToken and Code came with the ID token (at_hash, c_hash); State
	// was sent and returned with it (s_hash).
	AccessToken, Code, State string
	// MaxAge is the max_age the relying party sent (0: none): auth_time is
	// then required and must be recent enough.
	MaxAge int
	// ACRValues were requested as essential: the token's acr must be one.
	ACRValues []string
	// TrustedAudiences are audiences beside ClientID the relying party
	// trusts in aud.
	TrustedAudiences []string
	// Userinfo is the UserInfo response that came with the token: its sub
	// must equal the token's (userinfo-sub-mismatch).
	Userinfo json.RawMessage
	// PreviousToken is set when the token comes from a refresh: the
	// original ID token, whose iss, sub, aud, azp and auth_time the new
	// one must keep.
	PreviousToken string
	// Note explains the step to a person.
	Note string
}

type suiteStepKey struct{}

// SuiteStepFrom returns the suite step of a verify call's context.
func SuiteStepFrom(ctx context.Context) (SuiteStep, bool) {
	s, ok := ctx.Value(suiteStepKey{}).(SuiteStep)
	return s, ok
}

// explain is a result in words, for a failing subtest or a report.
func (r SuiteResult) explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: expected %s, got %s", r.Ref, r.Expect, r.Got)
	if r.Step > 0 && r.Step < r.Steps {
		fmt.Fprintf(&b, " at setup step %d of %d (setup steps are must-accept)", r.Step, r.Steps)
	}
	if r.Detail != "" {
		fmt.Fprintf(&b, " (%s)", r.Detail)
	}
	if r.Reason != "" {
		fmt.Fprintf(&b, "; %s", r.Reason)
	}
	fmt.Fprintf(&b, "\n  %s", r.Description)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n  step: %s", n)
	}
	if r.Hint != "" {
		fmt.Fprintf(&b, "\n  hint: %s", r.Hint)
	}
	return b.String()
}
