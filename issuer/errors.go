package issuer

import "errors"

// Sentinel errors.
var (
	// ErrBadSpec: the token spec is incomplete or contradicts itself.
	ErrBadSpec = errors.New("issuer: invalid token spec")
	// ErrAlgNotAllowed: the algorithm cannot be used for this token.
	ErrAlgNotAllowed = errors.New("issuer: algorithm not allowed here")
)

// ErrUnknownFault: no such fault case or variant.
var ErrUnknownFault = errors.New("issuer: unknown fault")

// ErrFaultNeeds: the case needs something the environment lacks (a client
// secret, an encryption key, a rogue URL…).
var ErrFaultNeeds = errors.New("issuer: fault case cannot be built here")
