package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"
)

// Budgets of DESIGN.md.
const (
	budgetRatio     = 1.2
	budgetRPS       = 40000
	budgetColdStart = 25 * time.Millisecond
	budgetIdleRSS   = 20.0 // MiB
)

// report is everything measured.
type report struct {
	opts      options
	machine   string
	binaryMiB float64

	tokenBench, mintBench []benchLine

	firstStart time.Duration
	coldStarts []time.Duration // sorted

	loadTool                            string
	loads                               []loadResult
	rssIdle, rssAfterLoad, hwmAfterLoad float64
	mixed                               *mixedResult
	rssAfterMixed, hwmAfterMixed        float64
}

// describeMachine is the date, the CPU, the Go version and the load.
func describeMachine(root string) string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
		f.Close()
	}
	goVersion := runtime.Version()
	cmd := exec.Command("go", "env", "GOVERSION")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		goVersion = strings.TrimSpace(string(out))
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	load, _ := os.ReadFile("/proc/loadavg")
	commit := ""
	if out, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output(); err == nil {
		commit = ", commit " + strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("%s; %d × %s (nproc %d), Linux %s, %s%s; load average at the start %s",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), model, runtime.NumCPU(),
		strings.TrimSpace(string(kernel)), goVersion, commit, strings.Join(strings.Fields(string(load))[:3], " "))
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// markdown is the measured section of BENCHMARKS.md.
func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s.\n\n", r.machine)
	r.writeCPU(&b)
	r.writeLoads(&b)
	r.writeColdStart(&b)
	r.writeMemory(&b)
	r.writeMixed(&b)
	return b.String()
}

func (r *report) writeCPU(b *strings.Builder) {
	if len(r.tokenBench) == 0 {
		return
	}
	fmt.Fprintf(b, "### CPU per token, in process (go test -bench, -count %d: median (min–max))\n\n", r.opts.benchCount)
	b.WriteString("Token endpoint, client_credentials with a JWT access token, logging as the command does by default; " +
		"the ratio is to go-jose signing the same token, run in alternating blocks with the requests.\n\n")
	b.WriteString("| algorithm | go-jose signature | token endpoint, logged | ratio | unlogged ratio | budget |\n|---|---|---|---|---|---|\n")
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		name := "BenchmarkClientCredentials/" + alg + "/token-endpoint"
		logged, ok := spreadOf(r.tokenBench, name+"-logged", "x-raw")
		if !ok {
			continue
		}
		raw, _ := spreadOf(r.tokenBench, name+"-logged", "raw-cpu-ns/op")
		cpu, _ := spreadOf(r.tokenBench, name+"-logged", "cpu-ns/op")
		plain, _ := spreadOf(r.tokenBench, name, "x-raw")
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | ≤ %.1f: %s |\n", alg, scaled(raw, 1e3).format("%.1f µs"),
			scaled(cpu, 1e3).format("%.1f µs"), logged.format("%.2f"), plain.format("%.2f"), budgetRatio, verdict(logged.median <= budgetRatio))
	}
	b.WriteString("\nMinting an ID token (issuer.MintIDToken, no HTTP) beside go-jose:\n\n| algorithm | ratio | budget |\n|---|---|---|\n")
	for _, alg := range []string{"RS256", "PS256", "ES256", "ES384", "EdDSA", "HS256"} {
		x, ok := spreadOf(r.mintBench, "BenchmarkMintIDToken/"+alg+"/mint", "x-raw")
		if ok {
			fmt.Fprintf(b, "| %s | %s | ≤ %.1f: %s |\n", alg, x.format("%.2f"), budgetRatio, verdict(x.median <= budgetRatio))
		}
	}
	b.WriteString("\n")
}

func scaled(s spread, by float64) spread { return spread{s.median / by, s.lo / by, s.hi / by} }

func (r *report) writeLoads(b *strings.Builder) {
	fmt.Fprintf(b, "### HTTP over loopback (%s, %d connections, %v per run; generator and server share the machine)\n\n",
		r.loadTool, r.opts.conns, r.opts.wrkDuration)
	b.WriteString("| request | requests/s | p50 | p99 | errors | server CPU per request | budget |\n|---|---|---|---|---|---|---|\n")
	for _, l := range r.loads {
		budget := ""
		switch l.target {
		case "discovery", "jwks":
			budget = fmt.Sprintf("≥ %d req/s: %s", budgetRPS, verdict(l.rps >= budgetRPS))
		default:
			budget = "CPU per token: see above"
		}
		fmt.Fprintf(b, "| %s | %.0f | %s | %s | %d | %s | %s |\n", l.target, l.rps, ms(l.p50), ms(l.p99), l.errors, us(l.cpuPer), budget)
	}
	fmt.Fprintf(b, "\nServer CPU per request is the process's CPU time (/proc, 10 ms ticks) over the requests of the run: "+
		"for client_credentials it includes net/http, logging to /dev/null and the issued-token log.\n\n")
}

