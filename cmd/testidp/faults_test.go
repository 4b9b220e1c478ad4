package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/faults.md")

// TestFaultsPage keeps docs/faults.md equal to what the manifest renders.
func TestFaultsPage(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "faults.md")
	var out bytes.Buffer
	if err := run(t.Context(), []string{"faults", "--markdown"}, env(nil), &out, &syncBuffer{}); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(want, out.Bytes()) {
		t.Errorf("docs/faults.md is not what the manifest renders (%v): run go test ./cmd/testidp -run TestFaultsPage -update", err)
	}
}

func TestFaultsJSON(t *testing.T) {
	var out syncBuffer
	if err := run(t.Context(), []string{"faults", "--json"}, env(nil), &out, &syncBuffer{}); err != nil {
		t.Fatal(err)
	}
	var m []struct {
		ID, Variant, Ref, Category, Expect, Description string
		Refs                                            []string
	}
	if err := json.Unmarshal([]byte(out.String()), &m); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range m {
		seen[e.ID] = true
		if e.Ref == "" || e.Expect == "" || e.Category == "" || len(e.Refs) == 0 || e.Description == "" {
			t.Errorf("incomplete manifest entry %+v", e)
		}
		if e.Variant != "" && e.Ref != e.ID+"#"+e.Variant {
			t.Errorf("ref %q does not match id %q and variant %q", e.Ref, e.ID, e.Variant)
		}
	}
	if len(seen) != 80 {
		t.Errorf("%d case ids in the manifest, want 80", len(seen))
	}
	var table syncBuffer
	if err := run(t.Context(), []string{"faults"}, env(nil), &table, &syncBuffer{}); err != nil || !strings.Contains(table.String(), "alg-none#none") {
		t.Errorf("faults table: %v\n%s", err, table.String())
	}
}
