package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Real verifiers are the oracle: every manifest entry goes through
// coreos/go-oidc and through go-jose's jwt validation, as a plain
// application would use them, and a must-accept case must be accepted, a
// must-reject case rejected — except where the library leaves a check to its
// caller, listed here with the reason.
var verifierExceptions = map[string]map[string]string{
	// ref → verifier ("go-oidc", "go-jose") → why the bare library accepts it.
}

// verifier is one library under test. newVerify sets it up as an
// application would for the issuer goldenIssuer, client web, the registered
// alg and the JWKS at jwksURL; the returned function verifies one token (of
// the steps of a case, in order, so that key caches carry over).
type verifier struct {
	name      string
	newVerify func(ctx context.Context, alg, jwksURL string) func(tok string) error
}

var verifiers = []verifier{
	{"go-oidc", newGoOIDC},
	{"go-jose", newGoJose},
}

func newGoOIDC(ctx context.Context, alg, jwksURL string) func(string) error {
	var ks oidc.KeySet = oidc.NewRemoteKeySet(ctx, jwksURL)
	if alg == "HS256" {
		ks = hmacKeySet{[]byte(goldenSecret)}
	}
	v := oidc.NewVerifier(goldenIssuer, ks, &oidc.Config{ClientID: "web", SupportedSigningAlgs: []string{alg},
		Now: func() time.Time { return goldenNow }})
	return func(tok string) error {
		_, err := v.Verify(ctx, tok)
		return err
	}
}

// newGoJose is what an application does with go-jose's jwt package: parse
// with the registered alg, pick the key by kid from the JWKS (fetched per
// token; the only key when the token has no kid), then validate iss, aud and
// the times.
func newGoJose(ctx context.Context, alg, jwksURL string) func(string) error {
	return func(tok string) error { return verifyGoJose(ctx, tok, alg, jwksURL) }
}

func verifyGoJose(ctx context.Context, tok, alg, jwksURL string) error {
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		return err
	}
	var key any = []byte(goldenSecret)
	if alg != "HS256" {
		set, err := fetchJWKS(ctx, jwksURL)
		if err != nil {
			return err
		}
		kid := parsed.Headers[0].KeyID
		keys := set.Key(kid)
		if kid == "" && len(set.Keys) == 1 {
			keys = set.Keys
		}
		if len(keys) == 0 {
			return errors.New("no key for kid")
		}
		key = keys[0]
	}
	var c jwt.Claims
	if err := parsed.Claims(key, &c); err != nil {
		return err
	}
	return c.Validate(jwt.Expected{Issuer: goldenIssuer, AnyAudience: jwt.Audience{"web"}, Time: goldenNow})
}

func fetchJWKS(ctx context.Context, url string) (*jose.JSONWebKeySet, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	return &set, json.NewDecoder(resp.Body).Decode(&set)
}

// hmacKeySet lets go-oidc verify HS256 with the client secret.
type hmacKeySet struct{ secret []byte }

func (k hmacKeySet) VerifySignature(_ context.Context, raw string) ([]byte, error) {
	sig, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return nil, err
	}
	return sig.Verify(k.secret)
}

// jwksServer serves the step's JWKS, or the world's current one.
type jwksServer struct {
	mu       sync.Mutex
	override []byte
	w        *faultWorld
}

func (j *jwksServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	j.mu.Lock()
	body := j.override
	j.mu.Unlock()
	if body == nil {
		body = j.w.ring.JWKS()
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func TestFaultsAgainstVerifiers(t *testing.T) {
	for _, m := range Manifest() {
		for _, vf := range verifiers {
			t.Run(m.Ref+"/"+vf.name, func(t *testing.T) {
				w := newFaultWorld(t)
				js := &jwksServer{w: w}
				srv := httptest.NewServer(js)
				defer srv.Close()
				ctx := context.Background()
				alg := m.Delivery.Alg
				if alg == "" {
					alg = "RS256"
				}
				// One verifier for all the steps of a case, so that its key
				// cache carries over, as in an application.
				verify := vf.newVerify(ctx, alg, srv.URL)
				run := func(s Step) error {
					js.mu.Lock()
					js.override = s.JWKS
					js.mu.Unlock()
					return verify(s.Token)
				}
				f, _, _, err := w.is.Forge(w.env(), m.Ref)
				if err != nil {
					t.Fatal(err)
				}
				for i, s := range f.Steps[:len(f.Steps)-1] {
					if err := run(s); err != nil {
						t.Fatalf("setup step %d (%s) rejected: %v", i, s.Note, err)
					}
				}
				err = run(f.Last())
				accepted := err == nil
				if reason, ok := verifierExceptions[m.Ref][vf.name]; ok {
					t.Logf("exception (%s): accepted=%v", reason, accepted)
					return
				}
				switch m.Expect {
				case MustAccept:
					if !accepted {
						t.Errorf("must-accept case rejected: %v", err)
					}
				case MustReject:
					if accepted {
						t.Errorf("must-reject case accepted")
					}
				default:
					t.Logf("%s: accepted=%v (%v)", m.Expect, accepted, err)
				}
			})
		}
	}
}
