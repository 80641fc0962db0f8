package crm

import "testing"

func TestStripControls(t *testing.T) {
	for in, want := range map[string]string{
		"Ana":                           "Ana",
		"\x1b]0;PWNED\x07\x1b[2J":       "]0;PWNED[2J",
		"línea 1\r\nlínea 2\n\tfin":     "línea 1\nlínea 2\n\tfin",
		"safe\rEVIL":                    "safeEVIL",
		"a\x00b\x7fc\u0085d\u009be\x08": "abcde",
		"José \u200b Pérez":             "José \u200b Pérez", // not a control character (Cf): kept
	} {
		if got := StripControls(in); got != want {
			t.Errorf("StripControls(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTextRefusesControls(t *testing.T) {
	for _, s := range []string{"a\x1bb", "a\rb", "a\x00b", "a\x7fb", "a\u0085b", "a\u009bb"} {
		c := Contact{Name: "Ana", Observations: s}
		if got := FieldsOf(c.Normalize("ES"))["observations"]; got != MsgControlCharacters {
			t.Errorf("observations %q: problem %q", s, got)
		}
	}
	c := Contact{Name: "Ana", Observations: " uno\r\ndos\n\ttres "}
	if err := c.Normalize("ES"); err != nil || c.Observations != "uno\ndos\n\ttres" {
		t.Errorf("observations %q, %v: CRLF is a newline, tab and newline stay", c.Observations, err)
	}
}

func TestLeadControlsStripped(t *testing.T) {
	l := Lead{Name: "Ana\x1b[2J", Message: "hola\r\nadiós\x07", Interests: []string{"placas\x1b"},
		Extra: map[string]string{"nota\x1b": "a\x00", "nota": "b"}}
	cleanLead(&l, "ES")
	if l.Name != "Ana[2J" || l.Message != "hola\nadiós" || l.Interests[0] != "placas" || l.Extra["nota"] != "b, a" || len(l.Extra) != 1 {
		t.Errorf("lead %+v", l)
	}
}
