package issuer

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	josecipher "github.com/go-jose/go-jose/v4/cipher"
)

// Encrypting tokens to the client (rows 23–27). RSA-OAEP and the symmetric
// algorithms go through go-jose's Encrypter. ECDH-ES is assembled here from
// go-jose's primitives (Concat KDF, AES key wrap, CBC-HMAC) because the
// ephemeral key must be chosen: derived from the message, so that the same
// token always encrypts under the same epk (stable golden files), or a
// deliberately invalid point (jwe-epk-invalid-curve).

// jweTarget is what the client registered: alg, enc and the key.
type jweTarget struct {
	alg, enc string
	// key is an *rsa.PublicKey, *ecdsa.PublicKey or []byte (symmetric).
	key any
	kid string
}

// defaultEnc is id_token_encrypted_response_enc's default (Registration §2).
const defaultEnc = "A128CBC-HS256"

// encryptionTarget resolves the client's registration from the environment.
func (e *FaultEnv) encryptionTarget() (jweTarget, error) {
	t := jweTarget{alg: e.EncryptionAlg, enc: e.EncryptionEnc}
	if t.enc == "" {
		t.enc = defaultEnc
	}
	if t.alg == "" && e.EncryptionKey != nil {
		t.alg = e.EncryptionKey.Algorithm
	}
	if symmetricKeyAlg(t.alg) {
		key, err := secretKey(e.spec().Secret, t.alg, t.enc)
		t.key = key
		return t, err
	}
	if e.EncryptionKey == nil {
		return t, wrapNeeds("the client must register ID-token encryption (FaultEnv.EncryptionKey)")
	}
	t.key, t.kid = e.EncryptionKey.Key, e.EncryptionKey.KeyID
	switch t.key.(type) {
	case *rsa.PublicKey:
		if t.alg == "" {
			t.alg = string(jose.RSA_OAEP)
		}
	case *ecdsa.PublicKey:
		if t.alg == "" {
			t.alg = string(jose.ECDH_ES)
		}
	default:
		return t, fmt.Errorf("issuer: encryption key of type %T", t.key)
	}
	return t, nil
}

func symmetricKeyAlg(alg string) bool {
	switch jose.KeyAlgorithm(alg) {
	case jose.A128KW, jose.A192KW, jose.A256KW, jose.DIRECT:
		return true
	}
	return false
}

func ecdhKeyAlg(alg string) bool { return strings.HasPrefix(alg, string(jose.ECDH_ES)) }

// cekSize is the content-encryption key length of enc.
func cekSize(enc string) (int, error) {
	switch jose.ContentEncryption(enc) {
	case jose.A128GCM:
		return 16, nil
	case jose.A192GCM:
		return 24, nil
	case jose.A256GCM, jose.A128CBC_HS256:
		return 32, nil
	case jose.A192CBC_HS384:
		return 48, nil
	case jose.A256CBC_HS512:
		return 64, nil
	}
	return 0, fmt.Errorf("issuer: content encryption %q", enc)
}

// kwSize is the key-wrapping key length of an AES key-wrap alg (0: none).
func kwSize(alg string) int {
	switch {
	case strings.HasSuffix(alg, "A128KW"):
		return 16
	case strings.HasSuffix(alg, "A192KW"):
		return 24
	case strings.HasSuffix(alg, "A256KW"):
		return 32
	}
	return 0
}

// secretKey derives a symmetric key from the client secret: the left-most
// bytes of SHA-256, SHA-384 or SHA-512 of it, by key length (Core §10.2).
func secretKey(secret, alg, enc string) ([]byte, error) {
	if secret == "" {
		return nil, wrapNeeds("symmetric ID-token encryption needs the client secret (FaultEnv.Spec.Secret)")
	}
	n := kwSize(alg)
	if alg == string(jose.DIRECT) {
		var err error
		if n, err = cekSize(enc); err != nil {
			return nil, err
		}
	}
	h := crypto.SHA256
	switch {
	case n > 48:
		h = crypto.SHA512
	case n > 32:
		h = crypto.SHA384
	}
	hh := h.New()
	hh.Write([]byte(secret))
	return hh.Sum(nil)[:n], nil
}

// seal encrypts plaintext to t as a compact JWE with content type cty ("":
// none) and returns it with its protected header.
func (t jweTarget) seal(cty string, plaintext []byte) (string, []byte, error) {
	if ecdhKeyAlg(t.alg) {
		return t.sealECDH(cty, plaintext)
	}
	opts := &jose.EncrypterOptions{}
	if cty != "" {
		opts.WithContentType(jose.ContentType(cty))
	}
	enc, err := jose.NewEncrypter(jose.ContentEncryption(t.enc),
		jose.Recipient{Algorithm: jose.KeyAlgorithm(t.alg), Key: t.key, KeyID: t.kid}, opts)
	if err != nil {
		return "", nil, fmt.Errorf("issuer: jwe: %w", err)
	}
	obj, err := enc.Encrypt(plaintext)
	if err != nil {
		return "", nil, fmt.Errorf("issuer: jwe: %w", err)
	}
	tok, err := obj.CompactSerialize()
	if err != nil {
		return "", nil, fmt.Errorf("issuer: jwe: %w", err)
	}
	header, err := b64.DecodeString(tok[:strings.IndexByte(tok, '.')])
	return tok, header, err
}

