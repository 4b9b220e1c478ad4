// Package oidctest starts an OpenID Provider inside a Go test, the way
// net/http/httptest starts an HTTP server.
//
// # A provider in one line
//
//	srv := oidctest.NewServer(t)
//
// NewServer listens on a loopback port, registers t.Cleanup to stop, and
// returns once the provider answers. srv.Issuer is its issuer URL: give it to
// the code under test wherever it expects "https://accounts.example.com".
// Everything is in memory, and the signing keys are fixed test keys, so a
// server starts in a few milliseconds and tests can start one each.
//
// The server is testidp with its built-in configuration: the clients web
// (secret web-secret), spa (public, PKCE), service (secret service-secret,
// client credentials only) and hs256, and the users alice and bob. A login
// needs no page: the user is the login_hint, or alice.
//
// # Tokens for the code under test
//
// Many tests only need a token to send to the code under test. Mint one:
//
//	id := srv.MintIDToken()                                   // alice, for web
//	id = srv.MintIDToken(oidctest.ForUser("bob"), oidctest.WithNonce("n-1"))
//	at := srv.MintAccessToken(oidctest.WithScopes("read"), oidctest.WithAudience("https://api.example"))
//	old := srv.MintIDToken(oidctest.WithExpiry(-time.Minute)) // already expired
//
// Minted tokens are what the token endpoint would issue (algorithm, key,
// lifetime, the user's claims by scope), and the server's own endpoints
// accept them. To go through the protocol instead, Login runs the
// authorization code flow with PKCE over HTTP, and ClientCredentials the
// client credentials grant:
//
//	tok := srv.Login(oidctest.ForClient("web"), oidctest.ForUser("bob"))
//	svc := srv.ClientCredentials(oidctest.WithScopes("read"))
//
// # Testing a real client
//
// An application that logs users in with golang.org/x/oauth2 and
// github.com/coreos/go-oidc needs nothing special: point it at srv.Issuer,
// register its redirect URI (the built-in clients accept any loopback URI),
// and drive the browser side with srv.Client(), which keeps cookies and stops
// at the redirect back to the application:
//
//	provider, _ := oidc.NewProvider(ctx, srv.Issuer)
//	conf := oauth2.Config{ClientID: "web", ClientSecret: "web-secret",
//		Endpoint: provider.Endpoint(), RedirectURL: app.URL + "/callback",
//		Scopes: []string{oidc.ScopeOpenID, "email"}}
//	resp, _ := srv.Client().Get(app.URL + "/login") // app redirects to the provider, which redirects back
//
// The module under examples/ in the repository does this end to end.
//
// # Time
//
// The provider has its own clock. WithClock starts it at a fixed time;
// SetNow and Advance move it, so expiry is tested without sleeping:
//
//	srv := oidctest.NewServer(t, oidctest.WithClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
//	tok := srv.MintIDToken()
//	srv.Advance(2 * time.Hour) // the token is now expired for the provider
//
// Verifiers under test have their own clock; give them srv.Now (go-oidc:
// oidc.Config{Now: srv.Now}).
//
// # Testing a verifier
//
// RunVerifierSuite sends every case of the fault catalog — forged, malformed
// and tricky-but-valid tokens, each with the verdict a correct verifier must
// reach — to a verify function, one subtest per case variant:
//
//	oidctest.RunVerifierSuite(t, func(ctx context.Context, raw string) error {
//		st, _ := oidctest.SuiteStepFrom(ctx) // issuer, client, nonce, access token… of this delivery
//		return myVerifier.Check(ctx, raw, st.Nonce)
//	}, oidctest.SuiteServer(srv))
//
// nil accepts the token, an error rejects it. A must-case the verifier gets
// wrong fails its subtest; RunSuite runs the same without a test and
// returns the report (testidp conformance is built on it).
//
// # Configuration
//
// Options change the provider: WithClient and WithUser register more;
// WithAlgorithm signs with ES256, EdDSA…; WithLoginForm shows the login page;
// WithSeed derives reproducible keys from a seed; WithProfile shapes tokens
// like Google, Auth0, Keycloak, Entra ID, Web3Auth, Shopify session tokens,
// GitHub Actions or Kubernetes; WithIssuer adds more issuers under their own
// paths (srv.IssuerURL(path) gives their URLs); WithConfig starts from a
// whole endpoints.Config, such as one read from a YAML file with
// endpoints.ParseConfig.
//
// Every helper fails the test (t.Fatalf) when something goes wrong, so tests
// read straight. Importing the package brings no test framework beyond the
// standard library's testing.
package oidctest
