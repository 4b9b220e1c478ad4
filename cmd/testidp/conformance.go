package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/testidp/testidp/issuer"
	"github.com/testidp/testidp/keys"
	"github.com/testidp/testidp/oidctest"
)

// errConformance marks a run in which the verifier got a must-case wrong
// (exit code 1).
var errConformance = errors.New("conformance")

// conformanceFlags are the flags of testidp conformance.
type conformanceFlags struct {
	issuer, adminToken, addr   string
	client, clientSecret, algs string
	verifyURL, verifyCmd       string
	report, format             string
	only, skip                 listFlag
	timeout                    time.Duration
}

// listFlag collects a repeatable, comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

func parseConformanceFlags(args []string, getenv func(string) string, stderr io.Writer) (*conformanceFlags, error) {
	f := &conformanceFlags{}
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.issuer, "issuer", "", "a running testidp's issuer URL (default: start a provider of its own)")
	fs.StringVar(&f.adminToken, "admin-token", getenv("TESTIDP_ADMIN_TOKEN"), "the running provider's admin token (TESTIDP_ADMIN_TOKEN)")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:0", "listen address of the provider of its own")
	fs.StringVar(&f.client, "client", "", "the client to mint the cases for (default: conformance on the own provider, else the first client)")
	fs.StringVar(&f.clientSecret, "client-secret", "", "that client's secret, handed to the verifier (HS256 cases)")
	fs.StringVar(&f.algs, "algs", "", "ID-token algorithms the verifier supports, comma-separated (default: the client's)")
	fs.StringVar(&f.verifyURL, "verify-url", "", "verify by GET URL with Authorization: Bearer <token>: 2xx accepted, 401/403 rejected")
	fs.StringVar(&f.verifyCmd, "verify-cmd", "", "verify by running CMD with the token on stdin: exit 0 accepted")
	fs.StringVar(&f.report, "report", "", "write the results to FILE")
	fs.StringVar(&f.format, "format", "", "report format: json or junit (default: junit for a .xml FILE, else json)")
	fs.Var(&f.only, "only", "run only the cases matching these ids, refs or globs (repeatable, comma-separated)")
	fs.Var(&f.skip, "skip", "leave out the cases matching these ids, refs or globs")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "time limit of one verification")
	if err := fs.Parse(args); err != nil {
		return nil, usageError(err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: conformance: unexpected argument %q", errUsage, fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	return f, f.check(set)
}

// check finds the usage mistakes before anything starts.
func (f *conformanceFlags) check(set map[string]bool) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: conformance: "+format, append([]any{errUsage}, args...)...)
	}
	switch {
	case (f.verifyURL == "") == (f.verifyCmd == ""):
		return bad("give the verifier under test: --verify-url URL or --verify-cmd CMD (one of them)")
	case f.issuer != "" && set["addr"]:
		return bad("--addr is for the provider of its own; with --issuer the provider is already running")
	case f.timeout <= 0:
		return bad("--timeout %v: give a positive duration such as 10s", f.timeout)
	case f.format != "" && f.report == "":
		return bad("--format %s needs --report FILE", f.format)
	case f.format != "" && f.format != "json" && f.format != "junit":
		return bad("--format %q: json or junit", f.format)
	}
	if f.verifyURL != "" {
		if u, err := url.Parse(f.verifyURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("--verify-url %q: give an http or https URL", f.verifyURL)
		}
	}
	if f.issuer != "" {
		if u, err := url.Parse(f.issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("--issuer %q: give the issuer URL of a running testidp, such as http://localhost:8080", f.issuer)
		}
	}
	for _, a := range f.algList() {
		if _, err := keys.ParseAlg(a); err != nil {
			return bad("--algs: %q is not an algorithm (RS256, PS256, ES256, ES384, EdDSA, HS256, none)", a)
		}
	}
	return checkPatterns(f.only, f.skip)
}

// checkPatterns refuses a pattern that is no glob or that selects nothing
// from testidp's own catalog.
func checkPatterns(lists ...[]string) error {
	m := issuer.Manifest()
	for _, list := range lists {
		for _, p := range list {
			if _, err := path.Match(p, ""); err != nil {
				return fmt.Errorf("%w: conformance: pattern %q: %v", errUsage, p, err)
			}
			if !slices.ContainsFunc(m, func(e issuer.ManifestEntry) bool {
				a, _ := path.Match(p, e.Ref)
				b, _ := path.Match(p, e.ID)
				return a || b
			}) {
				return fmt.Errorf("%w: conformance: pattern %q matches no case (testidp faults lists them)", errUsage, p)
			}
		}
	}
	return nil
}

func (f *conformanceFlags) algList() []string {
	var l listFlag
	_ = l.Set(f.algs)
	return l
}

// reportFormat is the format of --report.
func (f *conformanceFlags) reportFormat() string {
	if f.format != "" {
		return f.format
	}
	if strings.EqualFold(filepath.Ext(f.report), ".xml") {
		return "junit"
	}
	return "json"
}

// conformance runs the fault catalog against a verifier: its own provider
// (or a running one), the table on stdout, the report in a file, exit code 1
// when a must-case is wrong.
func conformance(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, err := parseConformanceFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	opts := []oidctest.SuiteOption{oidctest.SuiteTimeout(f.timeout), oidctest.SuiteOnly(f.only...), oidctest.SuiteSkip(f.skip...)}
	if algs := f.algList(); len(algs) > 0 {
		opts = append(opts, oidctest.SuiteAlgs(algs...))
	}
	issuerURL, admin, client, secret := f.issuer, f.adminToken, f.client, f.clientSecret
	if issuerURL == "" {
		own, err := startOwnProvider(ctx, f.addr)
		if err != nil {
			return err
		}
		defer own.stop()
		issuerURL, admin = own.issuer, ""
		if client == "" {
			client, secret = own.client.ID, own.client.Secret
		}
	}
	opts = append(opts, oidctest.SuiteIssuer(issuerURL, admin), oidctest.SuiteClient(client, secret))
	verify, what := f.verifier()
	fmt.Fprintf(stderr, "testidp conformance: %s against the provider %s\n", what, issuerURL)
	rep, err := oidctest.RunSuite(ctx, verify, opts...)
	if err != nil {
		return err
	}
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	if err := f.writeReport(rep, stderr); err != nil {
		return err
	}
	if !rep.Passed {
		return fmt.Errorf("%w: the verifier got %d must-case(s) wrong", errConformance, rep.Counts.Wrong)
	}
	return nil
}

// writeReport writes --report in its format.
func (f *conformanceFlags) writeReport(rep *oidctest.SuiteReport, stderr io.Writer) error {
	if f.report == "" {
		return nil
	}
	out, err := os.Create(f.report)
	if err != nil {
		return fmt.Errorf("conformance: report: %w", err)
	}
	write := rep.WriteJSON
	if f.reportFormat() == "junit" {
		write = rep.WriteJUnit
	}
	if err := errors.Join(write(out), out.Close()); err != nil {
		return fmt.Errorf("conformance: report %s: %w", f.report, err)
	}
	fmt.Fprintf(stderr, "testidp conformance: %s report written to %s\n", f.reportFormat(), f.report)
	return nil
}