// sealECDH agrees on a key with an ephemeral key derived from the message
// and the recipient key (RFC 6979 in spirit: fresh for every distinct
// token, reproducible for the same one).
func (t jweTarget) sealECDH(cty string, plaintext []byte) (string, []byte, error) {
	pub, ok := t.key.(*ecdsa.PublicKey)
	if !ok {
		return "", nil, fmt.Errorf("issuer: %s needs an EC key, not %T", t.alg, t.key)
	}
	rp, err := pub.ECDH()
	if err != nil {
		return "", nil, fmt.Errorf("issuer: encryption key: %w", err)
	}
	eph, err := derivedECDHKey(rp.Curve(), rp.Bytes(), plaintext)
	if err != nil {
		return "", nil, err
	}
	z, err := eph.ECDH(rp)
	if err != nil {
		return "", nil, fmt.Errorf("issuer: ecdh: %w", err)
	}
	p := eph.PublicKey().Bytes() // 0x04 ‖ x ‖ y
	size := (len(p) - 1) / 2
	epk := ecJWK(pub.Curve.Params().Name, p[1:1+size], p[1+size:])
	return t.sealWithEPK(cty, plaintext, epk, z)
}

// derivedECDHKey is a private key on curve from SHA-256 over a label,
// material and a counter (retried until the scalar is in range).
func derivedECDHKey(curve ecdh.Curve, material ...[]byte) (*ecdh.PrivateKey, error) {
	size := 32
	switch curve {
	case ecdh.P384():
		size = 48
	case ecdh.P521():
		size = 66
	}
	for ctr := uint32(0); ctr < 64; ctr++ {
		var scalar []byte
		for block := uint32(0); len(scalar) < size; block++ {
			h := sha256.New()
			h.Write([]byte("testidp jwe epk"))
			for _, m := range material {
				h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(m))))
				h.Write(m)
			}
			h.Write(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, ctr), block))
			scalar = h.Sum(scalar)
		}
		scalar = scalar[:size]
		if size == 66 {
			scalar[0] &= 1 // P-521 scalars have 521 bits
		}
		if k, err := curve.NewPrivateKey(scalar); err == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("issuer: no ephemeral key for %v", curve)
}

// ecJWK is the JSON of a public EC JWK with the given coordinates.
func ecJWK(crv string, x, y []byte) []byte {
	return fmt.Appendf(nil, `{"kty":"EC","crv":%q,"x":%q,"y":%q}`, crv, b64.EncodeToString(x), b64.EncodeToString(y))
}

// sealWithEPK builds an ECDH-ES JWE whose header carries epk (raw JSON) and
// whose key is derived from the shared secret z (RFC 7518 §4.6).
func (t jweTarget) sealWithEPK(cty string, plaintext, epk, z []byte) (string, []byte, error) {
	n, err := cekSize(t.enc)
	if err != nil {
		return "", nil, err
	}
	algID, keyLen := t.enc, n
	if kw := kwSize(t.alg); kw != 0 {
		algID, keyLen = t.alg, kw
	}
	derived := concatKDF(z, algID, keyLen)
	cek, encryptedKey := derived, []byte(nil)
	if kwSize(t.alg) != 0 {
		cek = make([]byte, n)
		if _, err := rand.Read(cek); err != nil {
			return "", nil, err
		}
		block, err := aes.NewCipher(derived)
		if err != nil {
			return "", nil, err
		}
		if encryptedKey, err = josecipher.KeyWrap(block, cek); err != nil {
			return "", nil, err
		}
	}
	header := fmt.Appendf(nil, `{"alg":%q,"enc":%q`, t.alg, t.enc)
	if cty != "" {
		header = fmt.Appendf(header, `,"cty":%q`, cty)
	}
	if t.kid != "" {
		header = fmt.Appendf(header, `,"kid":%q`, t.kid)
	}
	header = append(append(append(header, `,"epk":`...), epk...), '}')
	tok, err := compactJWE(header, encryptedKey, t.enc, cek, plaintext)
	return tok, header, err
}

// concatKDF is RFC 7518 §4.6.2's key derivation with empty apu and apv.
func concatKDF(z []byte, algID string, keyLen int) []byte {
	lp := func(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
	bits := binary.BigEndian.AppendUint32(nil, uint32(keyLen)*8)
	out := make([]byte, keyLen)
	_, _ = josecipher.NewConcatKDF(crypto.SHA256, z, lp([]byte(algID)), lp(nil), lp(nil), bits, nil).Read(out)
	return out
}

// compactJWE encrypts plaintext under cek with enc and assembles the five
// parts (RFC 7516 §7.1); the AAD is the encoded protected header.
func compactJWE(header, encryptedKey []byte, enc string, cek, plaintext []byte) (string, error) {
	aead, err := contentCipher(enc, cek)
	if err != nil {
		return "", err
	}
	iv := make([]byte, aead.NonceSize())
	if _, err := rand.Read(iv); err != nil {
		return "", err
	}
	protected := b64.EncodeToString(header)
	sealed := aead.Seal(nil, iv, plaintext, []byte(protected))
	tagLen := aead.Overhead()
	if strings.Contains(enc, "CBC") {
		tagLen = len(cek) / 2
	}
	ct, tag := sealed[:len(sealed)-tagLen], sealed[len(sealed)-tagLen:]
	return strings.Join([]string{protected, b64.EncodeToString(encryptedKey), b64.EncodeToString(iv),
		b64.EncodeToString(ct), b64.EncodeToString(tag)}, "."), nil
}

// contentCipher is the AEAD of enc: AES-GCM, or go-jose's AES-CBC with
// HMAC-SHA-2 (RFC 7518 §5.2).
func contentCipher(enc string, cek []byte) (cipher.AEAD, error) {
	if strings.Contains(enc, "CBC") {
		return josecipher.NewCBCHMAC(cek, aes.NewCipher)
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
