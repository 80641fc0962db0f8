package csvsafe

import "testing"

func TestTextAndRestore(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x","clic")`: `'=HYPERLINK("http://x","clic")`,
		`+cmd|' /C calc'!A0`:            `'+cmd|' /C calc'!A0`,
		`@SUM(1+1)`:                     `'@SUM(1+1)`,
		"-5":                            "'-5",
		"\t=1+1":                        "'\t=1+1",
		"\r=1+1":                        "'\r=1+1",
		"'=1+1":                         "''=1+1",
		"''@x":                          "'''@x",
		"José Pérez":                    "José Pérez",
		"a=b":                           "a=b",
		"'quoted'":                      "'quoted'",
		"'":                             "'",
		"":                              "",
		" =1":                           " =1",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
		if got := Restore(Text(in)); got != in {
			t.Errorf("Restore(Text(%q)) = %q", in, got)
		}
	}
	for in, want := range map[string]string{"'-5": "-5", "'quoted": "'quoted", "+34600": "+34600", "'": "'"} {
		if got := Restore(in); got != want {
			t.Errorf("Restore(%q) = %q, want %q", in, got, want)
		}
	}
}
