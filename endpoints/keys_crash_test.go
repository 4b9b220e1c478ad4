package endpoints

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/testidp/testidp/keys"
)

const crashDBEnv = "TESTIDP_TEST_CRASH_DB"

// crashConfig is the configuration of the crash test and its child: ES256
// keys replaced as fast as the database allows, retired keys gone within
// milliseconds so that the ring stays small.
func crashConfig(t *testing.T, db string) Config {
	cfg := keysConfig(t, KeysConfig{Seed: "crash test", PublishAhead: 2 * time.Millisecond, RetireAfter: 5 * time.Millisecond})
	cfg.DB = db
	return cfg
}

// TestCrashDuringRotation kills (SIGKILL) a process that rotates keys in a
// tight loop on a file database, several times at different points; the
// database must still load into a valid ring whose keys sign tokens that
// go-oidc verifies against the served JWKS.
func TestCrashDuringRotation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	db := filepath.Join(t.TempDir(), "testidp.db")
	cfg := crashConfig(t, db)
	cfg.Issuer = "http://crash.example"
	p, err := New(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	for round, after := range []int{1, 7, 23, 61} {
		n := runAndKill(t, db, after, time.Duration(round)*time.Millisecond)
		t.Logf("round %d: killed after %d operations", round, n)
	}
	cfg.Issuer = ""
	e := startEnvWith(t, cfg, Options{Now: time.Now})
	v := e.ring()
	for _, alg := range []string{"RS256", "ES256"} {
		if n := len(v.keysOf(alg, "active")); n != 1 {
			t.Errorf("after the crashes %d active %s keys, want 1: %+v", n, alg, v.Keys)
		}
	}
	verifier := e.verifier()
	mustVerify(t, verifier, "an ES256 token after the crashes", e.clientToken(esClient))
	mustVerify(t, verifier, "an RS256 token after the crashes", e.clientToken(Client{ID: "service", Secret: "service-secret"}))
	if err := e.p.sites[0].rotateSigningKeyNow(keys.ES256); err != nil {
		t.Fatalf("rotating the recovered ring: %v", err)
	}
	mustVerify(t, verifier, "a token signed after rotating the recovered ring", e.clientToken(esClient))
}

// runAndKill starts the child on db, waits until it reports at least after
// operations (then pause more), kills it with SIGKILL and returns the count
// it had reported.
func runAndKill(t *testing.T, db string, after int, pause time.Duration) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(out)
	n := -1
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "op "); ok {
			n, _ = strconv.Atoi(v)
			if n >= after {
				break
			}
		}
	}
	if n < after {
		cmd.Wait()
		t.Fatalf("the child stopped after %d operations (want %d)", n, after)
	}
	time.Sleep(pause)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the child ended with %v, not by SIGKILL", err)
	}
	return n
}

// TestCrashChild is the child process of TestCrashDuringRotation: it rotates,
// imports and unpublishes keys in a loop, reporting each operation, until
// killed (or a minute has passed).
func TestCrashChild(t *testing.T) {
	db := os.Getenv(crashDBEnv)
	if db == "" {
		t.Skip("the child process of TestCrashDuringRotation")
	}
	cfg := crashConfig(t, db)
	cfg.Issuer = "http://crash.example"
	p, err := New(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := p.sites[0]
	ctx := context.Background()
	for i, deadline := 1, time.Now().Add(time.Minute); time.Now().Before(deadline); i++ {
		switch i % 4 {
		case 0:
			err = s.rotateSigningKeyNow(keys.ES256)
		case 1:
			_, err = s.keys.rotate(ctx, []keys.Alg{keys.ES256}, 2*time.Millisecond, 0)
		case 2:
			k, _ := keys.DeriveKey("crash import", strconv.Itoa(i), keys.ES256, time.Now(), keys.GenerateOptions{})
			err = s.keys.add(ctx, []*keys.Key{k}, i%8 == 2)
		case 3:
			for _, k := range s.ring.Keys() {
				if k.State == keys.Retired {
					err = s.unpublishKey(k.ID)
					break
				}
			}
		}
		if err != nil {
			t.Fatalf("operation %d: %v", i, err)
		}
		fmt.Printf("op %d\n", i)
	}
}
