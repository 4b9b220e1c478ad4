package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func payload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(strings.TrimSpace(token), ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("token %q: %v", token, err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

func TestMintCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "testidp.db")
	ctx := context.Background()

	// On the database.
	var out, errOut syncBuffer
	if err := run(ctx, []string{"mint", "--db", db, "--sub", "carol", "--claims", `{"email": null, "role": "admin"}`, "--ttl", "5m"}, env(nil), &out, &errOut); err != nil {
		t.Fatalf("mint on the database: %v\n%s", err, errOut.String())
	}
	c := payload(t, out.String())
	if c["sub"] != "carol" || c["role"] != "admin" || c["email"] != nil || c["exp"].(float64)-c["iat"].(float64) != 300 {
		t.Errorf("claims %v", c)
	}

	// Against a running server, with a fault.
	issuer := startServe(t, []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "s.db")}, nil)
	out, errOut = syncBuffer{}, syncBuffer{}
	if err := run(ctx, []string{"mint", "--server", issuer, "--fault", "iss-wrong#suffix"}, env(nil), &out, &errOut); err != nil {
		t.Fatalf("mint --server: %v\n%s", err, errOut.String())
	}
	if iss := payload(t, out.String())["iss"]; iss != issuer+"1" || !strings.Contains(errOut.String(), "must-reject") {
		t.Errorf("fault token iss %v, stderr %q", iss, errOut.String())
	}
	out = syncBuffer{}
	if err := run(ctx, []string{"mint", "--server", issuer, "--json", "--kind", "access_token"}, env(nil), &out, &syncBuffer{}); err != nil {
		t.Fatal(err)
	}
	var answer map[string]any
	if err := json.Unmarshal([]byte(out.String()), &answer); err != nil || answer["expect"] != "must-accept" {
		t.Errorf("--json answer %v (%v)", answer, err)
	}

	for _, bad := range [][]string{{"mint", "--server", issuer, "--fault", "nope"}, {"mint", "--db", db, "--claims", "{"}, {"mint", "--db", db, "extra"}} {
		if err := run(ctx, bad, env(nil), &syncBuffer{}, &syncBuffer{}); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
