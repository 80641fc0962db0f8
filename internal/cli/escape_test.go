package cli

import (
	"strings"
	"testing"
)

// hostile is a lead's name that retitles a terminal and clears its screen.
const hostile = "\x1b]0;PWNED\x07\x1b[2J"

// Control characters already stored are shown as visible escapes in tables
// and plain output, never sent to the terminal; --json keeps the API's
// JSON, where they are escaped anyway (issue 10 item 4).
func TestStoredControlCharactersAreShownEscaped(t *testing.T) {
	contact := `{"id":"01C","name":"\u001b]0;PWNED\u0007\u001b[2J","surname":"P\u009bérez","company":"A\tB","observations":"one\ntwo\u007f",` +
		`"address":{"city":"\u001bX"},"createdAt":"2026-01-02T10:00:00Z"}`
	_, flags := serveFake(t, map[string]string{
		"GET /v1/contacts":              `{"items":[` + contact + `]}`,
		"GET /v1/contacts/01C":          contact,
		"GET /v1/contacts/01C/timeline": `{"items":[{"at":"2026-01-02T10:00:00Z","kind":"created","summary":"Lead \u001b[31mred","actor":""}]}`,
	})
	for _, args := range [][]string{{"contacts", "list"}, {"contacts", "show", "01C"}} {
		out := runFake(t, flags, args...)
		if strings.ContainsFunc(out, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r < 0xa0 }) {
			t.Errorf("%v printed control characters:\n%q", args, out)
		}
		if !strings.Contains(out, `\x1b]0;PWNED\x07\x1b[2J`) || !strings.Contains(out, `P\u009bérez`) {
			t.Errorf("%v does not show the escapes:\n%s", args, out)
		}
	}
	if out := runFake(t, flags, "contacts", "show", "01C"); !strings.Contains(out, `one\ntwo\x7f`) && !strings.Contains(out, "two\\x7f") ||
		!strings.Contains(out, `\x1bX`) || !strings.Contains(out, `Lead \x1b[31mred`) {
		t.Errorf("contacts show:\n%s", out)
	}
	if out := runFake(t, append(flags, "--json"), "contacts", "list"); !strings.Contains(out, `\u001b]0;PWNED\u0007\u001b[2J`) {
		t.Errorf("--json is not the API's JSON:\n%s", out)
	}
	if got := visible(hostile + "\tok\n"); got != `\x1b]0;PWNED\x07\x1b[2J`+"\tok\n" {
		t.Errorf("visible: %q", got)
	}
}
