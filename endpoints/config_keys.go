package endpoints

import "time"

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
