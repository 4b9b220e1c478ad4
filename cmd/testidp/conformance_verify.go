package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/testidp/testidp/oidctest"
)

// stepFields is the contract with a verifier outside the process: what the
// relying party knows beside the token, as TESTIDP_<NAME> variables for
// --verify-cmd and X-Testidp-<Name> headers for --verify-url (README,
// "Testing a verifier"). Every variable is set, empty when it does not
// apply; a header is sent only when it has a value.
var stepFields = []struct {
	name  string
	value func(oidctest.SuiteStep) string
}{
	{"CASE", func(s oidctest.SuiteStep) string { return s.Case }},
	{"STEP", func(s oidctest.SuiteStep) string { return fmt.Sprintf("%d/%d", s.Step, s.Steps) }},
	{"ISSUER", func(s oidctest.SuiteStep) string { return s.Issuer }},
	{"JWKS_URI", func(s oidctest.SuiteStep) string { return s.JWKSURI }},
	{"CLIENT_ID", func(s oidctest.SuiteStep) string { return s.ClientID }},
	{"CLIENT_SECRET", func(s oidctest.SuiteStep) string { return s.ClientSecret }},
	{"ALG", func(s oidctest.SuiteStep) string { return s.Alg }},
	{"RESPONSE_TYPE", func(s oidctest.SuiteStep) string { return s.ResponseType }},
	{"NONCE", func(s oidctest.SuiteStep) string { return s.Nonce }},
	{"ACCESS_TOKEN", func(s oidctest.SuiteStep) string { return s.AccessToken }},
	{"CODE", func(s oidctest.SuiteStep) string { return s.Code }},
	{"STATE", func(s oidctest.SuiteStep) string { return s.State }},
	{"MAX_AGE", func(s oidctest.SuiteStep) string { return itoaNonZero(s.MaxAge) }},
	{"ACR_VALUES", func(s oidctest.SuiteStep) string { return strings.Join(s.ACRValues, " ") }},
	{"TRUSTED_AUDIENCES", func(s oidctest.SuiteStep) string { return strings.Join(s.TrustedAudiences, " ") }},
	{"USERINFO", func(s oidctest.SuiteStep) string { return asciiJSON(s.Userinfo) }},
	{"PREVIOUS_TOKEN", func(s oidctest.SuiteStep) string { return s.PreviousToken }},
}

func itoaNonZero(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// asciiJSON is raw JSON compacted onto one line of ASCII (other characters
// as \u escapes), fit for a header or a variable.
func asciiJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return ""
	}
	var out strings.Builder
	for _, r := range b.String() {
		switch {
		case r < utf8.RuneSelf:
			out.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := utf16Surrogates(r)
			fmt.Fprintf(&out, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&out, `\u%04x`, r)
		}
	}
	return out.String()
}

func utf16Surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

// headerName is the header of a field: X-Testidp-Client-Id for CLIENT_ID.
func headerName(field string) string {
	parts := strings.Split(strings.ToLower(field), "_")
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return "X-Testidp-" + strings.Join(parts, "-")
}

// verifier builds the verify function of --verify-url or --verify-cmd, and
// says what it is.
func (f *conformanceFlags) verifier() (func(context.Context, string) error, string) {
	if f.verifyURL != "" {
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		return func(ctx context.Context, token string) error { return verifyByURL(ctx, client, f.verifyURL, token) }, "GET " + f.verifyURL
	}
	return func(ctx context.Context, token string) error { return verifyByCommand(ctx, f.verifyCmd, token) }, "the command " + strconv.Quote(f.verifyCmd)
}

// outputLimit bounds what is kept of a verifier's answer.
const outputLimit = 2048

// verifyByURL sends the token as a bearer token: 2xx accepted, 401 and 403
// rejected, anything else (or no answer) an error of the verifier.
func verifyByURL(ctx context.Context, client *http.Client, target, token string) error {
	if i := strings.IndexFunc(token, func(r rune) bool { return r < ' ' || r == 0x7f }); i >= 0 || strings.TrimSpace(token) != token {
		return fmt.Errorf("%w: an HTTP header cannot carry this token as it is (a control character, or white space at an end); --verify-cmd can", oidctest.ErrSkipCase)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return errors.Join(oidctest.ErrVerifierFailed, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	st, _ := oidctest.SuiteStepFrom(ctx)
	for _, fl := range stepFields {
		if v := fl.value(st); v != "" {
			req.Header.Set(headerName(fl.name), v)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", oidctest.ErrVerifierFailed, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, outputLimit))
	answer := strings.TrimSpace(fmt.Sprintf("HTTP %d %s", resp.StatusCode, body))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return errors.New(answer)
	}
	return fmt.Errorf("%w: %s", oidctest.ErrVerifierFailed, answer)
}

// verifyByCommand runs the command through the shell with the token on
// stdin: exit 0 accepted; 126 and 127 (the shell could not run it), a
// signal or a failure to start are errors; any other status rejected.
func verifyByCommand(ctx context.Context, command, token string) error {
	shell, flagC := "/bin/sh", "-c"
	if runtime.GOOS == "windows" {
		shell, flagC = "cmd", "/C"
	}
	cmd := exec.CommandContext(ctx, shell, flagC, command)
	cmd.Stdin = strings.NewReader(token)
	cmd.Env = commandEnv(ctx)
	cmd.WaitDelay = time.Second
	var out bytes.Buffer
	w := &limitedWriter{&out, outputLimit} // one writer for both: exec then writes from one goroutine at a time
	cmd.Stdout, cmd.Stderr = w, w
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit) && exit.ExitCode() > 0 && exit.ExitCode() != 126 && exit.ExitCode() != 127:
		return errors.New(withOutput(fmt.Sprintf("exit status %d", exit.ExitCode()), out.String()))
	}
	return fmt.Errorf("%w: %s", oidctest.ErrVerifierFailed, withOutput(err.Error(), out.String()))
}

// withOutput adds a command's output, if any, to a message.
func withOutput(msg, output string) string {
	if output = strings.TrimSpace(output); output != "" {
		return msg + ": " + output
	}
	return msg
}

// commandEnv is the process's environment without TESTIDP_* variables, plus
// the step's.
func commandEnv(ctx context.Context) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TESTIDP_") {
			env = append(env, kv)
		}
	}
	st, _ := oidctest.SuiteStepFrom(ctx)
	for _, fl := range stepFields {
		env = append(env, "TESTIDP_"+fl.name+"="+fl.value(st))
	}
	return env
}

// limitedWriter keeps the first n bytes written to it and drops the rest.
type limitedWriter struct {
	w *bytes.Buffer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if room := l.n - l.w.Len(); room > 0 {
		l.w.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
