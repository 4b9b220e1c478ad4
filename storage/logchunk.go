package storage

import (
	"encoding/binary"
)

// A log chunk is the entries of one issuer that one write appended, in the
// order they were appended. Each entry is Kind, ClientID, Subject, TokenID
// and Data, each an unsigned varint length and the bytes, then IssuedAt as a
// signed varint of stored nanoseconds.

// chunkBits is how many low bits of an entry's Seq hold its index in the
// chunk: a chunk holds fewer than 1<<chunkBits entries.
const chunkBits = 13

// appendEntry appends e's encoding to b.
func appendEntry(b []byte, e *LogEntry) []byte {
	for _, s := range [...]string{e.Kind, e.ClientID, e.Subject, e.TokenID} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(e.Data)))
	b = append(b, e.Data...)
	return binary.AppendVarint(b, nanos(e.IssuedAt))
}

// decodeChunk decodes a chunk of n entries written as chunk seq for issuer.
func decodeChunk(issuer string, seq int64, n int, b []byte) ([]LogEntry, error) {
	out := make([]LogEntry, 0, n)
	for i := range n {
		e := LogEntry{Issuer: issuer, Seq: seq<<chunkBits | int64(i)}
		var ok bool
		for _, dst := range [...]*string{&e.Kind, &e.ClientID, &e.Subject, &e.TokenID} {
			var v []byte
			if v, b, ok = chunkField(b); !ok {
				return nil, errBadChunk
			}
			*dst = string(v)
		}
		if e.Data, b, ok = chunkField(b); !ok {
			return nil, errBadChunk
		}
		if len(e.Data) == 0 {
			e.Data = nil
		}
		ns, k := binary.Varint(b)
		if k <= 0 {
			return nil, errBadChunk
		}
		b = b[k:]
		e.IssuedAt = fromNanos(ns)
		out = append(out, e)
	}
	if len(b) != 0 {
		return nil, errBadChunk
	}
	return out, nil
}

// chunkField reads one length-prefixed field; the bytes are copied so that
// the entry does not hold the whole chunk.
func chunkField(b []byte) (v, rest []byte, ok bool) {
	l, k := binary.Uvarint(b)
	if k <= 0 || l > uint64(len(b)-k) {
		return nil, nil, false
	}
	b = b[k:]
	return append([]byte(nil), b[:l]...), b[l:], true
}
