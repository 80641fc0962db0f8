package notify

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Madrid, also where the system has no zone files

	"github.com/embudo/embudo/internal/crm"
)

// The reminder e-mail shows the aviso in the company time zone with its
// name (issue 10 item 14), in the text and the HTML parts.
func TestRenderAvisoNamesTheTimeZone(t *testing.T) {
	for lang, want := range map[string]string{
		"es": "5 de marzo de 2026, 09:30 (CET, Europe/Madrid)",
		"en": "March 5, 2026, 9:30 AM (CET, Europe/Madrid)",
	} {
		m := base(crm.NotifyNote, lang)
		m.TimeZone, _ = time.LoadLocation("Europe/Madrid")
		r, err := Render(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.Text, want) || !strings.Contains(r.HTML, want) {
			t.Errorf("%s: no %q in\n%s\n%s", lang, want, r.Text, r.HTML)
		}
	}
	m := base(crm.NotifyNote, "en")
	m.TimeZone = time.UTC
	if r, _ := Render(m, nil); !strings.Contains(r.Text, "March 5, 2026, 8:30 AM (UTC)") {
		t.Errorf("UTC is named once:\n%s", r.Text)
	}
}
