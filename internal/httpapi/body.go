package httpapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/jsonutf8"
)

// MaxBodyBytes is the largest request body the API reads.
const MaxBodyBytes = 1 << 20

// MsgNotUTF8 is the problem of a field whose text is not valid UTF-8 (bytes
// of another encoding, or an unpaired surrogate escape); a body with such
// text outside any field's value names "body".
const MsgNotUTF8 = "is not valid UTF-8"

// readBody reads a JSON request body of at most MaxBodyBytes and checks that
// it is one JSON object whose text is valid UTF-8. Errors: invalid (content
// type, malformed JSON, text that is not UTF-8: MsgNotUTF8 naming the
// field), too_large.
func readBody(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, crm.InvalidField("Content-Type", "must be application/json")
		}
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, crm.InvalidField("body", "could not be read")
	}
	if len(b) > MaxBodyBytes {
		return nil, tooLarge()
	}
	if path, bad := jsonutf8.Invalid(b); bad {
		return nil, crm.InvalidField(cmp.Or(path, "body"), MsgNotUTF8)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, jsonError(err)
	}
	if obj == nil {
		return nil, crm.InvalidField("body", "must be a JSON object")
	}
	return b, nil
}

// decodeBody reads the request's JSON object and decodes it onto v: readBody
// then decodeInto, with their errors (invalid, too_large).
func decodeBody(r *http.Request, v any) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeInto(b, v)
}

func tooLarge() error {
	return &crm.Error{Code: crm.CodeTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", MaxBodyBytes)}
}

// decodeInto decodes a JSON object onto v (fields not in the body keep
// their values in v), refusing unknown fields and trailing data.
func decodeInto(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			if path := unknownFieldPath(b, reflect.TypeOf(v)); path != "" {
				return crm.InvalidField(path, "is not a known field")
			}
		}
		return jsonError(err)
	}
	if dec.More() {
		return crm.InvalidField("body", "has data after the JSON object")
	}
	return nil
}

// jsonError turns a decoding error into an invalid error naming the field.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return crm.InvalidField("body", fmt.Sprintf("is not valid JSON (at byte %d)", syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return crm.InvalidField(field, "must be "+jsonKind(typ.Type.Kind().String()))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return crm.InvalidField("body", "is empty or cut short")
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		name := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return crm.InvalidField(name, "is not a known field")
	}
	return crm.InvalidField("body", "is not valid JSON")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "int32", "uint", "uint64":
		return "an integer"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a " + k
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