func (r *report) writeColdStart(b *strings.Builder) {
	if len(r.coldStarts) == 0 {
		return
	}
	med := r.coldStarts[len(r.coldStarts)/2]
	fmt.Fprintf(b, "### Cold start (exec to the first 200 on discovery, keys persisted, %d starts)\n\n", len(r.coldStarts))
	fmt.Fprintf(b, "| median | min | max | first start (generates the keys) | budget |\n|---|---|---|---|---|\n")
	fmt.Fprintf(b, "| %s | %s | %s | %s | median ≤ %v: %s |\n\n", ms(med), ms(r.coldStarts[0]), ms(r.coldStarts[len(r.coldStarts)-1]),
		ms(r.firstStart), budgetColdStart, verdict(med <= budgetColdStart))
}

func (r *report) writeMemory(b *strings.Builder) {
	b.WriteString("### Memory (resident set, /proc/PID/status)\n\n| when | VmRSS | peak (VmHWM) | budget |\n|---|---|---|---|\n")
	fmt.Fprintf(b, "| idle, 2 s after start | %.1f MiB | | ≤ %.0f MiB: %s |\n", r.rssIdle, budgetIdleRSS, verdict(r.rssIdle <= budgetIdleRSS))
	fmt.Fprintf(b, "| after the loads above | %.1f MiB | %.1f MiB | bounded |\n", r.rssAfterLoad, r.hwmAfterLoad)
	if r.mixed != nil {
		fmt.Fprintf(b, "| after the sustained run | %.1f MiB | %.1f MiB | bounded: %s |\n", r.rssAfterMixed, r.hwmAfterMixed, verdict(r.mixed.levelsOff()))
	}
	fmt.Fprintf(b, "\nThe release binary is %.1f MiB.\n\n", r.binaryMiB)
}

func (r *report) writeMixed(b *strings.Builder) {
	m := r.mixed
	if m == nil {
		return
	}
	total, errs := 0, 0
	for _, v := range m.errs {
		errs += v
	}
	ops := make([]string, 0, len(m.ops))
	for op := range m.ops {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	fmt.Fprintf(b, "### Sustained mixed traffic (%v, %d concurrent clients)\n\n", m.d, m.clients)
	b.WriteString("4 browser+application clients loop over: authorization (login auto, PKCE), code exchange, userinfo, two refreshes; " +
		"3 client_credentials clients (RS256, ES256, EdDSA); 2 JWKS readers.\n\n")
	b.WriteString("| operation | count | per second | p50 | p99 | errors |\n|---|---|---|---|---|---|\n")
	for _, op := range ops {
		lat := slices.Clone(m.ops[op])
		total += len(lat)
		fmt.Fprintf(b, "| %s | %d | %.0f | %s | %s | %d |\n", op, len(lat), float64(len(lat))/m.d.Seconds(),
			ms(percentile(lat, 50)), ms(percentile(lat, 99)), m.errs[op])
	}
	fmt.Fprintf(b, "\n%d operations, **%d errors** (budget: zero: %s); server CPU %.1f s over %v.\n", total, errs, verdict(errs == 0),
		m.cpu.Seconds(), m.d)
	for _, e := range m.first {
		fmt.Fprintf(b, "- %s\n", e)
	}
	b.WriteString("\nResident set during the run (MiB, every 10 s of 2 s samples): ")
	next := time.Duration(0)
	for i, s := range m.samples {
		if s.at < next && i != len(m.samples)-1 {
			continue
		}
		if next > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "%.0fs %.1f", s.at.Seconds(), s.rss)
		next = s.at.Truncate(10*time.Second) + 10*time.Second
	}
	fmt.Fprintf(b, ". Levels off: %s (the last third's peak within 10%% or 2 MiB of the middle third's).\n", verdict(m.levelsOff()))
	fmt.Fprintf(b, "The issued-token log holds %d entries at the end (capped at 10000 per issuer).\n\n", m.logLen)
}

// levelsOff compares the peak resident set of the last third of the run
// with the middle third's.
func (m *mixedResult) levelsOff() bool {
	var mid, last float64
	for _, s := range m.samples {
		switch {
		case s.at >= 2*m.d/3:
			last = max(last, s.rss)
		case s.at >= m.d/3:
			mid = max(mid, s.rss)
		}
	}
	return mid > 0 && last <= max(mid*1.1, mid+2)
}
