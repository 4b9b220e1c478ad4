package issuer

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// Defect checks of the encoding rows 53–58: each compares the token text or
// the decoded bytes with B's, exactly.

func init() {
	defects["b64-std-alphabet"] = stdAlphabetDefect
	defects["b64-std-alphabet#sig-only"] = stdSigOnlyDefect
	for name, junk := range map[string]string{"space": " ", "newline": "\n", "backslash": `\`, "non-ascii": "\u00a0"} {
		defects["b64-junk-chars#"+name] = func(t *testing.T, d defectCase) {
			b := tokenOfB(t)
			sigAt := strings.LastIndexByte(b, '.')
			i := strings.Index(d.last.Token, junk)
			if i <= sigAt || strings.Replace(d.last.Token, junk, "", 1) != b {
				t.Errorf("token %q is not B with %q inserted into its signature part", d.last.Token, junk)
			}
		}
	}
	defects["b64-junk-chars#percent-escape"] = func(t *testing.T, d defectCase) {
		b := tokenOfB(t)
		i := strings.IndexByte(d.last.Token, '%')
		if i <= strings.LastIndexByte(b, '.') || len(d.last.Token) != len(b)+2 ||
			d.last.Token[:i]+percentDecoded(t, d.last.Token[i:i+3])+d.last.Token[i+3:] != b {
			t.Errorf("token %q is not B with one signature character percent-escaped", d.last.Token)
		}
	}
	defects["b64-junk-chars#trailing-whitespace"] = func(t *testing.T, d defectCase) {
		if d.last.Token != tokenOfB(t)+"\n" {
			t.Errorf("token %q is not B followed by a line feed", d.last.Token)
		}
	}
	defects["b64-junk-chars#nonzero-pad-bits"] = padBitsDefect
	segmentDefects()
	notObjectDefects()
	nonUTF8Defects()
}

func percentDecoded(t *testing.T, esc string) string {
	v, err := strconv.ParseUint(strings.TrimPrefix(esc, "%"), 16, 8)
	if err != nil || len(esc) != 3 || esc[0] != '%' || esc[1:] != strings.ToUpper(esc[1:]) {
		t.Fatalf("bad escape %q", esc)
	}
	return string([]byte{byte(v)})
}

// wantPlusSlash fails unless part is in the standard alphabet with both
// "+" and "/".
func wantPlusSlash(t *testing.T, i int, part string) {
	t.Helper()
	if !strings.Contains(part, "+") || !strings.Contains(part, "/") || strings.ContainsAny(part, "-_=") {
		t.Errorf("part %d %q: want \"+\" and \"/\", no \"-\", \"_\" or padding", i, part)
	}
}

func stdAlphabetDefect(t *testing.T, d defectCase) {
	parts := strings.Split(d.last.Token, ".")
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	var dec [3][]byte
	for i, p := range parts {
		wantPlusSlash(t, i, p)
		var err error
		if dec[i], err = base64.RawStdEncoding.Strict().DecodeString(p); err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
	}
	probe := map[string]any{"x-b64-probe": "???>>>"}
	for k, v := range d.baseHeader {
		probe[k] = v
	}
	wantChanged(t, probe, jsonObject(t, dec[0]))
	got := jsonObject(t, dec[1])
	wantChanged(t, d.base, got, "x-b64-probe")
	if got["x-b64-probe"] != "???>>>" {
		t.Errorf("probe %v", got["x-b64-probe"])
	}
	if err := rs256Verifies(t, d, "", []byte(parts[0]+"."+parts[1]), dec[2]); err != nil {
		t.Errorf("signature over the standard-alphabet text: %v", err)
	}
}

func stdSigOnlyDefect(t *testing.T, d defectCase) {
	b := partsOfB(t)
	parts := strings.Split(d.last.Token, ".")
	if len(parts) != 3 || parts[0] != b[0] || parts[1] != b[1] {
		t.Fatalf("header and payload are not B's: %q", d.last.Token)
	}
	wantPlusSlash(t, 2, parts[2])
	sig, err := base64.RawStdEncoding.Strict().DecodeString(parts[2])
	if err != nil || b64u(sig) != b[2] {
		t.Errorf("signature part decodes (%v) to another signature than B's", err)
	}
}

func padBitsDefect(t *testing.T, d defectCase) {
	b := tokenOfB(t)
	tok := d.last.Token
	if len(tok) != len(b) || tok[:len(tok)-1] != b[:len(b)-1] || tok == b {
		t.Fatalf("token %q differs from B elsewhere than in its last character", tok)
	}
	sig := tok[strings.LastIndexByte(tok, '.')+1:]
	if _, err := base64.RawURLEncoding.Strict().DecodeString(sig); err == nil {
		t.Errorf("strict decoding accepts the signature: the pad bits are zero")
	}
	lenient, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || b64u(lenient) != b[strings.LastIndexByte(b, '.')+1:] {
		t.Errorf("the signature does not decode to B's bytes (%v)", err)
	}
}

func segmentDefects() {
	for name, want := range map[string]func(h, p, s string) string{
		"four":          func(h, p, s string) string { return h + "." + p + "." + s + ".eA" },
		"five-jws":      func(h, p, s string) string { return h + "." + p + "." + s + ".eA.eA" },
		"one":           func(_, p, _ string) string { return p },
		"leading-dot":   func(h, p, s string) string { return "." + h + "." + p + "." + s },
		"empty-payload": func(h, _, s string) string { return h + ".." + s },
	} {
		defects["segment-count#"+name] = func(t *testing.T, d defectCase) {
			b := partsOfB(t)
			if w := want(b[0], b[1], b[2]); d.last.Token != w {
				t.Errorf("token %q, want %q", d.last.Token, w)
			}
		}
	}
	defects["segment-count#empty-header"] = func(t *testing.T, d defectCase) {
		b := partsOfB(t)
		parts := strings.Split(d.last.Token, ".")
		if len(parts) != 3 || parts[0] != "" || parts[1] != b[1] {
			t.Fatalf("token %q is not .p.s with B's payload", d.last.Token)
		}
		if err := rs256Verifies(t, d, "", []byte("."+parts[1]), decodePart(t, d.last.Token, 2)); err != nil {
			t.Errorf("signature over \".p\": %v", err)
		}
	}
}

// nonUTF8Defects: the payload bytes, exactly, against B's.
func nonUTF8Defects() {
	le := func(s []byte) []byte {
		var out []byte
		for _, u := range utf16.Encode([]rune(string(s))) {
			out = append(out, byte(u), byte(u>>8))
		}
		return out
	}
	for name, want := range map[string]func(b []byte) []byte{
		"utf16le":   le,
		"utf16-bom": func(b []byte) []byte { return append([]byte{0xFF, 0xFE}, le(b)...) },
		"utf8-bom":  func(b []byte) []byte { return append([]byte("\xEF\xBB\xBF"), b...) },
		"lone-surrogate": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"sub":"alice"`), []byte(`"sub":"al\ud800ice"`), 1)
		},
	} {
		defects["non-utf8-json#"+name] = payloadBytesAre(want)
	}
	defects["non-utf8-json#invalid-utf8"] = func(t *testing.T, d defectCase) {
		if utf8.Valid(lastPayload(t, d)) {
			t.Errorf("payload is valid UTF-8")
		}
		payloadBytesAre(func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"sub":"alice"`), []byte("\"sub\":\"al\xC0\xAFice\""), 1)
		})(t, d)
	}
}

// payloadBytesAre: the header is B's, the payload is want(B's payload)
// (which must differ from it), and the signature is valid over them.
func payloadBytesAre(want func(b []byte) []byte) func(*testing.T, defectCase) {
	return func(t *testing.T, d defectCase) {
		b := partsOfB(t)
		parts := strings.Split(d.last.Token, ".")
		if len(parts) != 3 || parts[0] != b[0] {
			t.Fatalf("header part is not B's: %q", d.last.Token)
		}
		base := decodePart(t, strings.Join(b[:], "."), 1)
		w := want(bytes.Clone(base))
		if got := lastPayload(t, d); !bytes.Equal(got, w) || bytes.Equal(w, base) {
			t.Errorf("payload\n got %q\nwant %q (B %q)", got, w, base)
		}
		wantSignatureValid(t, d, true)
	}
}

func notObjectDefects() {
	for name, want := range map[string]func(b []byte) []byte{
		"not-json":         func(b []byte) []byte { return b[:len(b)-1] },
		"array":            func(b []byte) []byte { return append(append([]byte("["), b...), ']') },
		"number":           func([]byte) []byte { return []byte("42") },
		"null":             func([]byte) []byte { return []byte("null") },
		"trailing-garbage": func(b []byte) []byte { return append(b, "xyz"...) },
		"two-objects":      func(b []byte) []byte { return append(b, b...) },
	} {
		defects["not-json-object#"+name] = payloadBytesAre(want)
	}
	defects["not-json-object#string"] = func(t *testing.T, d defectCase) {
		tok := tokenOfB(t)
		payloadBytesAre(func([]byte) []byte { return []byte(`"` + tok + `"`) })(t, d)
	}
}

// Verifier exceptions of rows 53–59.
func init() {
	both2 := func(ref, why string) { exceptBoth(ref, why, why) }
	for _, v := range []string{"space", "non-ascii", "trailing-whitespace"} {
		except("b64-junk-chars#"+v, "go-oidc", "finding: go-oidc parses with jose.ParseSigned, which strips Unicode whitespace (stripWhitespace in go-jose's encoding.go) before base64url decoding")
	}
	for _, v := range []string{"newline", "trailing-whitespace"} {
		except("b64-junk-chars#"+v, "go-jose", "finding: Go's encoding/base64 ignores \\r and \\n (documented), and go-jose decodes compact parts with it")
	}
	except("b64-junk-chars#newline", "go-oidc", "finding: jose.ParseSigned strips whitespace, and Go's encoding/base64 ignores \\n anyway")
	for _, v := range []string{"flattened", "unprotected-alg", "polyglot"} {
		except("json-serialization#"+v, "go-oidc", "finding: go-oidc parses with jose.ParseSigned, documented to accept the JWS JSON serialization too (alg may sit in the unprotected header there); ID tokens must be compact")
	}
	both2("non-utf8-json#invalid-utf8", "finding: Go's encoding/json (and go-jose's copy) replaces invalid UTF-8 by U+FFFD instead of failing (documented), and sub is not compared with anything")
	except("dup-claim#sub", "go-oidc", "caller: go-oidc reads claims with encoding/json, where the last member wins (allowed by RFC 7519 §4); it returns sub \"admin\", which only the application can judge")
	except("dup-claim#nonce", "go-oidc", whyNonceOIDC)
}
