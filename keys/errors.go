package keys

import (
	"errors"
	"fmt"
)

// Sentinel errors.
var (
	// ErrUnsupportedAlg: the algorithm is not one testidp signs with.
	ErrUnsupportedAlg = errors.New("keys: unsupported algorithm")
	// ErrNoKey: the ring holds no active key for the requested algorithm.
	ErrNoKey = errors.New("keys: no active key for algorithm")
	// ErrKeyMismatch: key material does not fit the algorithm it is used with.
	ErrKeyMismatch = errors.New("keys: key does not fit algorithm")
	// ErrWeakSecret: an HMAC secret shorter than the hash output (RFC 7518 §3.2).
	ErrWeakSecret = errors.New("keys: hmac secret shorter than 32 bytes")
	// ErrUnknownKid: no key of the ring has the kid.
	ErrUnknownKid = errors.New("keys: no key with kid")
	// ErrKidInUse: a new key's kid already names another key of the ring.
	ErrKidInUse = errors.New("keys: kid already in use")
	// ErrActiveKey: the operation would leave an algorithm's signing key
	// unpublished.
	ErrActiveKey = errors.New("keys: key is the active key of its algorithm")
	// ErrNoPrivateKey: imported material holds no private key.
	ErrNoPrivateKey = errors.New("keys: no private key")
)

// NoKeyError says which algorithm has no active key; errors.Is(err,
// ErrNoKey) holds for it.
type NoKeyError struct{ Alg Alg }

func (e *NoKeyError) Error() string { return fmt.Sprintf("%v %s", ErrNoKey, e.Alg) }

// Is makes errors.Is(err, ErrNoKey) true.
func (e *NoKeyError) Is(target error) bool { return target == ErrNoKey }
