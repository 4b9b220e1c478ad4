package endpoints

import "encoding/json"

// jsonPlain marks the bytes a JSON string holds as they are: printable
// ASCII other than '"' and '\', and other than '<', '>' and '&', which
// encoding/json escapes.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONString appends s as a JSON string. The hot path's values (token
// values, key ids, algorithm and grant names) need no escaping and are
// copied as they are; anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
