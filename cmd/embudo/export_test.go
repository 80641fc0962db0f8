package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// `embudo export` driven in-process against `embudo serve` running
// in-process; its files are read back with encoding/csv and encoding/json.

// readCSV parses a CSV file and returns its header and records by column name.
func readCSV(t *testing.T, data []byte) ([]string, []map[string]string) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v\n%s", err, data)
	}
	if len(recs) == 0 {
		t.Fatal("the export has no header")
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		rows = append(rows, m)
	}
	return recs[0], rows
}

// readJSONL decodes a JSON Lines file line by line.
func readJSONL(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d is not a JSON object: %v: %s", n, err, sc.Bytes())
		}
		out = append(out, m)
	}
	return out
}

func TestExportContactsCSVAndJSONL(t *testing.T) {
	s := cliAgainst(t)
	feria := s.must(t, effectsToken, "POST", "/v1/sources", map[string]any{"name": "Feria"}, 201)
	a := s.must(t, effectsToken, "POST", "/v1/interests", map[string]any{"name": "Alarmas"}, 201)
	c := s.must(t, effectsToken, "POST", "/v1/interests", map[string]any{"name": "Cámaras"}, 201)
	jose := s.must(t, effectsToken, "POST", "/v1/contacts", map[string]any{"name": "José Ñoño", "surname": "Muñoz, \"el Chato\"",
		"email": "jose@example.com", "observations": "Dos\nlíneas", "interestIds": []string{a["id"].(string), c["id"].(string)},
		"address": map[string]any{"city": "Cádiz", "country": "ES"}, "sourceId": feria["id"]}, 201)
	// More than a page (200) of contacts, through the import.
	var b strings.Builder
	b.WriteString("name,email\n")
	for i := range 230 {
		fmt.Fprintf(&b, "Contacto %d,c%d@example.com\n", i, i)
	}
	cliMustRun(t, "import", "contacts", "--quiet", writeTemp(t, "seed.csv", []byte(b.String())))
	const total = 231

	// CSV to standard output.
	out, _ := cliMustRun(t, "export", "contacts")
	header, rows := readCSV(t, []byte(out))
	for _, col := range []string{"id", "name", "surname", "email", "address.city", "address.country", "interestIds",
		"attribution.utmSource", "marketingConsent", "createdAt", "version"} {
		if !slices.Contains(header, col) {
			t.Errorf("the header lacks %s: %v", col, header)
		}
	}
	if header[0] != "id" || slices.Contains(header, "address") {
		t.Errorf("the header is not the API's fields flattened in order: %v", header)
	}
	if len(rows) != total {
		t.Fatalf("%d rows, want %d (all pages)", len(rows), total)
	}
	ids := map[string]bool{}
	var got map[string]string
	for _, r := range rows {
		ids[r["id"]] = true
		if r["id"] == jose["id"] {
			got = r
		}
	}
	if len(ids) != total {
		t.Errorf("%d distinct ids in %d rows", len(ids), total)
	}
	if got == nil || got["name"] != "José Ñoño" || got["surname"] != `Muñoz, "el Chato"` || got["observations"] != "Dos\nlíneas" ||
		got["address.city"] != "Cádiz" || got["sourceId"] != feria["id"] || got["marketingConsent"] != "false" || got["version"] != "1" {
		t.Errorf("José's row: %v", got)
	}
	if parts := strings.Split(got["interestIds"], "|"); len(parts) != 2 || !slices.Contains(parts, a["id"].(string)) || !slices.Contains(parts, c["id"].(string)) {
		t.Errorf("interestIds: %q", got["interestIds"])
	}

	// A filter, to a file, with ";".
	dir := t.TempDir()
	file := filepath.Join(dir, "feria.csv")
	_, errs := cliMustRun(t, "export", "contacts", "--source", feria["id"].(string), "-o", file, "--delimiter", ";")
	if !strings.Contains(errs, "exported 1 contacts") {
		t.Errorf("stderr: %s", errs)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 2 || recs[1][0] != jose["id"] {
		t.Errorf("export --source to a file: %v %q", err, recs)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// JSON Lines, one API object per line.
	jl := filepath.Join(dir, "contactos.jsonl")
	cliMustRun(t, "export", "contacts", "-o", jl)
	data, err = os.ReadFile(jl)
	if err != nil {
		t.Fatal(err)
	}
	objs := readJSONL(t, data)
	if len(objs) != total || bytes.Count(data, []byte("\n")) != total {
		t.Fatalf("%d objects on %d lines, want %d", len(objs), bytes.Count(data, []byte("\n")), total)
	}
	var joseObj map[string]any
	for _, o := range objs {
		if o["id"] == jose["id"] {
			joseObj = o
		}
	}
	addr, _ := joseObj["address"].(map[string]any)
	interests, _ := joseObj["interestIds"].([]any)
	if joseObj == nil || joseObj["name"] != "José Ñoño" || addr["city"] != "Cádiz" || len(interests) != 2 {
		t.Errorf("José in JSON Lines: %v", joseObj)
	}

	// The CSV imports back and creates nothing.
	back := importJSON(t, "--quiet", writeTemp(t, "back.csv", []byte(out)))
	if back.Created != 0 || back.Rejected != 0 || back.Merged+back.Unchanged != total {
		t.Errorf("importing the export back: created %d merged %d unchanged %d rejected %d %+v",
			back.Created, back.Merged, back.Unchanged, back.Rejected, back.Results[:min(3, len(back.Results))])
	}
	if n := len(s.listAll(t, "/v1/contacts", nil)); n != total {
		t.Errorf("%d contacts after importing the export back, want %d", n, total)
	}
}

func TestExportOpportunities(t *testing.T) {
	s := cliAgainst(t)
	c1 := s.must(t, effectsToken, "POST", "/v1/contacts", map[string]any{"name": "Lucía"}, 201)
	c2 := s.must(t, effectsToken, "POST", "/v1/contacts", map[string]any{"name": "Beto"}, 201)
	o1 := s.must(t, effectsToken, "POST", "/v1/opportunities", map[string]any{"contactId": c1["id"], "description": "Reforma de cocina — 2ª fase",
		"approxAmountCents": 1250000, "currency": "EUR"}, 201)
	s.must(t, effectsToken, "POST", "/v1/opportunities", map[string]any{"contactId": c2["id"], "description": "Baño"}, 201)

	out, _ := cliMustRun(t, "export", "opportunities", "--format", "csv")
	header, rows := readCSV(t, []byte(out))
	for _, col := range []string{"id", "number", "contactId", "description", "stateId", "approxAmountCents", "closedAt", "quoteIds"} {
		if !slices.Contains(header, col) {
			t.Errorf("the header lacks %s: %v", col, header)
		}
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	var row map[string]string
	for _, r := range rows {
		if r["id"] == o1["id"] {
			row = r
		}
	}
	if row == nil || row["description"] != "Reforma de cocina — 2ª fase" || row["approxAmountCents"] != "1250000" ||
		row["contactId"] != c1["id"] || row["closedAt"] != "" || row["number"] != fmt.Sprint(o1["number"]) {
		t.Errorf("the opportunity's row %v, in %v", row, rows)
	}

	out, _ = cliMustRun(t, "export", "opportunities", "--format", "jsonl", "--contact", c1["id"].(string))
	objs := readJSONL(t, []byte(out))
	if len(objs) != 1 || objs[0]["id"] != o1["id"] || objs[0]["description"] != "Reforma de cocina — 2ª fase" {
		t.Errorf("export opportunities --contact as JSON Lines: %v", objs)
	}

	for _, bad := range [][]string{
		{"export"},
		{"export", "notes"},
		{"export", "opportunities", "--format", "xml"},
		{"export", "opportunities", "--q", "x"}, // a contacts filter
		{"export", "contacts", "extra"},
	} {
		if code, _, _ := cliRun(t, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
	t.Setenv("EMBUDO_URL", "http://127.0.0.1:1")
	file := filepath.Join(t.TempDir(), "x.csv")
	if code, _, _ := cliRun(t, "export", "opportunities", "-o", file); code != 1 {
		t.Errorf("an unreachable API: exit %d, want 1", code)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a failed export left %s: %v", file, err)
	}
}
