package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// mintCmd is testidp mint: a token from the mint API, on the database (an
// in-process provider) or of a running server (--server), printed alone so
// that it can be captured, or as the mint API's whole answer with --json.
func mintCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	kf := newKeysFlags("mint", stderr)
	f := kf.fs
	req := map[string]*string{}
	for _, fl := range mintFlags {
		req[fl.field] = f.String(fl.flag, "", fl.usage)
	}
	aud := f.String("aud", "", "audience, or several separated by commas (default: the client id)")
	claims := f.String("claims", "", `claims as a JSON object, merged over the defaults; null removes one: '{"email": null}'`)
	header := f.String("header", "", "extra JOSE header members as a JSON object")
	if err := kf.parse(args); err != nil {
		return err
	}
	if len(kf.args) > 0 {
		return fmt.Errorf("%w: mint takes no arguments (got %q)", errUsage, kf.args[0])
	}
	body := map[string]any{}
	for field, v := range req {
		if *v != "" {
			body[field] = *v
		}
	}
	if *aud != "" {
		body["aud"] = strings.Split(*aud, ",")
	}
	for name, raw := range map[string]string{"claims": *claims, "header": *header} {
		if raw == "" {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(raw), &obj); err != nil {
			return fmt.Errorf("%w: --%s is not a JSON object: %v", errUsage, name, err)
		}
		body[name] = obj
	}
	api, err := kf.connect(ctx, getenv)
	if err != nil {
		return err
	}
	defer api.close()
	answer, err := api.call("POST", "/mint", body)
	if err != nil {
		return err
	}
	if *kf.jsonOut {
		_, err = stdout.Write(answer)
		return err
	}
	var out struct {
		Token  string `json:"token"`
		Expect string `json:"expect"`
		Fault  string `json:"fault"`
	}
	if err := json.Unmarshal(answer, &out); err != nil {
		return err
	}
	if out.Fault != "" {
		fmt.Fprintf(stderr, "fault %s: a correct verifier's verdict: %s\n", out.Fault, out.Expect)
	}
	_, err = fmt.Fprintln(stdout, out.Token)
	return err
}

// mintFlags are the string flags of mint and the mint API field each sets.
var mintFlags = []struct{ flag, field, usage string }{
	{"client", "client_id", "client id (default: the issuer's first client)"},
	{"sub", "sub", "subject (default: the issuer's first user)"},
	{"alg", "alg", "signing algorithm (default: the client's)"},
	{"ttl", "ttl", `lifetime, such as "5m", or "-1h" for an expired token`},
	{"nonce", "nonce", "nonce claim"},
	{"kind", "kind", "id_token (default) or access_token"},
	{"scope", "scope", "scopes, space-separated (default: openid profile email)"},
	{"fault", "fault", `a fault-catalog case, "id" or "id#variant" (see testidp faults)`},
	{"access-token", "access_token", "an access token to hash into at_hash"},
	{"code", "code", "a code to hash into c_hash"},
}
