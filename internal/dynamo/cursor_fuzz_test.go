package dynamo

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// A cursor comes back from the client: whatever it holds, decoding must
// not panic, must fail only with an invalid error naming "cursor", and a
// cursor it accepts must be one this path could have made.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(map[string]types.AttributeValue{attrPK: str("CONTACT#1"), attrSK: str("CONTACT"), "GSI1PK": str("CONTACT"), "GSI1SK": str("1")}, "all"))
	f.Add("eyJwIjoiYWxsIn0")
	f.Add("")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := decodeCursor(s, "all")
		if err != nil {
			if e, ok := err.(*crm.Error); !ok || e.Code != crm.CodeInvalid || e.Fields["cursor"] == "" {
				t.Fatalf("bad cursor error: %v", err)
			}
			return
		}
		if s != "" && (k[attrPK] == nil || k[attrSK] == nil) {
			t.Fatalf("accepted a cursor without the table key: %v", k)
		}
	})
}

// A cursor the client altered or took from another list is refused as an
// invalid "cursor", never passed to DynamoDB as a start key.
func TestDecodeCursorRefusesForgedCursors(t *testing.T) {
	pos := map[string]types.AttributeValue{attrPK: str("CONTACT#1"), attrSK: str("CONTACT"), "GSI1PK": str("CONTACT"), "GSI1SK": str("1")}
	good := encodeCursor(pos, "all")
	if k, err := decodeCursor(good, "all"); err != nil || len(k) != len(pos) {
		t.Fatalf("own cursor: %v %v", k, err)
	}
	other := map[string]types.AttributeValue{attrPK: str("CONTACT#1"), attrSK: str("CONTACT"), "email": str("ana@example.com")}
	for name, c := range map[string]struct{ cursor, path string }{
		"another list":          {good, "name"},
		"altered":               {good + "A", "all"},
		"without a position":    {"eyJwIjoiYWxsIn0", "all"}, // {"p":"all"}
		"not a key attribute":   {encodeCursor(other, "all"), "all"},
		"without the table key": {encodeCursor(map[string]types.AttributeValue{"GSI1PK": str("CONTACT"), "GSI1SK": str("1")}, "all"), "all"},
	} {
		_, err := decodeCursor(c.cursor, c.path)
		if e, ok := err.(*crm.Error); !ok || e.Code != crm.CodeInvalid || e.Fields["cursor"] == "" {
			t.Errorf("%s: %v, want invalid naming cursor", name, err)
		}
	}
}
