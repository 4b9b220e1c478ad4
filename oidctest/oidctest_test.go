package oidctest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/testidp/testidp/endpoints"
	"github.com/testidp/testidp/oidctest"
)

// fatalT records the first Fatalf and stops the calling function, as a
// test's Fatalf stops the test.
type fatalT struct {
	exampleT
	msg string
}

type fatalStop struct{}

func (t *fatalT) Fatalf(format string, args ...any) {
	t.msg = fmt.Sprintf(format, args...)
	panic(fatalStop{})
}

// fatalOf runs f and returns the message it failed with, or "".
func fatalOf(t *fatalT, f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(fatalStop); !ok {
				panic(r)
			}
			msg = t.msg
		}
	}()
	f()
	return ""
}

func jwks(t *testing.T, issuer string) []string {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(issuer, "/") + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	return kids
}

func TestServerVerifiesWithGoOIDC(t *testing.T) {
	srv := oidctest.NewServer(t)
	ctx := context.Background()
	p, err := oidc.NewProvider(ctx, srv.Issuer)
	if err != nil {
		t.Fatalf("go-oidc discovery: %v", err)
	}
	cases := []struct {
		name, client, raw string
	}{
		{"minted", "web", srv.MintIDToken()},
		{"login, confidential", "web", srv.Login().IDToken},
		{"login, public with PKCE", "spa", srv.Login(oidctest.ForClient("spa")).IDToken},
	}
	for _, tc := range cases {
		tok, err := p.Verifier(&oidc.Config{ClientID: tc.client, Now: srv.Now}).Verify(ctx, tc.raw)
		if err != nil || tok.Subject != "alice" {
			t.Errorf("%s: go-oidc Verify = %v, %v; want alice's valid token", tc.name, tok, err)
		}
	}
}

func TestKeys(t *testing.T) {
	a := oidctest.NewServer(t, oidctest.WithIssuer(endpoints.IssuerConfig{Path: "/x"}), oidctest.WithIssuer(endpoints.IssuerConfig{Path: "/y"}))
	seen := map[string]string{}
	for _, iss := range []string{a.Issuer, a.IssuerURL("/x"), a.IssuerURL("/y")} {
		for _, kid := range jwks(t, iss) {
			if other, dup := seen[kid]; dup {
				t.Errorf("kid %s published by %s and %s: issuers must not share keys", kid, other, iss)
			}
			seen[kid] = iss
		}
	}
	b := oidctest.NewServer(t)
	if ka, kb := jwks(t, a.Issuer), jwks(t, b.Issuer); strings.Join(ka, ",") != strings.Join(kb, ",") {
		t.Errorf("two servers without a seed publish %v and %v; want the same fixed test keys", ka, kb)
	}
	s1 := oidctest.NewServer(t, oidctest.WithSeed("one"))
	s2 := oidctest.NewServer(t, oidctest.WithSeed("one"))
	s3 := oidctest.NewServer(t, oidctest.WithSeed("two"))
	k1, k2, k3 := jwks(t, s1.Issuer), jwks(t, s2.Issuer), jwks(t, s3.Issuer)
	if strings.Join(k1, ",") != strings.Join(k2, ",") || strings.Join(k1, ",") == strings.Join(k3, ",") {
		t.Errorf("seeded kids: one %v, one again %v, two %v; want the same seed to give the same keys, another seed others", k1, k2, k3)
	}
}

func TestFailures(t *testing.T) {
	ft := &fatalT{}
	defer ft.done()
	srv := oidctest.NewServer(ft)
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"unknown client", func() { srv.MintIDToken(oidctest.ForClient("nope")) }, `no client "nope"`},
		{"unknown issuer", func() { srv.MintAccessToken(oidctest.AtIssuer("/nope")) }, `no issuer at path "/nope"`},
		{"minting option in a flow", func() { srv.Login(oidctest.WithClaims(map[string]any{"a": 1})) }, "[WithClaims] only apply to MintIDToken"},
		{"no client for the grant", func() { srv.ClientCredentials(oidctest.ForClient("web")) }, "token request for web: 400"},
		{"bad configuration", func() {
			oidctest.NewServer(ft, oidctest.WithClient(endpoints.Client{ID: "x", GrantTypes: []string{"magic"}}))
		}, "clients[4].grant_types[0]"},
		{"unknown profile", func() { oidctest.NewServer(ft, oidctest.WithProfile("okta")) }, `profile: "okta" is not a profile`},
		{"IssuerURL of an unknown path", func() { srv.IssuerURL("/nope") }, `no issuer at path "/nope"`},
	}
	for _, tc := range cases {
		if got := fatalOf(ft, tc.f); !strings.Contains(got, tc.want) {
			t.Errorf("%s: Fatalf(%q), want a message containing %q", tc.name, got, tc.want)
		}
	}
}

