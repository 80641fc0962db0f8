package main

import (
	"strings"
	"testing"
)

// What embudo writes for spreadsheets runs nothing when one opens it (issue
// 10 item 3): `export contacts|opportunities` and `report sources --csv`
// put a single quote before a text that starts like a formula; numbers stay
// numbers; the export imports back as it was, the quotes taken off.
func TestExportsAndReportNeutraliseFormulas(t *testing.T) {
	s := cliAgainst(t)
	src := s.must(t, effectsToken, "POST", "/v1/sources", map[string]any{"name": `=HYPERLINK("http://x","clic")`, "costCents": 100}, 201)
	c := s.must(t, effectsToken, "POST", "/v1/contacts", map[string]any{"name": "@SUM(1+1)", "surname": "+cmd|' /C calc'!A0",
		"phone": "600 11 12 22", "observations": "-2+3", "sourceId": src["id"]}, 201)
	s.must(t, effectsToken, "POST", "/v1/opportunities", map[string]any{"contactId": c["id"], "description": "=1+1",
		"approxAmountCents": 1250000}, 201)

	out, _ := cliMustRun(t, "export", "contacts")
	_, rows := readCSV(t, []byte(out))
	if len(rows) != 1 || rows[0]["name"] != "'@SUM(1+1)" || rows[0]["surname"] != "'+cmd|' /C calc'!A0" ||
		rows[0]["phone"] != "'+34600111222" || rows[0]["observations"] != "'-2+3" || rows[0]["version"] != "1" {
		t.Errorf("export contacts: %v", rows)
	}
	opps, _ := cliMustRun(t, "export", "opportunities", "--format", "csv")
	if _, o := readCSV(t, []byte(opps)); len(o) != 1 || o[0]["description"] != "'=1+1" || o[0]["approxAmountCents"] != "1250000" {
		t.Errorf("export opportunities: %v", o)
	}
	rep, _ := cliMustRun(t, "report", "sources", "--csv")
	if !strings.Contains(rep, `"'=HYPERLINK(""http://x"",""clic"")"`) || strings.Contains(rep, `,"=HYPERLINK`) {
		t.Errorf("report sources --csv:\n%s", rep)
	}

	back := importJSON(t, "--quiet", writeTemp(t, "back.csv", []byte(out)))
	if back.Created != 0 || back.Rejected != 0 || back.Merged+back.Unchanged != 1 {
		t.Errorf("importing the export back: %+v", back)
	}
	got := s.must(t, effectsToken, "GET", "/v1/contacts/"+c["id"].(string), nil, 200)
	if got["name"] != "@SUM(1+1)" || got["surname"] != "+cmd|' /C calc'!A0" || got["phone"] != "+34600111222" || got["observations"] != "-2+3" {
		t.Errorf("the contact after the import: %v", got)
	}
}
