package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/testidp/testidp/storage"
)

// imageBudget is the container image's size budget (DESIGN.md); the binary
// is nearly all of the image.
const imageBudget = 25 << 20

var release struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	if os.Getenv(helperVerifierEnv) != "" {
		os.Exit(helperVerifier()) // the test binary as a verifier for testidp conformance --verify-cmd
	}
	code := m.Run()
	if release.dir != "" {
		os.RemoveAll(release.dir)
	}
	os.Exit(code)
}

// releaseBinary builds the binary the way the Dockerfile does (static, no
// cgo, trimmed paths, stripped) once per test run.
func releaseBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the release binary; skipped with -short")
	}
	release.once.Do(func() {
		release.dir, release.err = os.MkdirTemp("", "testidp-release-")
		if release.err != nil {
			return
		}
		release.bin = filepath.Join(release.dir, "testidp")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.buildVersion=v0.0.0-test", "-o", release.bin, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		release.out, release.err = cmd.CombinedOutput()
	})
	if release.err != nil {
		t.Fatalf("go build: %v\n%s", release.err, release.out)
	}
	return release.bin
}

// TestReleaseBinaryIsStatic checks that the release binary has no program
// interpreter and no dynamic section (it runs on scratch or distroless
// static), and that it fits the image budget.
func TestReleaseBinaryIsStatic(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the image is linux; ELF checks only there")
	}
	bin := releaseBinary(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("release binary has a %v program header: it is dynamically linked", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("release binary imports %v", libs)
	}
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("release binary: %.1f MiB (budget for the whole image: %d MiB)", float64(fi.Size())/(1<<20), imageBudget>>20)
	if fi.Size() > imageBudget {
		t.Errorf("release binary is %d bytes, over the image budget of %d", fi.Size(), imageBudget)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "testidp v0.0.0-test" {
		t.Errorf("version: %q, %v; want the -X main.buildVersion value", out, err)
	}
}

// TestSIGTERMFinishesInFlight sends SIGTERM to the binary while a token
// request is in flight (its body half sent): the request completes, the
// process exits 0, and the database is closed cleanly (no write-ahead log
// left, the token the request stored is there on reopening).
func TestSIGTERMFinishesInFlight(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM on windows")
	}
	bin := releaseBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "testidp.db")
	cfgFile := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfgFile, []byte(`clients:
  - {id: svc, secret: svc-secret-value, grant_types: [client_credentials], access_token: opaque}
`), 0o600)
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--db", db, "--config", cfgFile)
	stdout, _ := cmd.StdoutPipe()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	defer cmd.Process.Kill() // a no-op once it has exited
	listen := waitForLine(t, stdout, "listening: ")
	go io.Copy(io.Discard, stdout)
	go func() { exited <- cmd.Wait() }()

	body, bodyWriter := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, listen+"/token", body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("svc", "svc-secret-value")
	form := "grant_type=client_credentials&scope=read"
	req.ContentLength = int64(len(form))
	type result struct {
		status int
		token  string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		err = json.NewDecoder(resp.Body).Decode(&tok)
		done <- result{resp.StatusCode, tok.AccessToken, err}
	}()
	bodyWriter.Write([]byte(form[:10]))
	time.Sleep(200 * time.Millisecond) // the server is now reading the body
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		t.Fatalf("exited (%v) with a request in flight; stderr:\n%s", err, stderr.String())
	case <-time.After(300 * time.Millisecond):
	}
	bodyWriter.Write([]byte(form[10:]))
	bodyWriter.Close()
	r := <-done
	if r.err != nil || r.status != http.StatusOK || r.token == "" {
		t.Fatalf("in-flight request: status %d, err %v; stderr:\n%s", r.status, r.err, stderr.String())
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit within 10s of SIGTERM and the request's end")
	}
	if !strings.Contains(stderr.String(), "stopped; database closed") {
		t.Errorf("no clean-stop line in the log:\n%s", stderr.String())
	}
	if fi, err := os.Stat(db + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("write-ahead log left with %d bytes: the database was not closed cleanly", fi.Size())
	}
	st, err := storage.Open(context.Background(), db, storage.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer st.Close()
	sum := sha256.Sum256([]byte(r.token))
	if _, err := st.Token(context.Background(), "/", base64.RawURLEncoding.EncodeToString(sum[:])); err != nil {
		t.Errorf("the token stored by the in-flight request is not in the reopened database: %v", err)
	}
}

// waitForLine reads r until a line starts with prefix and returns the rest.
func waitForLine(t *testing.T, r io.Reader, prefix string) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), prefix); ok {
				found <- strings.TrimSpace(v)
				return
			}
		}
		close(found)
	}()
	select {
	case v, ok := <-found:
		if !ok {
			t.Fatalf("output ended without a %q line", prefix)
		}
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %q line within 10s", prefix)
	}
	return ""
}
