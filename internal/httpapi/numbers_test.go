package httpapi_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// unchangedButCounters is unchanged for every item but the counters: a
// lead that failed may have reserved a block of numbers (opportunity
// numbers, round-robin turns), which the instance keeps and gives to the
// next lead. Nor does it count the word items and interest links of a
// contact that does not exist: a new contact's are written just before
// its transaction, and one that failed without an answer (a 500) leaves
// them, which no read lists without their contact (the test checks the
// search itself).
func (e *env) unchangedButCounters(t *testing.T, before []string) {
	t.Helper()
	after := e.snapshot()
	contacts := map[string]bool{}
	for _, s := range after {
		var it struct{ PK, SK, Type string }
		if json.Unmarshal([]byte(s), &it) == nil && it.Type == "CONTACT" && it.SK == "CONTACT" {
			contacts[strings.TrimPrefix(it.PK, "CONTACT#")] = true
		}
	}
	drop := func(items []string) []string {
		return slices.DeleteFunc(slices.Clone(items), func(s string) bool {
			var it struct {
				PK, SK, Type string
				ContactID    string `json:"contactId"`
			}
			if strings.Contains(s, `"PK":"COUNTER"`) {
				return true
			}
			if json.Unmarshal([]byte(s), &it) != nil {
				return false
			}
			switch it.Type {
			case "WORD":
				return !contacts[it.SK[strings.LastIndex(it.SK, "#")+1:]]
			case "INTEREST_LINK":
				return !contacts[it.ContactID]
			}
			return false
		})
	}
	after, was := drop(after), drop(before)
	for _, s := range after {
		if !slices.Contains(was, s) {
			t.Errorf("written: %s", s)
		}
	}
	for _, s := range was {
		if !slices.Contains(after, s) {
			t.Errorf("changed or deleted: %s", s)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}
