package issuer

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Member is one name/value pair of a JSON object; Value is raw JSON.
type Member struct {
	Name  string
	Value json.RawMessage
}

// Claims is a JSON object kept as ordered members with raw JSON values. Unlike
// a map it keeps the order members were added in and can hold the same name
// twice (see Append), which broken tokens need.
type Claims struct {
	Members []Member
	// buf backs the values set by SetString and SetInt, so that building a
	// token costs one allocation, not one per claim. Values are never
	// modified in place, so slices of an outgrown buf stay valid.
	buf []byte
}

// SetRaw sets name to the raw JSON value, replacing the first member of that
// name in place, or appending.
func (c *Claims) SetRaw(name string, raw []byte) {
	for i := range c.Members {
		if c.Members[i].Name == name {
			c.Members[i].Value = raw
			return
		}
	}
	c.Members = append(c.Members, Member{Name: name, Value: raw})
}

// Append adds a member even if the name is already present.
func (c *Claims) Append(name string, raw []byte) {
	c.Members = append(c.Members, Member{Name: name, Value: raw})
}

// Set encodes v with encoding/json and sets it.
func (c *Claims) Set(name string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("issuer: claim %q: %w", name, err)
	}
	c.SetRaw(name, raw)
	return nil
}

// SetString sets a JSON string value without reflection.
func (c *Claims) SetString(name, v string) {
	start := c.grow(len(v) + 2)
	c.buf = appendString(c.buf, v)
	c.SetRaw(name, c.buf[start:len(c.buf):len(c.buf)])
}

// SetInt sets a JSON integer value.
func (c *Claims) SetInt(name string, v int64) {
	start := c.grow(20)
	c.buf = strconv.AppendInt(c.buf, v, 10)
	c.SetRaw(name, c.buf[start:len(c.buf):len(c.buf)])
}

// grow makes room for about n more bytes in buf and returns its length.
func (c *Claims) grow(n int) int {
	if cap(c.buf)-len(c.buf) < n {
		c.buf = make([]byte, 0, max(256, 2*n))
	}
	return len(c.buf)
}

// SetStrings sets a JSON array of strings.
func (c *Claims) SetStrings(name string, vs []string) {
	b := []byte{'['}
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	c.SetRaw(name, append(b, ']'))
}

// SetAudience sets "aud": a plain string for one audience, an array otherwise
// (RFC 7519 §4.1.3).
func (c *Claims) SetAudience(aud []string) {
	if len(aud) == 1 {
		c.SetString("aud", aud[0])
		return
	}
	c.SetStrings("aud", aud)
}

// Merge sets every entry of m, in sorted key order so output is stable.
func (c *Claims) Merge(m map[string]any) error {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := c.Set(k, m[k]); err != nil {
			return err
		}
	}
	return nil
}

// Get returns the raw value of the first member named name.
func (c *Claims) Get(name string) (json.RawMessage, bool) {
	for _, m := range c.Members {
		if m.Name == name {
			return m.Value, true
		}
	}
	return nil, false
}

// Delete removes every member named name.
func (c *Claims) Delete(name string) {
	out := c.Members[:0]
	for _, m := range c.Members {
		if m.Name != name {
			out = append(out, m)
		}
	}
	c.Members = out
}

// Clone returns an independent copy of the member list (values are shared,
// they are never modified in place).
func (c *Claims) Clone() Claims {
	return Claims{Members: append([]Member(nil), c.Members...)}
}

// MarshalJSON writes the members in order, without re-encoding their values.
func (c Claims) MarshalJSON() ([]byte, error) { return c.AppendJSON(nil), nil }

// jsonSize is the length of the object's JSON text when no member name
// needs escaping.
func (c *Claims) jsonSize() int {
	n := 2
	for _, m := range c.Members {
		n += len(m.Name) + len(m.Value) + 4
	}
	return n
}

// AppendJSON appends the object's JSON text to b.
func (c Claims) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, m := range c.Members {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, m.Name)
		b = append(b, ':')
		b = append(b, m.Value...)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// in encoding/json.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
