package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// benchConfig is the configuration the binary serves: the built-in users,
// the web client (code flow, refresh) and a client_credentials client per
// algorithm, with JWT access tokens.
const benchConfig = `login: auto
clients:
  - id: web
    secret: web-secret
    redirect_uris: ["http://127.0.0.1/*"]
    grant_types: [authorization_code, refresh_token]
  - {id: svc-rs256, secret: svc-secret, grant_types: [client_credentials], access_token_alg: RS256}
  - {id: svc-es256, secret: svc-secret, grant_types: [client_credentials], access_token_alg: ES256}
  - {id: svc-eddsa, secret: svc-secret, grant_types: [client_credentials], access_token_alg: EdDSA}
users:
  - {sub: alice, password: alice, claims: {name: Alice Example, email: alice@example.com, email_verified: true}}
`

// ccClients are the client_credentials clients of benchConfig by algorithm.
var ccClients = []struct{ alg, id string }{{"RS256", "svc-rs256"}, {"ES256", "svc-es256"}, {"EdDSA", "svc-eddsa"}}

// build compiles the binary as the Dockerfile does into dir.
func build(root, dir string) (string, error) {
	bin := filepath.Join(dir, "testidp")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, "./cmd/testidp")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// server is the binary running as a child process.
type server struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port (the issuer)
	done chan struct{}
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts the binary on a free loopback port with the database
// and configuration file given, and waits until discovery answers 200. It
// returns how long that took from exec.
func startServer(bin, db, config string) (*server, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "--addr", addr, "--issuer", "http://"+addr, "--db", db, "--config", config)
	cmd.Stdout, cmd.Stderr = nil, nil // the logs go nowhere, as to a quiet terminal
	s := &server{cmd: cmd, base: "http://" + addr, done: make(chan struct{})}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	go func() { _ = cmd.Wait(); close(s.done) }()
	for time.Since(start) < 20*time.Second {
		resp, err := client.Get(s.base + "/.well-known/openid-configuration")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, time.Since(start), nil
			}
		}
		select {
		case <-s.done:
			return nil, 0, errors.New("testidp exited before serving")
		case <-time.After(200 * time.Microsecond):
		}
	}
	s.stop()
	return nil, 0, errors.New("no 200 on discovery within 20s")
}

// stop ends the server with SIGTERM (its graceful shutdown) and waits.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// procStatus reads a "kB" field of /proc/PID/status (VmRSS, VmHWM) in MiB.
func (s *server) procStatus(field string) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, s.cmd.Process.Pid)
}

// rss is the server's resident set in MiB.
func (s *server) rss() float64 {
	v, _ := s.procStatus("VmRSS")
	return v
}

// cpu is the server's user+system CPU time so far (10 ms resolution).
func (s *server) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) in parentheses.
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * (time.Second / 100) // USER_HZ
}
