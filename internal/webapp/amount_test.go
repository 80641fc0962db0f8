package webapp

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// TestParseAmount: amounts typed the Spanish or the English way read as
// the same cents; anything else is refused naming the field.
func TestParseAmount(t *testing.T) {
	for in, want := range map[string]int64{
		"": 0, "0": 0, "1500": 150000, "1.500": 150000, "1,500": 150000, "1.500,50": 150050, "1,500.50": 150050,
		"1500,5": 150050, "1500.5": 150050, "0,99": 99, "12.34": 1234, "1.500.000": 150000000, "1,500,000.25": 150000025,
		" 3.500,00 € ": 350000, "3\u00a0500,00\u00a0€": 350000, ",5": 50,
	} {
		got, err := parseAmount(in)
		if err != nil || got != want {
			t.Errorf("parseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"abc", "-5", "1,234.567", "1.2.3,456", "12,345,67", "1e5", "100000000000000000"} {
		if _, err := parseAmount(in); err == nil {
			t.Errorf("parseAmount(%q) took it", in)
		} else if f := crm.FieldsOf(err)["approxAmount"]; f == "" {
			t.Errorf("parseAmount(%q): %v names no approxAmount", in, err)
		}
	}
}
