package main

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// target is one request the load repeats.
type target struct {
	name   string
	method string
	path   string
	header map[string]string
	body   string
}

// ccTarget is a client_credentials request of a client of benchConfig.
func ccTarget(alg, client string) target {
	return target{name: "client_credentials " + alg, method: http.MethodPost, path: "/token",
		header: map[string]string{
			"Content-Type":  "application/x-www-form-urlencoded",
			"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(client+":svc-secret")),
		},
		body: "grant_type=client_credentials&scope=read"}
}

// loadResult is what one load run measured.
type loadResult struct {
	target   string
	requests int64
	errors   int64 // transport errors and non-2xx answers
	rps      float64
	p50, p99 time.Duration
	cpuPer   time.Duration // server CPU per request
	tool     string
}

// loader runs a load against base for d with conns connections.
type loader struct {
	wrk   string // path of wrk, "" for the Go generator
	dir   string // where wrk's scripts go
	conns int
	d     time.Duration
}

func newLoader(dir string, conns int, d time.Duration, noWrk bool) loader {
	l := loader{dir: dir, conns: conns, d: d}
	if p, err := exec.LookPath("wrk"); err == nil && !noWrk {
		l.wrk = p
	}
	return l
}

func (l loader) run(s *server, t target) (loadResult, error) {
	before := s.cpu()
	var r loadResult
	var err error
	if l.wrk != "" {
		r, err = l.runWrk(s.base, t)
	} else {
		r, err = l.runGo(s.base, t)
	}
	if err == nil && r.requests > 0 {
		r.cpuPer = (s.cpu() - before) / time.Duration(r.requests)
	}
	r.target = t.name
	return r, err
}

// runWrk runs wrk with one thread (the other core is the server's) and a
// Lua script for the method, headers and body.
func (l loader) runWrk(base string, t target) (loadResult, error) {
	script := filepath.Join(l.dir, "wrk.lua")
	var sb strings.Builder
	fmt.Fprintf(&sb, "wrk.method = %q\nwrk.body = %q\n", t.method, t.body)
	for k, v := range t.header {
		fmt.Fprintf(&sb, "wrk.headers[%q] = %q\n", k, v)
	}
	if err := os.WriteFile(script, []byte(sb.String()), 0o600); err != nil {
		return loadResult{}, err
	}
	out, err := exec.Command(l.wrk, "-t1", "-c"+strconv.Itoa(l.conns), "-d"+strconv.Itoa(int(l.d.Seconds()))+"s",
		"--latency", "-s", script, base+t.path).CombinedOutput()
	if err != nil {
		return loadResult{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	return parseWrk(string(out))
}

var (
	wrkTotal   = regexp.MustCompile(`(\d+) requests in`)
	wrkRPS     = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	wrkLatency = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$`)
	wrkNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSocket  = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// parseWrk reads wrk's --latency report.
func parseWrk(out string) (loadResult, error) {
	r := loadResult{tool: "wrk"}
	m := wrkTotal.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("wrk: no request count in:\n%s", out)
	}
	r.requests, _ = strconv.ParseInt(m[1], 10, 64)
	if m := wrkRPS.FindStringSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(m[1], 64)
	}
	for _, m := range wrkLatency.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[m[3]]
		d := time.Duration(v * float64(unit))
		if m[1] == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		r.errors += n
	}
	if m := wrkSocket.FindStringSubmatch(out); m != nil {
		for _, v := range m[1:] {
			n, _ := strconv.ParseInt(v, 10, 64)
			r.errors += n
		}
	}
	return r, nil
}

// runGo is the load generator without wrk: conns goroutines, each with a
// keep-alive connection, recording every latency.
func (l loader) runGo(base string, t target) (loadResult, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: l.conns, MaxConnsPerHost: l.conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var errs atomic.Int64
	lat := make([][]time.Duration, l.conns)
	stop := time.Now().Add(l.d)
	var wg sync.WaitGroup
	for i := range l.conns {
		wg.Go(func() {
			for time.Now().Before(stop) {
				start := time.Now()
				if err := doRequest(client, base, t); err != nil {
					errs.Add(1)
					continue
				}
				lat[i] = append(lat[i], time.Since(start))
			}
		})
	}
	wg.Wait()
	all := slices.Concat(lat...)
	r := loadResult{tool: "go", requests: int64(len(all)) + errs.Load(), errors: errs.Load()}
	r.rps = float64(len(all)) / l.d.Seconds()
	r.p50, r.p99 = percentile(all, 50), percentile(all, 99)
	return r, nil
}

// doRequest sends t once and reads the answer, which must be 2xx.
func doRequest(client *http.Client, base string, t target) error {
	req, err := http.NewRequest(t.method, base+t.path, strings.NewReader(t.body))
	if err != nil {
		return err
	}
	for k, v := range t.header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, bufio.NewReader(resp.Body))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %d", t.method, t.path, resp.StatusCode)
	}
	return nil
}

// percentile of a set of durations (sorted in place); 0 for none.
func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, len(d)*p/100)]
}
