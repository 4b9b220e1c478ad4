package oidctest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/testidp/testidp/issuer"
)

// runCase mints one case variant, delivers its steps in order and judges
// the outcome. An error means the provider failed, not the verifier.
func (r *suiteRunner) runCase(ctx context.Context, e issuer.ManifestEntry) (SuiteResult, error) {
	start := time.Now()
	res := SuiteResult{Ref: e.Ref, ID: e.ID, Variant: e.Variant, Category: e.Category, Expect: e.Expect,
		Description: e.Description}
	err := r.judge(ctx, e, &res)
	if err != nil {
		return res, err
	}
	if res.Verdict == VerdictWrong || res.Verdict == VerdictWarn {
		res.Hint = hintFor(e)
	}
	res.Seconds = time.Since(start).Seconds()
	r.results = append(r.results, res)
	return res, nil
}

// judge fills in the outcome and verdict of one case.
func (r *suiteRunner) judge(ctx context.Context, e issuer.ManifestEntry, res *SuiteResult) error {
	if reason := r.notApplicable(e); reason != "" {
		res.Got, res.Verdict, res.Reason = GotSkipped, VerdictSkipped, reason
		return nil
	}
	seq := len(r.results) + 1
	req := suiteMintRequest{ClientID: r.clientID, Fault: e.Ref, RogueURL: r.rogue.url(seq, e.Ref),
		Nonce: fmt.Sprintf("n-%s-%d", r.runID, seq)}
	m, reason, err := r.api.mintFault(ctx, req)
	r.jwksNow = "" // a mint may change the JWKS served
	if err != nil {
		return err
	}
	if reason != "" {
		res.Got, res.Verdict, res.Reason = GotSkipped, VerdictSkipped, "the provider cannot build it for client "+r.clientID+": "+reason
		return nil
	}
	if m.Expect != "" {
		res.Expect = m.Expect
	}
	if m.Rogue != nil {
		res.RogueURL = m.Rogue.URL
		r.rogue.put(m.Rogue.URL, m.Rogue.ContentType, []byte(m.Rogue.Document))
	}
	if err := r.deliver(ctx, e, m, res); err != nil {
		return err
	}
	if err := r.setJWKS(ctx, nil); err != nil {
		return err
	}
	return r.checkRogue(ctx, res)
}

// notApplicable is why a case cannot be meaningful for this verifier, or "".
func (r *suiteRunner) notApplicable(e issuer.ManifestEntry) string {
	alg := r.registeredAlg(e)
	if !slices.Contains(r.algs, alg) {
		return fmt.Sprintf("needs a verifier that accepts %s; it accepts %s (--algs, SuiteAlgs)", alg, strings.Join(r.algs, ", "))
	}
	return ""
}

// registeredAlg is the algorithm the relying party registered for a case:
// the case's own, or the client's.
func (r *suiteRunner) registeredAlg(e issuer.ManifestEntry) string {
	if e.Delivery.Alg != "" {
		return e.Delivery.Alg
	}
	return r.clientAlg
}

// deliver sends the steps in order, each with its JWKS served, and stops at
// a setup step the verifier does not accept.
func (r *suiteRunner) deliver(ctx context.Context, e issuer.ManifestEntry, m *minted, res *SuiteResult) error {
	res.Steps = len(m.Steps)
	for _, st := range m.Steps {
		if st.Note != "" {
			res.Notes = append(res.Notes, st.Note)
		}
	}
	last := len(m.Steps) - 1
	for i, st := range m.Steps {
		if err := r.setJWKS(ctx, st.JWKS); err != nil {
			return err
		}
		res.Step = i + 1
		res.Got, res.Detail = r.call(ctx, r.suiteStep(e, m, i), st.Token)
		if res.Got == GotSkipped {
			res.Verdict, res.Reason, res.Detail = VerdictSkipped, res.Detail, ""
			return nil
		}
		if i < last && res.Got != GotAccepted {
			res.Verdict = VerdictWrong
			res.Reason = fmt.Sprintf("setup step %d of %d (a valid token: must-accept) was %s", i+1, len(m.Steps), res.Got)
			return nil
		}
	}
	res.Verdict = verdict(res.Expect, res.Got)
	return nil
}

// suiteStep is what the relying party knows at step i.
func (r *suiteRunner) suiteStep(e issuer.ManifestEntry, m *minted, i int) SuiteStep {
	st := m.Steps[i]
	s := SuiteStep{Case: e.Ref, Step: i + 1, Steps: len(m.Steps), Issuer: r.issuer, JWKSURI: r.jwksURI,
		ClientID: r.clientID, ClientSecret: r.cfg.clientSecret, Alg: r.registeredAlg(e), ResponseType: e.Delivery.ResponseType, Nonce: st.Nonce, AccessToken: st.AccessToken,
		Code: st.Code, State: st.State, MaxAge: st.MaxAge, ACRValues: st.ACRValues,
		TrustedAudiences: st.TrustedAudiences, Userinfo: st.Userinfo, Note: st.Note}
	if st.Refresh && i > 0 {
		s.PreviousToken = m.Steps[i-1].Token
	}
	return s
}

// setJWKS makes the provider serve body (nil: its own keys) unless it is
// known to serve it already.
func (r *suiteRunner) setJWKS(ctx context.Context, body json.RawMessage) error {
	want := "normal"
	if body != nil {
		want = "custom:" + string(body)
	}
	if r.jwksNow == want {
		return nil
	}
	r.jwksNow = ""
	if err := r.api.setJWKS(ctx, body); err != nil {
		return err
	}
	r.jwksNow = want
	return nil
}

// checkRogue counts the verifier's fetches of the case's jku/x5u URL: any
// fetch is a finding (RFC 8725 §3.10), a warning when the verdict was ok.
func (r *suiteRunner) checkRogue(ctx context.Context, res *SuiteResult) error {
	if res.RogueURL == "" {
		return nil
	}
	n := r.rogue.fetches(res.RogueURL)
	if _, ours := r.rogue.pathOf(res.RogueURL); !ours {
		var err error
		if n, err = r.api.rogueFetches(ctx, res.RogueURL); err != nil || n < 0 {
			return err
		}
	}
	if n == 0 {
		return nil
	}
	res.RogueFetches = n
	note := fmt.Sprintf("the verifier fetched %s (%d times): it should not fetch a URL a token names at all", res.RogueURL, n)
	res.Reason = strings.TrimPrefix(res.Reason+"; "+note, "; ")
	if res.Verdict == VerdictOK || res.Verdict == VerdictInfo {
		res.Verdict = VerdictWarn
	}
	return nil
}
