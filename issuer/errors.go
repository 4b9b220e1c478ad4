package issuer

import "errors"

// Sentinel errors.
var (
	// ErrBadSpec: the token spec is incomplete or contradicts itself.
	ErrBadSpec = errors.New("issuer: invalid token spec")
	// ErrAlgNotAllowed: the algorithm cannot be used for this token.
	ErrAlgNotAllowed = errors.New("issuer: algorithm not allowed here")
)
