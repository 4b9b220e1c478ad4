// Package keys owns testidp's signing keys: generating and parsing them (RSA of
// 2048 bits or more, P-256, P-384, Ed25519), naming them (the kid is the RFC
// 7638 thumbprint unless configured), producing JWS signatures in the exact
// encodings JOSE requires, HMAC keys derived from client secrets, and the key
// ring of an issuer with its public JWK Set.
//
// A Ring is an immutable snapshot behind an atomic pointer: readers (token
// minting, the JWKS endpoint) never lock, and the JWKS bytes are computed once
// per change of the ring, not per request.
//
// keys imports none of testidp's other packages; persistence is the caller's
// job (see Key.MarshalPrivate and Parse).
package keys
