package leads

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// wantInvalid checks that err is a crm invalid error naming field.
func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var e *crm.Error
	if !errors.As(err, &e) || e.Code != crm.CodeInvalid {
		t.Fatalf("err %v, want invalid", err)
	}
	if _, ok := e.Fields[field]; !ok {
		t.Fatalf("err %v does not name %q", err, field)
	}
}

// sameLead compares two leads, showing both as JSON when they differ.
func sameLead(t *testing.T, got, want crm.Lead) {
	t.Helper()
	if len(want.Extra) == 0 {
		want.Extra = nil
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("lead\n got %s\nwant %s", g, w)
	}
}
