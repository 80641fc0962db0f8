package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"
)

// readExcelCSV checks that data is what Excel set to Spanish opens right
// (a UTF-8 byte order mark, ";" between columns) and returns its records.
func readExcelCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(data, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("no UTF-8 byte order mark: %.60q", data)
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("not CSV separated by ';': %v\n%s", err, body)
	}
	return recs
}

// `--excel` writes CSV that opens right in Excel set to Spanish (issue 10
// item 17): BOM, ";", decimal commas; the file imports back.
func TestExportAndReportForExcel(t *testing.T) {
	s := cliAgainst(t)
	src := s.must(t, effectsToken, "POST", "/v1/sources", map[string]any{"name": "Feria; Málaga", "costCents": 100}, 201)
	c := s.must(t, effectsToken, "POST", "/v1/contacts", map[string]any{"name": "José", "surname": "Muñoz", "email": "jose@example.com",
		"sourceId": src["id"]}, 201)
	s.must(t, effectsToken, "POST", "/v1/opportunities", map[string]any{"contactId": c["id"], "description": "Cocina", "approxAmountCents": 1250000}, 201)

	file := filepath.Join(t.TempDir(), "contactos.csv")
	cliMustRun(t, "export", "contacts", "--excel", "-o", file)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	recs := readExcelCSV(t, data)
	row := map[string]string{}
	for i, h := range recs[0] {
		row[h] = recs[1][i]
	}
	if row["name"] != "José" || row["surname"] != "Muñoz" || row["version"] != "1" {
		t.Errorf("export contacts --excel: %v", row)
	}
	opps, _ := cliMustRun(t, "export", "opportunities", "--excel")
	if recs := readExcelCSV(t, []byte(opps)); len(recs) != 2 {
		t.Errorf("export opportunities --excel: %q", recs)
	}

	rep, _ := cliMustRun(t, "report", "sources", "--csv", "--excel")
	recs = readExcelCSV(t, []byte(rep))
	if recs[1][1] != "Feria; Málaga" || recs[1][10] != "100" || recs[1][13] != "-1,0000" {
		t.Errorf("report sources --csv --excel: %q", recs)
	}

	back := importJSON(t, "--quiet", file)
	if back.Created != 0 || back.Rejected != 0 || back.Merged+back.Unchanged != 1 {
		t.Errorf("importing the --excel export back: %+v", back)
	}
	if code, _, _ := cliRun(t, "export", "contacts", "--excel", "--format", "jsonl"); code != 2 {
		t.Errorf("--excel with JSON Lines: exit %d, want 2", code)
	}
	if code, _, _ := cliRun(t, "report", "sources", "--excel"); code != 2 {
		t.Errorf("report sources --excel without --csv: exit %d, want 2", code)
	}
}
