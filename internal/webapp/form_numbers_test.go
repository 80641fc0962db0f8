package webapp

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// TestReadDecimal: numbers read as each language types them, the
// thousands rule included; static/quote.js follows the same rules (the
// quote page's browser test compares the two).
func TestReadDecimal(t *testing.T) {
	for _, c := range []struct {
		lang, in string
		scale    int
		want     int64
		ok       bool
	}{
		{crm.LangES, "1234,56", 2, 123456, true},
		{crm.LangES, "1.234,56", 2, 123456, true},
		{crm.LangES, "1.234.567", 2, 123456700, true},
		{crm.LangES, "1.500", 2, 150000, true}, // thousands
		{crm.LangES, "1.5", 2, 150, true},      // a decimal point
		{crm.LangES, "12.50", 2, 1250, true},   // two decimals: a decimal point
		{crm.LangES, "0.125", 3, 125, true},    // leading zero: a decimal
		{crm.LangES, "1,500", 3, 1500, true},   // the Spanish decimal comma
		{crm.LangEN, "1,500", 2, 150000, true}, // English thousands
		{crm.LangEN, "1,234.5", 2, 123450, true},
		{crm.LangEN, "12,5", 2, 1250, true},
		{crm.LangES, " 3.500,00 € ", 2, 350000, true},
		{crm.LangES, "21 %", 2, 2100, true},
		{crm.LangES, "-10,5", 2, -1050, true},
		{crm.LangES, "7", 0, 7, true},
		{crm.LangES, "", 2, 0, false},
		{crm.LangES, "-", 2, 0, false},
		{crm.LangES, "1,234", 2, 0, false}, // three decimals at scale 2
		{crm.LangES, "1.2.3", 2, 0, false}, // groups of one digit
		{crm.LangES, "1.234,5,6", 2, 0, false},
		{crm.LangES, "12a", 2, 0, false},
		{crm.LangES, ",5", 2, 0, false},
		{crm.LangES, "1e3", 2, 0, false},
		{crm.LangES, "1234.567.890", 2, 0, false}, // a first group of four
	} {
		got, ok := readDecimal(c.lang, c.in, c.scale)
		if ok != c.ok || got != c.want {
			t.Errorf("readDecimal(%s, %q, %d) = %d, %v; want %d, %v", c.lang, c.in, c.scale, got, ok, c.want, c.ok)
		}
	}
}

// TestWriteDecimalReadsBack: what a form is filled with reads back as the
// same number in its language.
func TestWriteDecimalReadsBack(t *testing.T) {
	for _, lang := range []string{crm.LangES, crm.LangEN} {
		for _, c := range []struct {
			v          int64
			scale, min int
		}{{350000, 2, 2}, {1500, 3, 0}, {1125, 3, 0}, {2100, 2, 0}, {-1050, 2, 2}, {0, 2, 2}, {1000, 3, 0}, {123456789, 2, 2}} {
			s := writeDecimal(lang, c.v, c.scale, c.min)
			if got, ok := readDecimal(lang, s, c.scale); !ok || got != c.v {
				t.Errorf("%s: %d written as %q reads back as %d, %v", lang, c.v, s, got, ok)
			}
		}
	}
	if got := writeDecimal(crm.LangES, 350000, 2, 2); got != "3500,00" {
		t.Errorf("3500 € in Spanish is written %q", got)
	}
	if got := writeDecimal(crm.LangEN, 1500, 3, 0); got != "1.5" {
		t.Errorf("1.5 units in English is written %q", got)
	}
}
