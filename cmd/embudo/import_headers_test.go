package main

import (
	"strings"
	"testing"
)

// The exports people bring import without --map through embudo serve
// (issue 10 item 16): every row of each file of internal/spreadsheet's
// testdata becomes a contact, named once, the other e-mails and phones in
// its observations.
func TestImportKnownExports(t *testing.T) {
	s := cliAgainst(t)
	for file, n := range map[string]int{"google.csv": 2, "google-legacy.csv": 2, "outlook.csv": 1, "hubspot.csv": 1, "embudo.csv": 1} {
		rep := importJSON(t, "--quiet", "../../internal/spreadsheet/testdata/"+file)
		if rep.Created != n || rep.Rejected != 0 {
			t.Errorf("%s: %+v", file, rep)
		}
	}
	byMail := byEmail(s.listAll(t, "/v1/contacts", nil))
	marta := byMail["marta@sanz.example"]
	if marta["name"] != "Marta" || marta["surname"] != "Sanz Vidal" || marta["phone"] != "+34622334455" ||
		!strings.Contains(marta["observations"].(string), "msanz@otro.example") {
		t.Errorf("Google legacy: %v", marta)
	}
	if c := byMail["jordi@puig.example"]; c["phone"] != "+34933112233" || c["mobile"] != "+34644556677" || c["jobTitle"] != "Director comercial" {
		t.Errorf("Outlook: %v", c)
	}
	found := false
	for _, c := range s.listAll(t, "/v1/contacts", nil) {
		found = found || c["name"] == "Ferretería Ruiz" && c["company"] == "Ferretería Ruiz" && c["phone"] == "+34954987654"
	}
	if !found {
		t.Error("the Google row with only a company is not named after it")
	}
}
