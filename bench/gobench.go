package main

import (
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// benchLine is one result line of go test -bench: its name (without the
// -GOMAXPROCS suffix) and its metrics by unit.
type benchLine struct {
	name    string
	metrics map[string]float64
}

// goBench runs go test -bench in the repository root and returns its
// result lines.
func goBench(root, pkg, pattern, benchtime string, count int) ([]benchLine, error) {
	cmd := exec.Command("go", "test", pkg, "-run", "^$", "-bench", pattern, "-benchtime", benchtime, "-count", strconv.Itoa(count))
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test %s -bench %s: %v\n%s", pkg, pattern, err, out)
	}
	var lines []benchLine
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		b := benchLine{name: name, metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				b.metrics[f[i+1]] = v
			}
		}
		lines = append(lines, b)
	}
	return lines, nil
}

// spread is the median, minimum and maximum of a metric over the lines
// named name.
type spread struct{ median, lo, hi float64 }

func spreadOf(lines []benchLine, name, unit string) (spread, bool) {
	var vs []float64
	for _, l := range lines {
		if v, ok := l.metrics[unit]; ok && l.name == name {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return spread{}, false
	}
	slices.Sort(vs)
	return spread{median: vs[len(vs)/2], lo: vs[0], hi: vs[len(vs)-1]}, true
}

// String shows a spread as "median (lo–hi)" with the given format.
func (s spread) format(f string) string {
	if s.lo == s.hi {
		return fmt.Sprintf(f, s.median)
	}
	return fmt.Sprintf(f+" ("+f+"–"+f+")", s.median, s.lo, s.hi)
}
