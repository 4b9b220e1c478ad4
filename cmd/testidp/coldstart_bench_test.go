package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// BenchmarkColdStart measures exec of the built binary to the first 200 on
// discovery, with keys already persisted in the database (the budget: a
// median of at most 25 ms). Each iteration is one start; "ms-median" is the
// median over the iterations.
func BenchmarkColdStart(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "testidp")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "testidp.db")
	startOnce(b, bin, db) // first start generates and stores the keys
	var times []time.Duration
	b.ResetTimer()
	for b.Loop() {
		times = append(times, startOnce(b, bin, db))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "ms-max")
}

// startOnce starts the binary, waits for discovery to answer 200, stops it
// and returns how long the first part took.
func startOnce(b *testing.B, bin, db string) time.Duration {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/.well-known/openid-configuration"
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	cmd := exec.Command(bin, "--addr", "127.0.0.1:"+strconv.Itoa(port), "--db", db)
	cmd.Env = append(os.Environ(), "TESTIDP_LOGIN=form")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	for time.Since(start) < 10*time.Second {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start)
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	b.Fatal("no 200 on discovery within 10s")
	return 0
}
