package spreadsheet

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestReading(t *testing.T) {
	for _, c := range []struct {
		text string
		want rune
	}{
		{"a;b;c\n1,5;2;3", ';'},
		{"a,b,\"c;d;e\"\n", ','},
		{"a\tb\tc;d\n", '\t'},
		{"solo\n", ','},
	} {
		if got := DetectDelimiter(c.text); got != c.want {
			t.Errorf("delimiter of %q: %q, want %q", c.text, got, c.want)
		}
	}
	for _, c := range []struct {
		in   []byte
		want string
	}{
		{[]byte("\xEF\xBB\xBFnombre;año"), "nombre;año"},
		{[]byte("Mu\xf1oz \x80 \x93hola\x94"), "Muñoz € “hola”"},
		{[]byte{0xFF, 0xFE, 'a', 0, 0xF1, 0}, "añ"},
		{[]byte("a\x81b\x9dc"), "a\uFFFDb\uFFFDc"}, // bytes Windows-1252 leaves undefined
	} {
		if got, _, err := Decode(c.in); err != nil || got != c.want {
			t.Errorf("decode %q: %q %v, want %q", c.in, got, err, c.want)
		}
	}
	header := []string{"Nombre", "Apellidos", "E-mail", "Teléfono", "Móvil", "Empresa", "Cargo", "NIF", "Sitio web", "Notas",
		"Dirección", "Código Postal", "Ciudad", "Provincia", "País", "Fuente", "Intereses", "Acepta marketing",
		"First Name", "Zip", "address.city", "sourceId"}
	m, err := MapColumns(header, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"name", "surname", "email", "phone", "mobile", "company", "jobTitle", "taxId", "web", "observations",
		"address.street", "address.postalCode", "address.city", "address.province", "address.country", "source", "interests",
		"marketingConsent", "", "", "", ""}
	if !slices.Equal(m.Fields, want) {
		t.Errorf("mapped\n %q\nwant\n %q", m.Fields, want)
	}
	if !slices.Equal(m.Ignored, []string{"First Name", "Zip", "address.city", "sourceId"}) || len(m.Shadowed) != 4 || len(m.Unknown) != 0 {
		t.Errorf("columns whose field another fills: %q %q", m.Ignored, m.Shadowed)
	}
	row, bad := m.Row(Record{Line: 7, Cells: []string{" Ana ", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
		"a, b;c | d", "SÍ", "", "", "", "", ""}}, len(header))
	if bad != nil || row.Name != "Ana" || !slices.Equal(row.Interests, []string{"a", "b", "c", "d"}) || !row.MarketingConsent || row.Line != 7 {
		t.Errorf("row: %+v %v", row, bad)
	}
	if _, bad := m.Row(Record{Cells: append(make([]string, len(header)), "extra")}, len(header)); bad["row"] == "" {
		t.Errorf("a cell beyond the header is not refused: %v", bad)
	}
}

func TestFlatten(t *testing.T) {
	var cols, vals []string
	err := flatten([]byte(`{"z":"a\"b","a":{"y":1.50,"b":null,"c":{"d":true}},"l":["x",2,null,{"k":"v"}],"e":{},"n":null}`), "",
		func(c, v string, _ bool) { cols, vals = append(cols, c), append(vals, v) })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"z", "a.y", "a.b", "a.c.d", "l", "n"}; !slices.Equal(cols, want) {
		t.Errorf("columns %q, want %q", cols, want)
	}
	if want := []string{`a"b`, "1.50", "", "true", `x|2||{"k":"v"}`, ""}; !slices.Equal(vals, want) {
		t.Errorf("values %q, want %q", vals, want)
	}
}

// items yields raw JSON objects, then fails with err if it is not nil.
func items(err error, raws ...string) Items {
	return func(yield func(json.RawMessage) error) error {
		for _, r := range raws {
			if err := yield(json.RawMessage(r)); err != nil {
				return err
			}
		}
		return err
	}
}

// The CSV header is every column of every item, in the order they first
// come; JSON Lines is one compacted object per line.
func TestWriteCSVAndJSONLines(t *testing.T) {
	var b bytes.Buffer
	n, err := WriteCSV(&b, Format{Comma: ';'}, items(nil, `{"id":"1","a":{"x":1}}`, `{"id":"2", "b":["p","q"], "a":{"y":"sí; no"}}`))
	if err != nil || n != 2 {
		t.Fatalf("WriteCSV: %d %v", n, err)
	}
	if want := "id;a.x;b;a.y\n1;1;;\n2;;p|q;\"sí; no\"\n"; b.String() != want {
		t.Errorf("CSV %q, want %q", b.String(), want)
	}
	b.Reset()
	if n, err := WriteJSONLines(&b, items(nil, "{ \"id\": \"1\" }", `{"id":"2"}`)); err != nil || n != 2 || b.String() != "{\"id\":\"1\"}\n{\"id\":\"2\"}\n" {
		t.Errorf("JSON Lines: %d %v %q", n, err, b.String())
	}
	failed := errors.New("the API failed")
	b.Reset()
	if _, err := WriteCSV(&b, Format{Comma: ','}, items(failed, `{"id":"1"}`)); !errors.Is(err, failed) || b.Len() != 0 {
		t.Errorf("a list that fails: %v, wrote %q", err, b.String())
	}
	if _, err := WriteCSV(&b, Format{Comma: ','}, items(nil, `["not an object"]`)); err == nil || !strings.Contains(err.Error(), "object") {
		t.Errorf("an item that is not an object: %v", err)
	}
}

// Plan rejects a line repeating an earlier one's e-mail or number before
// anything is sent; Batches splits what is left.
func TestPlan(t *testing.T) {
	s, err := Parse("nombre;email;móvil\nAna;ana@example.com;\nOtra;ANA@example.com;\n\nLuis;;611 22 33 44\nLuisa;;+34611223344\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	m, err := MapColumns(s.Header, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	send, rejected := Plan(s, m, "ES")
	var lines []int
	for _, r := range send {
		lines = append(lines, r.Line)
	}
	if !slices.Equal(lines, []int{2, 5}) || len(rejected) != 2 || rejected[0].Reason != "row repeats line 2 (ana@example.com)" ||
		rejected[1].Reason != "row repeats line 5 (+34611223344)" {
		t.Errorf("sent lines %v, rejected %+v", lines, rejected)
	}
	if b := Batches(append(send, send...), 3); len(b) != 2 || len(b[0]) != 3 || len(b[1]) != 1 {
		t.Errorf("batches: %v", b)
	}
}
