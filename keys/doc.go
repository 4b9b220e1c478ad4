// Package keys owns testidp's signing keys: generating and parsing them (RSA of
// 2048 bits or more, P-256, P-384, Ed25519), naming them (the kid is the RFC
// 7638 thumbprint unless configured), producing JWS signatures in the exact
// encodings JOSE requires, HMAC keys derived from client secrets, and the key
// ring of an issuer with its public JWK Set.
//
// Rotation is data: Policy.Advance, Rotate, Unpublish, EnsureActive and Add
// are pure functions from a ring's keys and a time to the new keys (next →
// active → retired → removed), and Policy.NextChange says when the ring
// changes next. New keys come from a Source: random (RandomSource) or derived
// from a seed (SeedSource; tests only), labelled by their place in the ring's
// history so that a seed reproduces rotations too. Import reads PEM (PKCS#1,
// PKCS#8, SEC1) and JWK / JWK Set files; ExportJWKS and ExportPEM write them.
//
// A Ring is an immutable snapshot behind an atomic pointer: readers (token
// minting, the JWKS endpoint) never lock, and the JWKS bytes are computed once
// per change of the ring, not per request.
//
// keys imports none of testidp's other packages; persistence is the caller's
// job (see Key.MarshalPrivate and Parse).
package keys
