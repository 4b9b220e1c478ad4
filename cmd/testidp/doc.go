// Command testidp is an OpenID Provider for tests. Never use it in
// production.
//
// It owns the command line: flags, TESTIDP_* environment variables and the
// configuration file, layered flags > environment > file > built-in defaults
// into an endpoints.Config, validated with every problem reported at once
// (config.go); then the wiring and the commands:
//
//	serve        the provider (the default command), with graceful shutdown
//	mint         a token from the mint API, on the database or a running server
//	keys         list, rotate, import, export and unpublish signing keys
//	faults       the fault catalog's manifest (table, JSON, Markdown)
//	conformance  every fault case against a verifier (oidctest's runner)
//	healthcheck  exit 0 when the provider answers /healthz (the container's HEALTHCHECK)
//	version      the version
//
// main only calls runMain; run(ctx, args, getenv, stdout, stderr) is what the
// end-to-end tests drive, with a temporary directory and port 0.
package main
