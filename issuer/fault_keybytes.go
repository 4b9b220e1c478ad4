package issuer

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"

	"github.com/testidp/testidp/keys"
)

// The encodings of a public key that naive verifiers have used as an HMAC
// secret (row 11, alg-confusion-pubkey-hmac).

// keyBytes is one encoding of the issuer's public key.
type keyBytes struct {
	name, desc string
	// alg picks the issuer's key (RS256 or ES256).
	alg keys.Alg
	enc func(k *keys.Key) ([]byte, error)
}

// confusionKeyBytes lists the encodings in the catalog's order.
var confusionKeyBytes = []keyBytes{
	{"spki-pem", "SubjectPublicKeyInfo PEM with its final newline", keys.RS256, spkiPEM(true)},
	{"spki-pem-nonl", "SubjectPublicKeyInfo PEM without the final newline", keys.RS256, spkiPEM(false)},
	{"pkcs1-pem", "PKCS #1 RSAPublicKey PEM (\"RSA PUBLIC KEY\")", keys.RS256, pkcs1PEM},
	{"spki-der", "SubjectPublicKeyInfo DER", keys.RS256, spkiDER},
	{"jwk-json", "its JWK text exactly as published in the JWKS", keys.RS256, jwkText},
	{"openssh", "the OpenSSH authorized_keys line (\"ssh-rsa …\" with its newline)", keys.RS256, openSSH},
	{"modulus", "the raw modulus n, big-endian", keys.RS256, modulus},
	{"ec-spki-pem", "the ES256 key's SubjectPublicKeyInfo PEM with its final newline", keys.ES256, spkiPEM(true)},
	{"ec-jwk-json", "the ES256 key's JWK text exactly as published in the JWKS", keys.ES256, jwkText},
}

func spkiDER(k *keys.Key) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(k.Signer().Public())
	if err != nil {
		return nil, fmt.Errorf("issuer: spki: %w", err)
	}
	return der, nil
}

func spkiPEM(finalNewline bool) func(k *keys.Key) ([]byte, error) {
	return func(k *keys.Key) ([]byte, error) {
		der, err := spkiDER(k)
		if err != nil {
			return nil, err
		}
		p := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		if !finalNewline {
			p = bytes.TrimSuffix(p, []byte("\n"))
		}
		return p, nil
	}
}

func pkcs1PEM(k *keys.Key) ([]byte, error) {
	pub, err := rsaPublic(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}), nil
}

// jwkText is the key's JWK as the ring publishes it.
func jwkText(k *keys.Key) ([]byte, error) {
	b, err := json.Marshal(k.Public())
	if err != nil {
		return nil, fmt.Errorf("issuer: jwk: %w", err)
	}
	return b, nil
}

func modulus(k *keys.Key) ([]byte, error) {
	pub, err := rsaPublic(k)
	if err != nil {
		return nil, err
	}
	return pub.N.Bytes(), nil
}

// openSSH is what ssh.MarshalAuthorizedKey writes for an RSA key: the type,
// a space, base64 of the wire form (string "ssh-rsa", mpint e, mpint n;
// RFC 4253 §6.6) and a newline.
func openSSH(k *keys.Key) ([]byte, error) {
	pub, err := rsaPublic(k)
	if err != nil {
		return nil, err
	}
	var wire []byte
	wire = sshString(wire, []byte("ssh-rsa"))
	wire = sshString(wire, mpint(big.NewInt(int64(pub.E))))
	wire = sshString(wire, mpint(pub.N))
	line := append([]byte("ssh-rsa "), base64.StdEncoding.AppendEncode(nil, wire)...)
	return append(line, '\n'), nil
}

// sshString appends b with its uint32 length (RFC 4251 §5).
func sshString(dst, b []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...)
}

// mpint is a non-negative integer as an SSH mpint body: big-endian, with a
// leading zero byte when the top bit is set (RFC 4251 §5).
func mpint(n *big.Int) []byte {
	b := n.Bytes()
	if len(b) > 0 && b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}

func rsaPublic(k *keys.Key) (*rsa.PublicKey, error) {
	pub, ok := k.Signer().Public().(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("issuer: not an RSA key: " + k.ID)
	}
	return pub, nil
}
