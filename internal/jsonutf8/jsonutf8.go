// Package jsonutf8 finds the text of a JSON document that is not valid
// Unicode: bytes that are not UTF-8, and \u escapes of unpaired UTF-16
// surrogates. encoding/json turns both into U+FFFD without a word, so that
// a body in Latin-1 or a hostile one would be stored as "���"; the API and
// the JSON lead webhooks ask Invalid first and refuse such a body naming
// the field. It imports only the standard library.
package jsonutf8

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Invalid reports whether the JSON text b holds text that is not valid
// Unicode, and where: the path of the value it is in, with object keys
// joined by "." and array indexes in brackets ("address.city",
// "lines[2].description"), as the API names fields. path is "" when the
// bad text is not inside a member's value (a top-level string, a key at
// the top level, or a body that is not JSON there).
func Invalid(b []byte) (path string, bad bool) {
	off := firstInvalid(b)
	if off < 0 {
		return "", false
	}
	return pathAt(b, off), true
}

// firstInvalid returns the offset of the first byte that is not UTF-8 or
// the first \u escape of an unpaired surrogate, or -1.
func firstInvalid(b []byte) int {
	if utf8.Valid(b) && !bytes.Contains(b, []byte(`\u`)) && !bytes.Contains(b, []byte(`\U`)) {
		return -1
	}
	inString := false
	for i := 0; i < len(b); {
		c := b[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				return i
			}
			i += n
			continue
		}
		switch {
		case !inString:
			inString = c == '"'
			i++
		case c == '"':
			inString = false
			i++
		case c == '\\' && i+1 < len(b) && b[i+1] == 'u':
			r, ok := hex4(b[i+2:])
			if !ok {
				i += 2 // malformed: encoding/json reports it
				continue
			}
			if !utf16.IsSurrogate(r) {
				i += 6
				continue
			}
			if r < 0xdc00 && i+12 <= len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
				if lo, ok := hex4(b[i+8:]); ok && lo >= 0xdc00 && lo <= 0xdfff {
					i += 12
					continue
				}
			}
			return i
		case c == '\\':
			i += 2
		default:
			i++
		}
	}
	return -1
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	return rune(n), err == nil
}

// frame is an object or array being read, and where in it the reader is.
type frame struct {
	object  bool
	key     string // the member whose value is being read (objects)
	index   int    // the element being read (arrays)
	wantKey bool   // the next string is a key (objects)
}

// pathAt returns the path of the value that holds offset off.
func pathAt(b []byte, off int) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var stack []*frame
	valueDone := func() {
		if len(stack) == 0 {
			return
		}
		if top := stack[len(stack)-1]; top.object {
			top.wantKey = true
		} else {
			top.index++
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		end := int(dec.InputOffset())
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
			continue
		}
		if len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].wantKey {
			top := stack[len(stack)-1]
			if end > off {
				return join(stack[:len(stack)-1]) // a key: name its object
			}
			top.key, _ = tok.(string)
			top.wantKey = false
			continue
		}
		if end > off {
			return join(stack)
		}
		valueDone()
	}
}

// join writes the path of the frames.
func join(stack []*frame) string {
	var s strings.Builder
	for _, f := range stack {
		if f.object {
			if s.Len() > 0 {
				s.WriteByte('.')
			}
			s.WriteString(f.key)
		} else {
			s.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	return s.String()
}
