package leads

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/jsonutf8"
)

// jsonText is a JSON string, number or boolean kept as text: numbers as
// written (IDs above 2^53 keep every digit), booleans as "true"/"false",
// null as "". Senders disagree on whether IDs are numbers or strings.
type jsonText string

// UnmarshalJSON implements json.Unmarshaler.
func (t *jsonText) UnmarshalJSON(b []byte) error {
	v, ok := jsonScalars(b, false)
	if !ok {
		kind := "object"
		if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
			kind = "array"
		}
		return &json.UnmarshalTypeError{Value: kind, Type: reflect.TypeFor[string]()}
	}
	*t = ""
	if len(v) == 1 {
		*t = jsonText(v[0])
	}
	return nil
}

// String returns the text, trimmed.
func (t jsonText) String() string { return clean(string(t)) }

// jsonBool is a JSON boolean that also accepts "true"/"false", 1/0 and
// null (false).
type jsonBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (v *jsonBool) UnmarshalJSON(b []byte) error {
	var t jsonText
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	*v = jsonBool(truthy(t.String()))
	return nil
}

// jsonUnix is a time as Unix seconds: a JSON number (fractions dropped), a
// string of digits, or an ISO 8601 string. Anything else reads as 0.
type jsonUnix int64

// UnmarshalJSON implements json.Unmarshaler.
func (u *jsonUnix) UnmarshalJSON(b []byte) error {
	var t jsonText
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	*u = jsonUnix(unixSeconds(t.String()))
	return nil
}

// unixSeconds reads s as Unix seconds or an ISO 8601 time, else 0.
func unixSeconds(s string) int64 {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && f > math.MinInt64 && f < math.MaxInt64 {
		return int64(f)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05Z0700"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm.Unix()
		}
	}
	return 0
}

// decodeObject unmarshals a body that must be one JSON object into v.
// Errors: invalid, naming "body" or the field whose text is not valid
// UTF-8.
func decodeObject(body []byte, v any) error {
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return errInvalidBody("must be a JSON object")
	}
	if err := checkUTF8(body); err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return badJSON(err)
		case errors.As(err, &te) && te.Field != "":
			return errInvalidBody("field " + strconv.Quote(te.Field) + " has the wrong type (" + te.Value + ")")
		}
		return errInvalidBody("is not the expected JSON: " + strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// checkUTF8 refuses a JSON body whose text is not valid UTF-8 (or holds an
// unpaired surrogate escape), naming the field it is in: encoding/json
// would silently make it U+FFFD. Errors: invalid.
func checkUTF8(body []byte) error {
	if path, bad := jsonutf8.Invalid(body); bad {
		return crm.InvalidField(cmp.Or(path, "body"), "is not valid UTF-8")
	}
	return nil
}
