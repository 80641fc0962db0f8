package spreadsheet

import (
	"os"
	"strings"
	"testing"
)

// readRows reads a file of testdata as the CLI does, with no --map.
func readRows(t *testing.T, name string) (*ColumnMap, []Row) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	text, _, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(text, 0)
	if err != nil {
		t.Fatal(err)
	}
	m, err := MapColumns(s.Header, nil, nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var rows []Row
	for _, rec := range s.Records {
		r, bad := m.Row(rec, len(s.Header))
		if bad != nil {
			t.Errorf("%s line %d: %v", name, rec.Line, bad)
		}
		rows = append(rows, r)
	}
	return m, rows
}

// holds reports whether each of parts is in s.
func holds(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// The exports people bring import without --map (issue 10 item 16): Google
// Contacts (current and legacy layouts), Outlook, HubSpot and Embudo's own.
// Their header rows are the real ones; the data is made up.
func TestKnownExportsImportWithoutMap(t *testing.T) {
	t.Run("Google Contacts", func(t *testing.T) {
		_, rows := readRows(t, "google.csv")
		r := rows[0]
		if r.Name != "Lucía" || r.Surname != "Ferrer Gil" || r.Company != "Talleres Ferrer SL" || r.JobTitle != "Gerente" ||
			r.Email != "lucia@talleres.example" || r.Phone != "+34 611 22 33 44" || r.Web != "https://talleres.example" ||
			r.Address != (Address{Street: "Calle Mayor 1", PostalCode: "41001", City: "Sevilla", Province: "Sevilla", Country: "ES"}) {
			t.Errorf("row: %+v", r)
		}
		// The other e-mails and phones, of " ::: " and of the second
		// columns, are kept in the observations.
		if !holds(r.Observations, "Conocida en la feria", "lucia.ferrer@home.example", "lferrer@otro.example", "955 00 11 22", "954 12 34 56") ||
			strings.Contains(r.Observations, "lucia@talleres.example") || strings.Contains(r.Observations, "myContacts") {
			t.Errorf("observations: %q", r.Observations)
		}
		// A row with only a company is named after it, as web leads are.
		if r := rows[1]; r.Name != "Ferretería Ruiz" || r.Company != "Ferretería Ruiz" || r.Phone != "954 98 76 54" {
			t.Errorf("a company alone: %+v", r)
		}
	})
	t.Run("Google Contacts, legacy", func(t *testing.T) {
		_, rows := readRows(t, "google-legacy.csv")
		r := rows[0]
		// Name is the full name: Given Name and Family Name are its parts,
		// and it is not put before Family Name again.
		if r.Name != "Marta" || r.Surname != "Sanz Vidal" || r.Email != "marta@sanz.example" || r.Phone != "622 33 44 55" ||
			r.Company != "Sanz Asesores" || r.JobTitle != "Directora" || r.Web != "sanz.example" || r.Address.Country != "ES" ||
			r.Address.City != "Madrid" || r.Address.PostalCode != "28013" {
			t.Errorf("row: %+v", r)
		}
		if !holds(r.Observations, "Cliente desde 2019", "marta.sanz@home.example", "msanz@otro.example", "+34 913 00 00 00") {
			t.Errorf("observations: %q", r.Observations)
		}
		if r := rows[1]; r.Name != "Pedro Gómez" || r.Surname != "" || r.Email != "pedro@gomez.example" {
			t.Errorf("a contact with Name only: %+v", r)
		}
	})
	t.Run("Outlook", func(t *testing.T) {
		_, rows := readRows(t, "outlook.csv")
		r := rows[0]
		if r.Name != "Jordi" || r.Surname != "Puig" || r.Email != "jordi@puig.example" || r.Phone != "933 11 22 33" || r.Mobile != "644 55 66 77" ||
			r.JobTitle != "Director comercial" || r.Company != "Puig i Fills SA" || r.Web != "www.puig.example" ||
			r.Address != (Address{Street: "Carrer Gran 5", PostalCode: "08001", City: "Barcelona", Province: "Barcelona", Country: "ES"}) {
			t.Errorf("row: %+v", r)
		}
		if !holds(r.Observations, "Visita en marzo", "jpuig@altre.example") || strings.Contains(r.Observations, "Sr.") {
			t.Errorf("observations: %q", r.Observations)
		}
	})
	t.Run("HubSpot", func(t *testing.T) {
		_, rows := readRows(t, "hubspot.csv")
		r := rows[0]
		if r.Name != "Ana" || r.Surname != "Ortega" || r.Email != "ana@ortega.example" || r.Phone != "+34 915 55 66 77" || r.Mobile != "633 44 55 66" ||
			r.Company != "Ortega Consultores" || r.JobTitle != "CEO" || r.Web != "https://ortega.example" || r.Observations != "" ||
			r.Address != (Address{Street: "Calle Alcalá 10", PostalCode: "28014", City: "Madrid", Province: "Madrid", Country: "ES"}) {
			t.Errorf("row: %+v", r)
		}
	})
	t.Run("Embudo", func(t *testing.T) {
		_, rows := readRows(t, "embudo.csv")
		r := rows[0]
		if r.Name != "Elena" || r.Surname != "Ruiz" || r.Company != "=Ruiz SL" || r.Email != "elena@ruiz.example" || r.Phone != "+34600111222" ||
			r.TaxID != "B12345678" || r.Web != "https://ruiz.example" || r.Observations != "Dos líneas" || !r.MarketingConsent ||
			r.Address != (Address{Street: "Calle Luna 3", PostalCode: "29001", City: "Málaga", Province: "Málaga", Country: "ES"}) {
			t.Errorf("row: %+v", r)
		}
	})
}

// The mapping says which columns hold an e-mail or a phone, for the
// warning of a file where none does.
func TestContactColumns(t *testing.T) {
	m, err := MapColumns([]string{"Nombre", "Empresa"}, nil, nil)
	if err != nil || m.Reachable() {
		t.Errorf("a file without e-mail or phone: %v %v", m, err)
	}
	m, err = MapColumns([]string{"Name", "Mobile Phone"}, nil, nil)
	if err != nil || !m.Reachable() {
		t.Errorf("a file with a mobile: %v %v", m, err)
	}
	if _, err := MapColumns([]string{"Empresa", "Correo"}, nil, nil); err != nil {
		t.Errorf("a file with a company and no name: %v", err)
	}
}