func TestShopifySessionToken(t *testing.T) {
	srv := oidctest.NewServer(t, oidctest.WithProfile("shopify-session"))
	raw := srv.MintIDToken()
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		jwt.Claims
		Dest string `json:"dest"`
		SID  string `json:"sid"`
	}
	if err := tok.Claims([]byte("shopify-app-secret-0123456789abcdef"), &c); err != nil {
		t.Fatalf("HS256 with the app secret: %v", err)
	}
	err = c.Claims.ValidateWithLeeway(jwt.Expected{Issuer: "https://testidp-dev.myshopify.com/admin", AnyAudience: jwt.Audience{"shopify-app"}, Time: srv.Now()}, 10*time.Second)
	if err != nil || c.Dest != "https://testidp-dev.myshopify.com" || c.SID == "" || c.Subject != "42" {
		t.Errorf("session token %+v: %v; want a valid token of shop testidp-dev for staff user 42", c, err)
	}
}

func TestLoginForm(t *testing.T) {
	srv := oidctest.NewServer(t, oidctest.WithLoginForm())
	for _, sub := range []string{"bob", "ad-hoc-user"} {
		tok := srv.Login(oidctest.ForUser(sub))
		p, _ := oidc.NewProvider(context.Background(), srv.Issuer)
		id, err := p.Verifier(&oidc.Config{ClientID: "web", Now: srv.Now}).Verify(context.Background(), tok.IDToken)
		if err != nil || id.Subject != sub {
			t.Errorf("Login through the form as %s: %v, %v", sub, id, err)
		}
	}
}

// BenchmarkNewServer measures a server's start and stop: the cost of one
// test's provider.
func BenchmarkNewServer(b *testing.B) {
	for b.Loop() {
		t := &exampleT{}
		srv := oidctest.NewServer(t)
		_ = srv.Issuer
		t.done()
	}
}

func TestNothingOnDisk(t *testing.T) {
	srv := oidctest.NewServer(t)
	srv.Login()
	if db := srv.Provider().Config().DB; db != ":memory:" {
		t.Errorf("database %q, want :memory:", db)
	}
	if _, err := os.Stat("testidp.db"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a testidp.db appeared in the working directory: %v", err)
	}
}

// TestEveryFunctionHasAnExample keeps the package's promise: each exported
// function and method has an Example with an Output comment.
func TestEveryFunctionHasAnExample(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	examples := map[string]bool{}
	var exported []string
	for _, pkg := range pkgs {
		for name, f := range pkg.Files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || !fn.Name.IsExported() {
					continue
				}
				if strings.HasSuffix(name, "_test.go") {
					if strings.HasPrefix(fn.Name.Name, "Example") && strings.Contains(commentsIn(f, fn), "Output:") {
						examples[fn.Name.Name] = true
					}
					continue
				}
				id := fn.Name.Name
				if fn.Recv != nil {
					recv := fn.Recv.List[0].Type
					if star, ok := recv.(*ast.StarExpr); ok {
						recv = star.X
					}
					id = recv.(*ast.Ident).Name + "_" + id
				}
				exported = append(exported, id)
			}
		}
	}
	if len(exported) < 20 {
		t.Fatalf("found only %d exported functions: %v", len(exported), exported)
	}
	for _, id := range exported {
		if !examples["Example"+id] {
			t.Errorf("%s has no Example%s with an Output comment", id, id)
		}
	}
}

func commentsIn(f *ast.File, fn *ast.FuncDecl) string {
	var b strings.Builder
	for _, cg := range f.Comments {
		if cg.Pos() >= fn.Pos() && cg.End() <= fn.End() {
			b.WriteString(cg.Text())
		}
	}
	return b.String()
}
