package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// keysCmd is `testidp keys list|rotate|export|import|unpublish`. Every
// subcommand is a call of the testing API ({issuer}/_testidp/keys…): with
// --server against a running testidp, otherwise on the database (--db, the
// configuration's, as serve would use it) through an in-process provider.
// The database is safe to share with a running server: every change is one
// SQLite transaction, and the server picks it up within a second.
func keysCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("%w: keys needs a subcommand: list, rotate, export, import or unpublish", errUsage)
	}
	sub, args := args[0], args[1:]
	var run func(*keysFlags) error
	kf := newKeysFlags("keys "+sub, stderr)
	switch sub {
	case "list":
		run = func(kf *keysFlags) error { return keysList(kf, stdout) }
	case "rotate":
		kf.rotateFlags()
		run = func(kf *keysFlags) error { return keysRotate(kf, stdout) }
	case "export":
		kf.exportFlags()
		run = func(kf *keysFlags) error { return keysExport(kf, stdout) }
	case "import":
		kf.importFlags()
		run = func(kf *keysFlags) error { return keysImport(kf, stdout) }
	case "unpublish":
		run = func(kf *keysFlags) error { return keysUnpublish(kf, stdout) }
	default:
		return fmt.Errorf("%w: unknown keys subcommand %q (list, rotate, export, import, unpublish)", errUsage, sub)
	}
	if err := kf.parse(args); err != nil {
		return err
	}
	api, err := kf.connect(ctx, getenv)
	if err != nil {
		return err
	}
	defer api.close()
	kf.api = api
	return run(kf)
}

// keysFlags are the flags of the keys subcommands.
type keysFlags struct {
	fs         *flag.FlagSet
	config     *configFlags
	server     *string
	adminToken *string
	issuerPath *string
	jsonOut    *bool
	// rotate
	alg, publishAhead, retireAfter *string
	retireNow                      *bool
	// export
	private     *bool
	format, kid *string
	out         *string
	// import
	noActivate *bool
	args       []string
	api        keysAPI
}

func newKeysFlags(name string, stderr io.Writer) *keysFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &keysFlags{fs: fs, config: addConfigFlags(fs),
		server:     fs.String("server", "", "issuer URL of a running testidp (env TESTIDP_SERVER); default: work on the database"),
		adminToken: fs.String("admin-token", "", "the server's admin token (env TESTIDP_ADMIN_TOKEN)"),
		issuerPath: fs.String("issuer-path", "", "without --server: the issuer's path (default: the default issuer)"),
		jsonOut:    fs.Bool("json", false, "print the testing API's JSON answer"),
	}
}

func (kf *keysFlags) rotateFlags() {
	kf.alg = kf.fs.String("alg", "", "algorithm to rotate (default: every algorithm with a key)")
	kf.publishAhead = kf.fs.String("publish-ahead", "", "how long the new key is published before it signs (default keys.publish_ahead; 0s: at once)")
	kf.retireAfter = kf.fs.String("retire-after", "", "how long the replaced key stays published (default keys.retire_after)")
	kf.retireNow = kf.fs.Bool("retire-now", false, "the replaced key leaves the JWKS as soon as the new key signs")
}

func (kf *keysFlags) exportFlags() {
	kf.private = kf.fs.Bool("private", false, "include the private keys (for signing your own tokens)")
	kf.format = kf.fs.String("format", "jwks", `"jwks" or "pem" (PKCS#8, with --private)`)
	kf.kid = kf.fs.String("kid", "", "export only this key")
	kf.out = kf.fs.String("out", "", "write to this file (mode 0600) instead of stdout")
}

func (kf *keysFlags) importFlags() {
	kf.alg = kf.fs.String("alg", "", "algorithm of the key: RS256 or PS256 for RSA keys; implied for EC and Ed25519")
	kf.kid = kf.fs.String("kid", "", "kid for the key (default: the JWK's kid, else the RFC 7638 thumbprint)")
	kf.noActivate = kf.fs.Bool("no-activate", false, "publish the keys without making them sign")
}

// parse parses flags and positional arguments in any order.
func (kf *keysFlags) parse(args []string) error {
	for {
		if err := kf.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		if kf.fs.NArg() == 0 {
			return nil
		}
		kf.args = append(kf.args, kf.fs.Arg(0))
		args = kf.fs.Args()[1:]
	}
}

// oneArg returns the single positional argument the subcommand needs.
func (kf *keysFlags) oneArg(what string) (string, error) {
	if len(kf.args) != 1 {
		return "", fmt.Errorf("%w: %s needs exactly one argument: %s", errUsage, kf.fs.Name(), what)
	}
	return kf.args[0], nil
}

func keysList(kf *keysFlags, stdout io.Writer) error {
	if len(kf.args) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, kf.args[0])
	}
	body, err := kf.api.call("GET", "/keys", nil)
	if err != nil {
		return err
	}
	return printRing(stdout, body, *kf.jsonOut)
}

func keysRotate(kf *keysFlags, stdout io.Writer) error {
	if len(kf.args) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, kf.args[0])
	}
	req := map[string]any{}
	if *kf.alg != "" {
		req["alg"] = *kf.alg
	}
	for name, v := range map[string]string{"publish_ahead": *kf.publishAhead, "retire_after": *kf.retireAfter} {
		if v == "" {
			continue
		}
		if _, err := time.ParseDuration(v); err != nil {
			return fmt.Errorf("%w: --%s %q: give a duration such as 0s, 90s or 1h", errUsage, strings.ReplaceAll(name, "_", "-"), v)
		}
		req[name] = v
	}
	if *kf.retireNow {
		req["retire_now"] = true
	}
	body, err := kf.api.call("POST", "/keys/rotate", req)
	if err != nil {
		return err
	}
	return printRing(stdout, body, *kf.jsonOut)
}

func keysExport(kf *keysFlags, stdout io.Writer) error {
	if len(kf.args) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, kf.args[0])
	}
	q := "?format=" + *kf.format
	if *kf.private {
		q += "&private=true"
	}
	if *kf.kid != "" {
		q += "&kid=" + *kf.kid
	}
	body, err := kf.api.call("GET", "/keys/export"+q, nil)
	if err != nil {
		return err
	}
	if *kf.out == "" {
		_, err := stdout.Write(body)
		return err
	}
	if err := os.WriteFile(*kf.out, body, 0o600); err != nil {
		return err
	}
	return os.Chmod(*kf.out, 0o600) // an existing file keeps its mode otherwise
}

func keysImport(kf *keysFlags, stdout io.Writer) error {
	file, err := kf.oneArg("the key file (PEM, JWK or JWK Set)")
	if err != nil {
		return err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	req := map[string]any{"key": string(data), "activate": !*kf.noActivate}
	if *kf.alg != "" {
		req["alg"] = *kf.alg
	}
	if *kf.kid != "" {
		req["kid"] = *kf.kid
	}
	body, err := kf.api.call("POST", "/keys/import", req)
	if err != nil {
		return err
	}
	return printRing(stdout, body, *kf.jsonOut)
}

func keysUnpublish(kf *keysFlags, stdout io.Writer) error {
	kid, err := kf.oneArg("the kid of the key")
	if err != nil {
		return err
	}
	body, err := kf.api.call("POST", "/keys/unpublish", map[string]string{"kid": kid})
	if err != nil {
		return err
	}
	return printRing(stdout, body, *kf.jsonOut)
}

// marshal encodes a request body.
func marshal(v any) []byte {
	if v == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	return b
}
