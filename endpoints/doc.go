// Package endpoints is testidp's whole HTTP surface as one http.Handler: the
// Provider. It owns the configuration model (Config, ParseConfig, Normalize,
// Validate), the chi router with every route in routes.go, discovery and
// JWKS served from precomputed bytes, the authorization endpoint and login
// page (html/template, embedded), the token, userinfo, introspection,
// revocation and end-session endpoints, sessions, and the rendering of OAuth
// errors.
//
// Protocol handling is shared with zitadel's op package: an op.Server
// implementation (opserver.go) receives the back-channel requests zitadel has
// parsed and checked — authorization_code and refresh_token grants, userinfo,
// introspection, revocation — and every error goes through op.WriteError, so
// JSON errors have one shape. Tokens never come from zitadel's signer: package
// issuer mints them all, with the provider's injected clock.
//
// Some paths do not go through op.Server, each for a reason given where it is
// served: the front channel (authorize, login, end_session), because
// op.Server can only answer with a 302 or a JSON error while the specs want
// error redirects, form_post pages and an HTML page for an untrusted redirect
// URI; the password grant, which zitadel does not dispatch; and the
// client_credentials grant, whose CPU per token must stay within 1.2 times the
// signature (see BenchmarkClientCredentials).
//
// One Provider serves several issuers (Config.Issuers), each a site under its
// own path with its own keys, clients, users and storage scope. A provider
// profile (profile.go; the built-in ones are data in fixtures/profiles)
// shapes a site's paths, discovery and tokens: every ID and access token goes
// through token_shape.go. With issuer_from_request the sites are copied per
// request origin (request_issuer.go). Provider.MintIDToken and MintAccessToken
// mint without a flow, for oidctest.
//
// State lives in package storage; keys come from package keys, generated at
// first start and persisted so that a restart serves the same JWKS. Each
// issuer's key ring (keyring.go) changes only in storage transactions that
// apply package keys' pure rotation functions; requests apply transitions
// that have come due (one clock read and an atomic load otherwise), and a
// background loop, stopped by Close, applies the rest and reloads a ring
// another process changed. The testing API serves the ring (testing_keys.go)
// and switches the JWKS endpoint's behaviour (jwks_behaviour.go).
package endpoints
