package cli

import (
	"strings"
	"testing"
	"time"
)

// Reminder times are shown in the company time zone the API names, with
// its name, whatever this computer's zone; the API's warning about an
// aviso in the past is printed (issue 10 item 14).
func TestRemindersInTheCompanyTimeZone(t *testing.T) {
	local := time.Local
	time.Local = time.FixedZone("XYZ", -5*3600)
	t.Cleanup(func() { time.Local = local })
	note := `{"id":"01N","parentKind":"contact","parentId":"01C","text":"Llamar","visibility":"team","avisoAt":"2026-12-01T08:00:00Z",` +
		`"remindAll":false,"notifiedAt":null,"timeZone":"Europe/Madrid"`
	_, flags := serveFake(t, map[string]string{
		"POST /v1/contacts/01C/notes": note + `,"warnings":["avisoAt is in the past: the reminder is sent now"]}`,
		"GET /v1/reminders":           `{"items":[` + note + `}]}`,
		"GET /v1/contacts/01C/notes":  `{"items":[` + note + `}]}`,
	})
	const want = "2026-12-01 09:00 (CET, Europe/Madrid)"
	out, errs := runFakeBoth(t, flags, "notes", "add", "--contact", "01C", "--text", "Llamar", "--aviso", "2026-12-01")
	if !strings.Contains(out, "reminder at "+want) {
		t.Errorf("notes add:\n%s", out)
	}
	if !strings.Contains(errs, "warning: avisoAt is in the past: the reminder is sent now") {
		t.Errorf("notes add does not print the warning:\n%s", errs)
	}
	for _, args := range [][]string{{"reminders"}, {"notes", "list", "--contact", "01C"}} {
		if out := runFake(t, flags, args...); !strings.Contains(out, want) {
			t.Errorf("%v:\n%s", args, out)
		}
	}
}
