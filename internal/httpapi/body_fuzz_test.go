package httpapi

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// Request bodies are outside input: any bytes must give either a decoded
// contact or an invalid/too_large error naming a field, never a panic.
func FuzzContactBody(f *testing.F) {
	for _, s := range []string{
		`{"name":"José","email":"a@b.es","address":{"city":"Madrid"},"interestIds":["x"]}`,
		`{"name":3}`, `{"address":{"town":"x"}}`, `[]`, `null`, `{"name":"a"} {}`, `{"attribution":{"utmSource":1}}`, "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := httptest.NewRequest("POST", "/v1/contacts", bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
		body, err := readBody(r)
		if err == nil {
			var fields contactFields
			err = decodeInto(body, &fields)
		}
		if err == nil {
			return
		}
		e, ok := err.(*crm.Error)
		if !ok || (e.Code != crm.CodeInvalid && e.Code != crm.CodeTooLarge) {
			t.Fatalf("unexpected error %v", err)
		}
		if e.Code == crm.CodeInvalid && len(e.Fields) == 0 {
			t.Fatalf("invalid error names no field: %v", err)
		}
	})
}
