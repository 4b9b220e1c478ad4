package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// options are the command's flags.
type options struct {
	root        string
	write       string
	wrkDuration time.Duration
	conns       int
	sustained   time.Duration
	coldStarts  int
	noWrk       bool
	skipGoBench bool
	benchCount  int
}

func main() {
	var o options
	flag.StringVar(&o.root, "root", "..", "the testidp repository")
	flag.StringVar(&o.write, "write", "", "replace the measured section of this file (BENCHMARKS.md) instead of printing it")
	flag.DurationVar(&o.wrkDuration, "load", 10*time.Second, "duration of each load run")
	flag.IntVar(&o.conns, "conns", 50, "connections of each load run")
	flag.DurationVar(&o.sustained, "sustained", 60*time.Second, "duration of the mixed run")
	flag.IntVar(&o.coldStarts, "coldstarts", 21, "cold starts measured")
	flag.BoolVar(&o.noWrk, "no-wrk", false, "use the Go load generator even if wrk is installed")
	flag.BoolVar(&o.skipGoBench, "skip-go-bench", false, "skip the in-process go test benchmarks")
	flag.IntVar(&o.benchCount, "count", 5, "go test -count for the in-process benchmarks")
	quick := flag.Bool("quick", false, "short runs everywhere: checks that the tool works, figures are rough")
	flag.Parse()
	if *quick {
		o.wrkDuration, o.sustained, o.coldStarts, o.benchCount = 2*time.Second, 6*time.Second, 5, 1
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	root, err := filepath.Abs(o.root)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "testidp")); err != nil {
		return fmt.Errorf("-root %s is not the testidp repository", root)
	}
	var rep report
	rep.opts = o
	rep.machine = describeMachine(root)
	if !o.skipGoBench {
		progress("in-process benchmarks (go test -bench, count %d)", o.benchCount)
		if rep.tokenBench, err = goBench(root, "./endpoints", "BenchmarkClientCredentials", "2s", o.benchCount); err != nil {
			return err
		}
		if rep.mintBench, err = goBench(root, "./issuer", "BenchmarkMintIDToken", "1s", o.benchCount); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp("", "testidp-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	progress("building the binary")
	bin, err := build(root, dir)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(bin); err == nil {
		rep.binaryMiB = float64(fi.Size()) / (1 << 20)
	}
	config := filepath.Join(dir, "bench.yaml")
	if err := os.WriteFile(config, []byte(benchConfig), 0o600); err != nil {
		return err
	}
	db := filepath.Join(dir, "testidp.db")
	if err := measureColdStart(&rep, bin, db, config, o.coldStarts); err != nil {
		return err
	}
	if err := measureServer(&rep, o, bin, db, config, dir); err != nil {
		return err
	}
	out := rep.markdown()
	if o.write == "" {
		fmt.Print(out)
		return nil
	}
	return writeSection(o.write, out)
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// measureColdStart starts the binary once to create the keys, then n times
// on the database that holds them.
func measureColdStart(rep *report, bin, db, config string, n int) error {
	progress("cold start ×%d", n)
	s, first, err := startServer(bin, db, config)
	if err != nil {
		return err
	}
	s.stop()
	rep.firstStart = first
	for range n {
		s, d, err := startServer(bin, db, config)
		if err != nil {
			return err
		}
		s.stop()
		rep.coldStarts = append(rep.coldStarts, d)
	}
	slices.Sort(rep.coldStarts)
	return nil
}

// measureServer runs the loads and the sustained run on one server.
func measureServer(rep *report, o options, bin, db, config, dir string) error {
	s, _, err := startServer(bin, db, config)
	if err != nil {
		return err
	}
	defer s.stop()
	time.Sleep(2 * time.Second)
	rep.rssIdle = s.rss()
	l := newLoader(dir, o.conns, o.wrkDuration, o.noWrk)
	targets := []target{
		{name: "discovery", method: http.MethodGet, path: "/.well-known/openid-configuration"},
		{name: "jwks", method: http.MethodGet, path: "/jwks"},
	}
	for _, c := range ccClients {
		targets = append(targets, ccTarget(c.alg, c.id))
	}
	for _, t := range targets {
		progress("load: %s for %v", t.name, o.wrkDuration)
		r, err := l.run(s, t)
		if err != nil {
			return err
		}
		rep.loads = append(rep.loads, r)
	}
	rep.loadTool = "Go generator"
	if l.wrk != "" {
		rep.loadTool = "wrk"
	}
	rep.rssAfterLoad = s.rss()
	rep.hwmAfterLoad, _ = s.procStatus("VmHWM")
	progress("sustained mixed traffic for %v", o.sustained)
	rep.mixed = mixedRun(s, o.sustained)
	rep.rssAfterMixed = s.rss()
	rep.hwmAfterMixed, _ = s.procStatus("VmHWM")
	rep.mixed.logLen = issuedLogLength(s.base) // after the memory figures: the answer is large
	return nil
}

// The measured section of BENCHMARKS.md lies between these markers.
const (
	beginMark = "<!-- bench:begin -->"
	endMark   = "<!-- bench:end -->"
)

// writeSection replaces the measured section of path with out, or appends
// it when the file has no markers.
func writeSection(path, out string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	text := string(old)
	block := beginMark + "\n" + out + endMark + "\n"
	i, j := strings.Index(text, beginMark), strings.Index(text, endMark)
	switch {
	case i >= 0 && j > i:
		text = text[:i] + block + strings.TrimPrefix(text[j+len(endMark):], "\n")
	default:
		text += "\n" + block
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
