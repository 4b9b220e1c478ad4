package issuer

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
)

// Verifier exceptions for the claims, encoding, nonce and hash-binding rows.
// Two kinds, told apart by the reason's first word:
//   - "caller:" the library documents (or its API makes plain) that the
//     check is the application's, or the case's input (Step.Nonce,
//     AccessToken, Code, Userinfo, Refresh…) is something only a harness
//     passes to an application;
//   - "finding:" the library itself is more lenient than the catalog; the
//     token is right (its defect check proves it), the verifier is not.
//
// Library behaviour re-checked in coreos/go-oidc v3.21.0 (oidc/verify.go,
// oidc/oidc.go) and go-jose v4.1.8 (jws.go, encoding.go, jwt/validation.go).

const (
	whyNonceOIDC = "caller: go-oidc's Verify does NOT check nonce (documented: the caller's responsibility); Step.Nonce is for the application"
	whyNonceJose = "caller: go-jose's jwt.Claims has no nonce; comparing it with Step.Nonce is the application's"
	whyHashOIDC  = "caller: go-oidc leaves at_hash to IDToken.VerifyAccessToken (documented: the caller ensures at_hash is present) and has no c_hash/s_hash check; Step.AccessToken/Code/State are for the application"
	whyHashJose  = "caller: go-jose's jwt validation knows no at_hash/c_hash/s_hash; Step.AccessToken/Code/State are for the application"
)

// exceptBoth adds the exception of ref for each verifier.
func exceptBoth(ref, oidc, jose string) {
	except(ref, "go-oidc", oidc)
	except(ref, "go-jose", jose)
}

func except(ref, verifier, why string) {
	if verifierExceptions[ref] == nil {
		verifierExceptions[ref] = map[string]string{}
	}
	if _, dup := verifierExceptions[ref][verifier]; dup {
		panic("verifier exception twice: " + ref + " " + verifier)
	}
	verifierExceptions[ref][verifier] = why
}

// TestVerifierExceptionsAreNeeded keeps the exceptions honest: each one
// excuses a verifier that really accepts a case it should reject. An
// exception a library no longer needs must go.
func TestVerifierExceptionsAreNeeded(t *testing.T) {
	for _, m := range Manifest() {
		for _, vf := range verifiers {
			why, ok := verifierExceptions[m.Ref][vf.name]
			if !ok || !familyBRow(m.Ref) {
				continue
			}
			t.Run(m.Ref+"/"+vf.name, func(t *testing.T) {
				if m.Expect != MustReject {
					t.Fatalf("exception for a %s case", m.Expect)
				}
				if err := verifyAllSteps(t, vf, m); err != nil {
					t.Errorf("%s now rejects it (%v); drop the exception %q", vf.name, err, why)
				}
			})
		}
	}
}

// familyBRow: the rows of this family set (claims 29–51, encoding 53–60,
// nonce 73–74, hash binding 76–80).
func familyBRow(ref string) bool {
	c, _, err := LookupFault(ref)
	return err == nil && ((c.Row >= 29 && c.Row <= 60 && c.Row != 52) || (c.Row >= 73 && c.Row <= 80 && c.Row != 75))
}

var errSetupStep = errors.New("setup step rejected")

// verifyAllSteps runs every step of m through a fresh vf, as
// TestFaultsAgainstVerifiers does, and returns the last step's error.
func verifyAllSteps(t *testing.T, vf verifier, m ManifestEntry) error {
	w := newFaultWorld(t)
	js := &jwksServer{w: w}
	srv := httptest.NewServer(js)
	defer srv.Close()
	alg := m.Delivery.Alg
	if alg == "" {
		alg = "RS256"
	}
	verify := vf.newVerify(context.Background(), alg, srv.URL)
	f, _, _, err := w.is.Forge(w.env(), m.Ref)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range f.Steps {
		js.mu.Lock()
		js.override = s.JWKS
		js.mu.Unlock()
		err = verify(s.Token)
		if i < len(f.Steps)-1 && err != nil {
			return fmt.Errorf("%w: step %d: %v", errSetupStep, i, err)
		}
	}
	return err
}
