package issuer

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/testidp/testidp/keys"
)

// Issuer mints the tokens of one OpenID Provider issuer.
type Issuer struct {
	// URL is the issuer identifier, exactly as published in discovery.
	URL string
	// Ring holds the issuer's signing keys.
	Ring *keys.Ring
	// Now is the clock for iat, exp and auth_time defaults.
	Now func() time.Time
}

// New returns an Issuer; now may be nil for time.Now.
func New(url string, ring *keys.Ring, now func() time.Time) *Issuer {
	if now == nil {
		now = time.Now
	}
	return &Issuer{URL: url, Ring: ring, Now: now}
}

// signer picks the key for alg: the ring's active key, the client secret for
// HS256, nothing for none.
func (is *Issuer) signer(alg keys.Alg, secret string) (keys.Signer, error) {
	switch {
	case alg == keys.None:
		return nil, nil
	case alg == keys.HS256:
		k, err := keys.HMAC([]byte(secret))
		if err != nil {
			return nil, fmt.Errorf("%w: HS256 needs the client secret of at least 32 bytes: %v", ErrBadSpec, err)
		}
		return k, nil
	case alg.Asymmetric():
		return is.Ring.Active(alg)
	}
	return nil, fmt.Errorf("%w: alg %q", ErrBadSpec, alg)
}

// header starts a JOSE header for signer s with the given typ.
func header(s keys.Signer, typ string) Claims {
	h := Claims{Members: make([]Member, 0, 4), buf: make([]byte, 0, 128)}
	if s == nil {
		h.SetString("alg", string(keys.None))
	} else {
		h.SetString("alg", string(s.Algorithm()))
		if kid := s.KeyID(); kid != "" {
			h.SetString("kid", kid)
		}
	}
	if typ != "" {
		h.SetString("typ", typ)
	}
	return h
}

// NewID returns a random identifier (jti, session ids): 128 bits, base64url.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return b64.EncodeToString(b[:])
}
