package endpoints

import (
	"os"
	"time"

	"github.com/testidp/testidp/keys"
)

// KeysConfig is how an issuer gets and rotates its signing keys.
type KeysConfig struct {
	// Seed derives every key deterministically (tests only: anyone who
	// knows the seed can sign as the issuer).
	Seed string `yaml:"seed"`
	// RSABits is the size of generated RSA keys: 2048 (default), 3072 or
	// 4096.
	RSABits int `yaml:"rsa_bits"`
	// RotateEvery rotates the signing keys on a schedule; zero: never.
	RotateEvery time.Duration `yaml:"rotate_every"`
	// PublishAhead is how long a next key is published before it signs.
	PublishAhead time.Duration `yaml:"publish_ahead"`
	// RetireAfter is how long a replaced key stays published.
	RetireAfter time.Duration `yaml:"retire_after"`
	// Import brings the user's own keys (PEM or JWK files).
	Import []KeyImport `yaml:"import"`
	// JWKSMaxAge is the Cache-Control max-age of the JWKS (default 60s).
	// Zero values of the fields above mean their defaults (see
	// normalizeKeys).
	JWKSMaxAge time.Duration `yaml:"jwks_max_age"`
}

// KeyImport names one key file to import.
type KeyImport struct {
	// File is a PEM (PKCS#1, PKCS#8, SEC1) or JWK / JWK Set file.
	File string `yaml:"file"`
	// Alg the key signs with; required for RSA keys (RS256 or PS256), else
	// implied by the key type.
	Alg string `yaml:"alg"`
	// KID overrides the RFC 7638 thumbprint (or the kid of a JWK).
	KID string `yaml:"kid"`
}

// Key defaults.
const (
	defaultRSABits    = 2048
	defaultJWKSMaxAge = time.Minute
)

// normalizeKeys fills in the defaults of an issuer's keys configuration:
// RSA keys of 2048 bits; a JWKS max-age of 60s; a publish-ahead of the JWKS
// max-age (so that a verifier honouring Cache-Control has seen a new key
// before it signs), at most rotate_every; and a retire-after of the longest
// ID or access token lifetime of the issuer and its clients (so that every
// token signed by a replaced key verifies until it expires). Normalizing
// twice changes nothing.
// Inherit fills k's unset settings from the top level's, so that a seed or
// a rotation schedule given once applies to every issuer (each derives its
// own keys from the seed and its path). Imports are not inherited: a key
// file belongs to the issuer that lists it.
func (k KeysConfig) Inherit(top KeysConfig) KeysConfig {
	if k.Seed == "" {
		k.Seed = top.Seed
	}
	if k.RSABits == 0 {
		k.RSABits = top.RSABits
	}
	if k.RotateEvery == 0 {
		k.RotateEvery = top.RotateEvery
	}
	if k.PublishAhead == 0 {
		k.PublishAhead = top.PublishAhead
	}
	if k.RetireAfter == 0 {
		k.RetireAfter = top.RetireAfter
	}
	if k.JWKSMaxAge == 0 {
		k.JWKSMaxAge = top.JWKSMaxAge
	}
	return k
}

func normalizeKeys(k KeysConfig, l Lifetimes, clients []Client) KeysConfig {
	if k.RSABits == 0 {
		k.RSABits = defaultRSABits
	}
	if k.JWKSMaxAge == 0 {
		k.JWKSMaxAge = defaultJWKSMaxAge
	}
	if k.PublishAhead == 0 {
		k.PublishAhead = k.JWKSMaxAge
		if k.RotateEvery > 0 && k.RotateEvery < k.PublishAhead {
			k.PublishAhead = k.RotateEvery
		}
	}
	if k.RetireAfter == 0 {
		k.RetireAfter = max(l.IDToken, l.AccessToken)
		for _, c := range clients {
			k.RetireAfter = max(k.RetireAfter, c.Lifetimes.IDToken, c.Lifetimes.AccessToken)
		}
	}
	return k
}

// policy is the rotation schedule the configuration sets.
func (k KeysConfig) policy() keys.Policy {
	return keys.Policy{RotateEvery: k.RotateEvery, PublishAhead: k.PublishAhead, RetireAfter: k.RetireAfter}
}

// read parses the key file an import names.
func (imp KeyImport) read(now time.Time) ([]*keys.Key, error) {
	data, err := os.ReadFile(imp.File)
	if err != nil {
		return nil, err
	}
	return keys.Import(data, keys.ImportOptions{Alg: keys.Alg(imp.Alg), KeyID: imp.KID}, now)
}
