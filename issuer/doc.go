// Package issuer mints every token testidp hands out — valid or deliberately
// broken — without any HTTP.
//
// It owns the claims model (ordered JSON members with raw values, so that
// shapes encoding/json cannot produce, such as duplicate members, stay
// expressible), token lifetimes, the injected clock, the mapping from scopes
// to user claims (OpenID Connect Core §5.4), at_hash and c_hash, and signing
// through package keys: ring keys for RS256, PS256, ES256, ES384 and EdDSA,
// the client secret for HS256 (Core §10.1), and no signature for "none".
//
// Minting is two steps: a Draft (header and payload members plus the signer)
// is built from a spec, then signed. Faults act on the draft, or on its bytes,
// between the two steps.
package issuer
