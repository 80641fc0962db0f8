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
