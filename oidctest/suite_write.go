package oidctest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the results as a table — ref, expected, got, verdict
// and a note (why skipped, what went wrong) — and a summary line.
func (rep *SuiteReport) WriteTable(w io.Writer) error {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tEXPECTED\tGOT\tVERDICT\tNOTE")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Ref, r.Expect, r.gotText(), r.Verdict, oneLine(shorten(r.note(), 100)))
	}
	_ = tw.Flush()
	var out strings.Builder
	for line := range strings.Lines(b.String()) {
		out.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
	out.WriteString(rep.Summary() + "\n")
	_, err := io.WriteString(w, out.String())
	return err
}

// oneLine keeps a table row on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Summary is the report in one line: the counts and the conclusion.
func (rep *SuiteReport) Summary() string {
	c := rep.Counts
	s := fmt.Sprintf("%d cases: %d ok, %d WRONG, %d warn, %d info, %d skipped", c.Total, c.OK, c.Wrong, c.Warn, c.Info, c.Skipped)
	if rep.Passed {
		return s + " — PASS: no must-case wrong"
	}
	return s + fmt.Sprintf(" — FAIL: %d must-case(s) wrong", c.Wrong)
}

// gotText is the outcome, with the step when it was a setup step's.
func (r SuiteResult) gotText() string {
	if r.Step > 0 && r.Step < r.Steps {
		return fmt.Sprintf("%s (step %d/%d)", r.Got, r.Step, r.Steps)
	}
	return string(r.Got)
}

// note is the table's last column: why skipped, what made it WRONG or a
// warning (the verifier's answer), else what to check.
func (r SuiteResult) note() string {
	switch r.Verdict {
	case VerdictOK:
		return ""
	case VerdictSkipped:
		return r.Reason
	}
	parts := []string{}
	for _, s := range []string{r.Reason, r.Detail} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return r.Hint
	}
	return strings.Join(parts, "; ")
}

// WriteJSON writes the whole report as indented JSON (stable field names:
// see SuiteReport and SuiteResult).
func (rep *SuiteReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// JUnit XML, as CI tools read it: one testsuite per category, one testcase
// per case variant, a failure for WRONG, skipped for skipped, warnings and
// either-outcomes in system-out.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
	seconds  float64
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure"`
	Skipped   *junitMessage `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML.
func (rep *SuiteReport) WriteJUnit(w io.Writer) error {
	doc := junitSuites{Name: "testidp conformance", Time: seconds(rep.Seconds)}
	index := map[string]int{}
	for _, r := range rep.Results {
		i, ok := index[r.Category]
		if !ok {
			i = len(doc.Suites)
			index[r.Category] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: "testidp conformance: " + r.Category})
		}
		s := &doc.Suites[i]
		c := junitCase{Name: r.Ref, Classname: "testidp.conformance." + r.Category, Time: seconds(r.Seconds)}
		switch r.Verdict {
		case VerdictWrong:
			c.Failure = &junitMessage{Message: fmt.Sprintf("expected %s, got %s", r.Expect, r.gotText()), Type: "WRONG", Text: r.explain()}
			s.Failures++
		case VerdictSkipped:
			c.Skipped = &junitMessage{Message: r.Reason}
			s.Skipped++
		case VerdictWarn, VerdictInfo:
			c.SystemOut = fmt.Sprintf("%s: %s", r.Verdict, r.explain())
		}
		s.Tests++
		s.seconds += r.Seconds
		s.Cases = append(s.Cases, c)
	}
	for i := range doc.Suites {
		s := &doc.Suites[i]
		s.Time = seconds(s.seconds)
		doc.Tests, doc.Failures, doc.Skipped = doc.Tests+s.Tests, doc.Failures+s.Failures, doc.Skipped+s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }
