package sqlite

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// A cursor comes back from the client: whatever it holds, decoding must not
// panic, must fail only with an invalid error naming "cursor", and a cursor
// it accepts must be one of this path.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor("contacts", "01J0000000000000000000000"))
	f.Add(encodeCursor("contacts-agent:x", "01J0000000000000000000000"))
	f.Add("eyJwIjoiY29udGFjdHMifQ")
	f.Add("")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := decodeCursor(s, "contacts")
		if err != nil {
			if e, ok := err.(*crm.Error); !ok || e.Code != crm.CodeInvalid || e.Fields["cursor"] == "" {
				t.Fatalf("bad cursor error: %v", err)
			}
			return
		}
		if s != "" && (k == "" || encodeCursor("contacts", k) == "") {
			t.Fatalf("accepted a cursor without a position: %q", s)
		}
	})
}
