package leads

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// urlencodedFields splits an application/x-www-form-urlencoded body into
// its fields, in order, each name and value made text by formText. Unlike
// url.ParseQuery it keeps the order (so the first of several values wins
// predictably) and treats ";" as data.
func urlencodedFields(body []byte) ([]field, error) {
	var out []field
	for part := range strings.SplitSeq(string(body), "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, crm.InvalidField("body", "is not valid application/x-www-form-urlencoded (bad %-escape)")
		}
		out = append(out, field{key: formText(key), values: []string{formText(val)}})
	}
	return out, nil
}

// multipartFields reads the non-file parts of a multipart/form-data body,
// each name and value made text by formText.
func multipartFields(boundary string, body []byte) ([]field, error) {
	if boundary == "" {
		return nil, crm.InvalidField("Content-Type", "multipart/form-data needs a boundary parameter")
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	var out []field
	for parts := 0; ; parts++ {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			if parts == 0 && len(bytes.TrimSpace(body)) > 0 {
				return nil, crm.InvalidField("body", "has no part with the boundary of the Content-Type")
			}
			return out, nil
		}
		if err != nil {
			return nil, crm.InvalidField("body", "is not valid multipart/form-data")
		}
		name, file := p.FormName(), p.FileName() != ""
		v, err := io.ReadAll(p)
		if err != nil {
			return nil, crm.InvalidField("body", "is not valid multipart/form-data")
		}
		if name != "" && !file {
			out = append(out, field{key: formText(name), values: []string{formText(string(v))}})
		}
	}
}

// jsonFields reads a JSON object whose values are strings, numbers,
// booleans, nulls (skipped) or arrays of those, in order.
func jsonFields(body []byte) ([]field, error) {
	if err := checkUTF8(body); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, crm.InvalidField("body", "must be a JSON object")
	}
	var out []field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, badJSON(err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, badJSON(err)
		}
		values, ok := jsonScalars(raw, true)
		if !ok {
			return nil, crm.InvalidField("body", fmt.Sprintf("field %q must be a string, number, boolean or an array of them", truncate(key, MaxExtraKeyLen)))
		}
		out = append(out, field{key: key, values: values})
	}
	if _, err := dec.Token(); err != nil {
		return nil, badJSON(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, crm.InvalidField("body", "has data after the JSON object")
	}
	return out, nil
}

// jsonScalars returns the text of a JSON scalar (numbers as written, so
// long IDs keep every digit), or of each scalar of an array when arrays
// are allowed. ok is false for an object or a nested array.
func jsonScalars(raw json.RawMessage, arrays bool) (values []string, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case '{':
		return nil, false
	case '[':
		if !arrays {
			return nil, false
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, false
		}
		for _, it := range items {
			v, ok := jsonScalars(it, false)
			if !ok {
				return nil, false
			}
			values = append(values, v...)
		}
		return values, true
	case 'n':
		return nil, true
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, false
		}
		return []string{s}, true
	}
	return []string{string(raw)}, true // true, false or a number
}

// badJSON is the invalid error for a body that is not well-formed JSON.
func badJSON(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return crm.InvalidField("body", fmt.Sprintf("is not valid JSON (at byte %d): %s", se.Offset, se.Error()))
	}
	return crm.InvalidField("body", "is not valid JSON")
}

// errInvalidBody is the invalid error naming "body".
func errInvalidBody(problem string) error { return crm.InvalidField("body", problem) }
