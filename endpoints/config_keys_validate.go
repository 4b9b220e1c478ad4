package endpoints

import (
	"fmt"
	"time"

	"github.com/testidp/testidp/keys"
)

// maxRetiredPerAlg bounds how many replaced keys of one algorithm a schedule
// keeps published at once (retire_after / rotate_every).
const maxRetiredPerAlg = 100

// checkKeys validates a normalized keys configuration at path ("keys", or
// "issuers[i].keys"), reading every imported key file.
func checkKeys(ce *ConfigError, path string, k KeysConfig) {
	switch k.RSABits {
	case 2048, 3072, 4096:
	default:
		ce.add(path+".rsa_bits", "%d: must be 2048, 3072 or 4096", k.RSABits)
	}
	if k.RotateEvery < 0 || (k.RotateEvery > 0 && k.RotateEvery < time.Second) {
		ce.add(path+".rotate_every", "%v: give 0 (never) or a duration of at least 1s, such as 1h", k.RotateEvery)
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"publish_ahead", k.PublishAhead}, {"retire_after", k.RetireAfter}, {"jwks_max_age", k.JWKSMaxAge}} {
		if f.d < 0 {
			ce.add(path+"."+f.name, "%v must not be negative", f.d)
		}
	}
	if k.RotateEvery >= time.Second {
		if k.PublishAhead > k.RotateEvery {
			ce.add(path+".publish_ahead", "%v is longer than rotate_every (%v): a key cannot be published before the key it replaces signs", k.PublishAhead, k.RotateEvery)
		}
		if n := k.RetireAfter / k.RotateEvery; n > maxRetiredPerAlg {
			ce.add(path+".retire_after", "%v is %d times rotate_every (%v): at most %d replaced keys per algorithm may stay published", k.RetireAfter, n, k.RotateEvery, maxRetiredPerAlg)
		}
	}
	checkKeyImports(ce, path+".import", k.Import)
}

// checkKeyImports reads every imported key file and reports files that cannot
// be read or hold no usable key, and kids imported twice.
func checkKeyImports(ce *ConfigError, path string, imports []KeyImport) {
	kids := map[string]int{}
	for i, imp := range imports {
		p := fmt.Sprintf("%s[%d]", path, i)
		if imp.Alg != "" {
			if a, err := keys.ParseAlg(imp.Alg); err != nil || !a.Asymmetric() {
				ce.add(p+".alg", "%q: must be one of RS256, PS256, ES256, ES384, EdDSA", imp.Alg)
				continue
			}
		}
		if imp.File == "" {
			ce.add(p+".file", "required: a PEM (PKCS#1, PKCS#8, SEC1) or JWK / JWK Set file")
			continue
		}
		ks, err := imp.read(time.Time{})
		if err != nil {
			ce.add(p+".file", "%v", err)
			continue
		}
		for _, k := range ks {
			if prev, dup := kids[k.ID]; dup {
				ce.add(p, "kid %q is already imported by %s[%d]", k.ID, path, prev)
			}
			kids[k.ID] = i
		}
	}
}
