package spreadsheet

import (
	"bytes"
	"testing"
)

// The Excel format: a byte order mark, ";" and decimal commas in numbers
// only, from JSON items and from the API's CSV.
func TestExcelFormat(t *testing.T) {
	var b bytes.Buffer
	if _, err := WriteCSV(&b, Excel, items(nil, `{"name":"Muñoz; 1.5","ratio":-0.25,"n":3,"v":"2.5","ok":true}`)); err != nil {
		t.Fatal(err)
	}
	if want := "\uFEFFname;ratio;n;v;ok\n\"Muñoz; 1.5\";-0,25;3;2.5;true\n"; b.String() != want {
		t.Errorf("WriteCSV(Excel) %q, want %q", b.String(), want)
	}
	b.Reset()
	api := "sourceId,sourceName,conversionRate,roi\n01X,\"Feria, 2026\",0.3333,-1.0000\n,'-5,,\n"
	if err := Reformat(&b, []byte(api), Excel); err != nil {
		t.Fatal(err)
	}
	if want := "\uFEFFsourceId;sourceName;conversionRate;roi\n01X;Feria, 2026;0,3333;-1,0000\n;'-5;;\n"; b.String() != want {
		t.Errorf("Reformat %q, want %q", b.String(), want)
	}
}
