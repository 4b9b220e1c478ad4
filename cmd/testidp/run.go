package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"syscall"
)

// runMain runs a command until SIGINT or SIGTERM and returns the exit code.
func runMain(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err := run(ctx, args, getenv, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "testidp:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "testidp:", err)
		return 1
	}
}

// errUsage marks command-line mistakes (exit code 2).
var errUsage = errors.New("usage")

// run executes one testidp command; serve is the default.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "faults":
		return faults(args, stdout, stderr)
	case "mint":
		return mintCmd(ctx, args, getenv, stdout, stderr)
	case "conformance":
		return conformance(ctx, args, getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, getenv, stderr)
	case "keys":
		return keysCmd(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "testidp", version())
		return nil
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("%w: unknown command %q (commands: serve, mint, keys, faults, conformance, healthcheck, version, help)", errUsage, cmd)
}

const usage = `testidp — an OpenID Provider for tests. Never use it in production.

Usage:
  testidp [serve] [flags]     run the provider (the default command)
  testidp keys list           the key ring: states (next, active, retired) and times
  testidp keys rotate         start a rotation [--alg A] [--publish-ahead D] [--retire-after D] [--retire-now]
  testidp keys export         the public JWKS [--private] [--format jwks|pem] [--kid K] [--out FILE]
  testidp keys import FILE    add a PEM or JWK key [--alg A] [--kid K] [--no-activate]
  testidp keys unpublish KID  take a retired or next key out of the JWKS
  testidp mint [flags]        a token from the mint API, printed alone (--json: the whole answer):
                              --client --sub --aud --alg --claims JSON --header JSON --ttl --nonce
                              --kind id_token|access_token --scope --fault id[#variant]
                              on the database, or of a running server with --server URL
  testidp faults [--json|--markdown]
                              list the fault catalog: every case, its variants and verdicts
  testidp conformance (--verify-url URL | --verify-cmd CMD) [flags]
                              send every fault case to a verifier and report what it
                              got wrong [--issuer URL] [--admin-token T] [--addr ADDR]
                              [--client ID] [--client-secret S] [--algs RS256,...]
                              [--only P] [--skip P] [--timeout D] [--report FILE]
                              [--format json|junit]; exit 1 when a must-case is wrong
  testidp healthcheck         exit 0 when the provider at --addr answers /healthz
  testidp version             print the version

Serve flags (flags > TESTIDP_* environment > config file > built-in defaults):
  --config FILE   YAML or JSON configuration            (TESTIDP_CONFIG)
  --addr ADDR     listen address, default 127.0.0.1:8080 (TESTIDP_ADDR)
  --issuer URL    public issuer URL, default from addr   (TESTIDP_ISSUER)
  --db PATH       SQLite file or :memory:                (TESTIDP_DB)
  --login MODE    form or auto                           (TESTIDP_LOGIN)
  --profile NAME  provider profile of the default issuer (TESTIDP_PROFILE):
                  google, auth0, keycloak, entra, web3auth, shopify-session,
                  github-actions, kubernetes
  --issuer-from-request
                  derive issuer URLs from each request's Host or
                  X-Forwarded-Host/-Proto (TESTIDP_ISSUER_FROM_REQUEST=true)
  --log-format F  text or json                           (TESTIDP_LOG_FORMAT)
  --log-level L   debug, info, warn or error             (TESTIDP_LOG_LEVEL)
  --testing-api=false
                  no testing API under {issuer}/_testidp/ (TESTIDP_TESTING_API=false)
  TESTIDP_ADMIN_TOKEN=T
                  the testing API requires "Authorization: Bearer T"
                  (environment or config file only: never on a command line)

HTTPS (the issuer URL becomes https):
  --tls           generate a CA and a server certificate, kept in --tls-dir,
                  and write the CA to --tls-ca-out for clients to trust (TESTIDP_TLS)
  --tls-dir DIR   default testidp-tls beside the database (TESTIDP_TLS_DIR)
  --tls-ca-out F  default testidp-ca.pem beside the database (TESTIDP_TLS_CA_OUT)
  --tls-hosts H   extra names for the certificate, comma-separated (TESTIDP_TLS_HOSTS)
  --tls-cert F    serve your own PEM certificate instead     (TESTIDP_TLS_CERT)
  --tls-key F     and its PEM private key                    (TESTIDP_TLS_KEY)

Keys flags: the serve flags (the database and keys settings to use), or
  --server URL        a running testidp's issuer URL      (TESTIDP_SERVER)
  --admin-token T     its admin token                     (TESTIDP_ADMIN_TOKEN)
  --issuer-path P     with the database: the issuer's path (default: the default issuer)
  --json              print the testing API's JSON
`
