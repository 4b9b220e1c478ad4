package oidctest

import "github.com/testidp/testidp/issuer"

// SuiteGot is what the verifier did with a case.
type SuiteGot string

// Outcomes of one case.
const (
	GotAccepted SuiteGot = "accepted"
	GotRejected SuiteGot = "rejected"
	// GotError: the verifier failed (ErrVerifierFailed, a timeout, a
	// panic; over HTTP a status other than 2xx, 401 and 403; a command that
	// could not run or was killed).
	GotError   SuiteGot = "error"
	GotSkipped SuiteGot = "skipped"
)

// SuiteVerdict judges an outcome against the case's expectation.
type SuiteVerdict string

// Verdicts. Only VerdictWrong fails a run.
const (
	VerdictOK = SuiteVerdict("ok")
	// VerdictWrong: a must-reject case accepted, a must-accept case (or a
	// setup step) rejected, or an error on either.
	VerdictWrong = SuiteVerdict("WRONG")
	// VerdictWarn: a should-case the other way, an error on a should- or
	// either-case, or a rogue URL (jku, x5u) fetched.
	VerdictWarn = SuiteVerdict("warn")
	// VerdictInfo: an either-case; the outcome is recorded.
	VerdictInfo    = SuiteVerdict("info")
	VerdictSkipped = SuiteVerdict("skipped")
)

// verdict is the table of expectation × outcome.
func verdict(expect issuer.Expect, got SuiteGot) SuiteVerdict {
	if got == GotSkipped {
		return VerdictSkipped
	}
	want := map[issuer.Expect]SuiteGot{issuer.MustReject: GotRejected, issuer.ShouldReject: GotRejected,
		issuer.ShouldAccept: GotAccepted, issuer.MustAccept: GotAccepted}[expect]
	switch {
	case expect == issuer.Either && got != GotError:
		return VerdictInfo
	case got == want:
		return VerdictOK
	case expect == issuer.MustReject || expect == issuer.MustAccept:
		return VerdictWrong
	}
	return VerdictWarn
}

// SuiteResult is one case variant's outcome. The JSON names are stable.
type SuiteResult struct {
	Ref      string `json:"ref"`
	ID       string `json:"id"`
	Variant  string `json:"variant,omitempty"`
	Category string `json:"category"`
	// Expect is the catalog's verdict for the case; Got what the verifier
	// did with the step the result is about (Step of Steps: the last, or
	// the setup step it did not accept).
	Expect  issuer.Expect `json:"expect"`
	Got     SuiteGot      `json:"got"`
	Verdict SuiteVerdict  `json:"verdict"`
	Step    int           `json:"step,omitempty"`
	Steps   int           `json:"steps,omitempty"`
	// Reason says why a case was skipped, or what makes a verdict worse
	// than the outcome alone (a setup step rejected, a rogue URL fetched).
	Reason string `json:"reason,omitempty"`
	// Detail is the verifier's answer: its error, HTTP status and body, or
	// exit status and output (shortened).
	Detail string `json:"detail,omitempty"`
	// Hint says what the verifier must check to get a case of this kind
	// right (set on WRONG and warn).
	Hint string `json:"hint,omitempty"`
	// Notes are the notes of the case's steps.
	Notes []string `json:"notes,omitempty"`
	// RogueURL is the jku/x5u URL the token names; RogueFetches counts
	// the verifier's requests for it (a finding even when it rejected).
	RogueURL     string  `json:"rogue_url,omitempty"`
	RogueFetches int     `json:"rogue_fetches,omitempty"`
	Description  string  `json:"description"`
	Seconds      float64 `json:"seconds"`
}

// SuiteCounts are the results by verdict.
type SuiteCounts struct {
	Total   int `json:"total"`
	OK      int `json:"ok"`
	Wrong   int `json:"wrong"`
	Warn    int `json:"warn"`
	Info    int `json:"info"`
	Skipped int `json:"skipped"`
}

func (c *SuiteCounts) add(v SuiteVerdict) {
	c.Total++
	switch v {
	case VerdictOK:
		c.OK++
	case VerdictWrong:
		c.Wrong++
	case VerdictWarn:
		c.Warn++
	case VerdictInfo:
		c.Info++
	case VerdictSkipped:
		c.Skipped++
	}
}

// SuiteReport is a conformance run: the provider and client it used, the
// results in catalog order, and the counts. Passed is false when any case
// is WRONG. The JSON names are stable.
type SuiteReport struct {
	Issuer   string        `json:"issuer"`
	ClientID string        `json:"client_id"`
	Algs     []string      `json:"algs"`
	Passed   bool          `json:"passed"`
	Counts   SuiteCounts   `json:"counts"`
	Seconds  float64       `json:"seconds"`
	Results  []SuiteResult `json:"results"`
}
