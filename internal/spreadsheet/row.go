package spreadsheet

import (
	"fmt"
	"strings"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/csvsafe"
)

// Row is one line of a file as the import endpoint (POST
// /v1/contacts:import) takes it.
type Row struct {
	Line             int      `json:"line"`
	Name             string   `json:"name"`
	Surname          string   `json:"surname"`
	Email            string   `json:"email"`
	Phone            string   `json:"phone"`
	Mobile           string   `json:"mobile"`
	Company          string   `json:"company"`
	JobTitle         string   `json:"jobTitle"`
	TaxID            string   `json:"taxId"`
	Web              string   `json:"web"`
	Observations     string   `json:"observations"`
	Address          Address  `json:"address"`
	Source           string   `json:"source"`
	Interests        []string `json:"interests"`
	MarketingConsent bool     `json:"marketingConsent"`
}

// Address is the postal address of a row.
type Address struct {
	Street     string `json:"street"`
	PostalCode string `json:"postalCode"`
	City       string `json:"city"`
	Province   string `json:"province"`
	Country    string `json:"country"`
}

// Row fills a row from a record of a sheet of ncols columns, each cell
// without the quote csvsafe.Text puts before a text an export wrote
// (csvsafe.Restore), so that an export imports back as it was. A
// multi-valued field takes the first value of its columns (a cell may hold
// several, separated by " ::: " as Google writes them); the others are
// added to the observations, each after its column's name. A row without a
// name takes the whole name when a column holds one (without the surname
// it ends with), else its company, as web leads are named. fields names
// what makes it wrong before any server sees it (a consent that is not yes
// or no, more cells than columns), by field ("row" for the whole row).
func (m *ColumnMap) Row(rec Record, ncols int) (Row, map[string]string) {
	r := Row{Line: rec.Line}
	var fields map[string]string
	bad := func(k, v string) {
		if fields == nil {
			fields = map[string]string{}
		}
		fields[k] = v
	}
	var fullName string
	for i, cell := range rec.Cells {
		cell = strings.TrimSpace(csvsafe.Restore(cell))
		if i >= ncols {
			if cell != "" {
				bad("row", fmt.Sprintf("has %d cells but the header names %d columns (a separator inside a value needs quotes)", len(rec.Cells), ncols))
				break
			}
			continue
		}
		switch m.Fields[i] {
		case fieldName:
			r.Name = cell
		case fieldSurname:
			r.Surname = cell
		case fieldFullName:
			fullName = cell
		case fieldCompany:
			r.Company = cell
		case fieldJobTitle:
			r.JobTitle = cell
		case fieldTaxID:
			r.TaxID = cell
		case fieldObservation:
			r.Observations = cell
		case fieldStreet:
			r.Address.Street = cell
		case fieldPostalCode:
			r.Address.PostalCode = cell
		case fieldCity:
			r.Address.City = cell
		case fieldProvince:
			r.Address.Province = cell
		case fieldCountry:
			r.Address.Country = country(cell)
		case fieldSource:
			r.Source = cell
		case fieldInterests:
			r.Interests = splitList(cell)
		case fieldConsent:
			v, ok := parseConsent(cell)
			if !ok {
				bad(fieldConsent, fmt.Sprintf("is not yes or no: %q", cell))
			}
			r.MarketingConsent = v
		}
	}
	var more []string
	for _, f := range []struct {
		name string
		to   *string
	}{{fieldEmail, &r.Email}, {fieldPhone, &r.Phone}, {fieldMobile, &r.Mobile}, {fieldWeb, &r.Web}} {
		for _, i := range m.multi[f.name] {
			if i >= len(rec.Cells) || i >= ncols {
				continue
			}
			for _, v := range strings.Split(csvsafe.Restore(rec.Cells[i]), ":::") {
				switch v = strings.TrimSpace(v); {
				case v == "":
				case *f.to == "":
					*f.to = v
				default:
					more = append(more, strings.TrimSpace(m.header[i])+": "+v)
				}
			}
		}
	}
	if len(more) > 0 {
		r.Observations = strings.TrimSpace(r.Observations + "\n" + strings.Join(more, "\n"))
	}
	if r.Name == "" && fullName != "" {
		r.Name = fullName
		if first, ok := strings.CutSuffix(fullName, r.Surname); ok && r.Surname != "" && strings.TrimSpace(first) != "" {
			r.Name = strings.TrimSpace(first)
		} else {
			r.Surname = ""
		}
	}
	if r.Name == "" && r.Surname == "" {
		r.Name = r.Company
	}
	return r, fields
}

// splitList splits a cell holding several values separated by ",", ";" or
// "|".
func splitList(cell string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(cell, func(c rune) bool { return c == ',' || c == ';' || c == '|' }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// parseConsent reads a yes/no cell in Spanish or English; an empty cell is
// no.
func parseConsent(cell string) (bool, bool) {
	switch key(cell) {
	case "", "no", "n", "false", "falso", "0", "f":
		return false, true
	case "si", "s", "yes", "y", "true", "verdadero", "1", "x", "v", "acepta", "ok":
		return true, true
	}
	return false, false
}

// countries are the ISO 3166 codes of the countries a Spanish company's
// files name most, by their folded Spanish and English names: the API
// keeps a country only as its two-letter code.
var countries = map[string]string{
	"espana": "ES", "spain": "ES", "portugal": "PT", "francia": "FR", "france": "FR", "italia": "IT", "italy": "IT",
	"alemania": "DE", "germany": "DE", "reino unido": "GB", "united kingdom": "GB", "uk": "GB", "gran bretana": "GB",
	"irlanda": "IE", "ireland": "IE", "belgica": "BE", "belgium": "BE", "paises bajos": "NL", "holanda": "NL",
	"netherlands": "NL", "suiza": "CH", "switzerland": "CH", "austria": "AT", "andorra": "AD", "marruecos": "MA",
	"morocco": "MA", "estados unidos": "US", "united states": "US", "usa": "US", "eeuu": "US", "ee uu": "US",
	"mexico": "MX", "argentina": "AR", "colombia": "CO", "chile": "CL", "peru": "PE", "venezuela": "VE",
	"ecuador": "EC", "uruguay": "UY", "paraguay": "PY", "bolivia": "BO", "cuba": "CU", "republica dominicana": "DO",
	"brasil": "BR", "brazil": "BR", "china": "CN", "japon": "JP", "japan": "JP",
}

// country turns a country's name into its code when it is one of
// countries; anything else goes as written (a code, or a name the server
// will keep out of the contact).
func country(cell string) string {
	k := strings.Trim(strings.ReplaceAll(crm.Fold(cell), ".", " "), " ")
	k = strings.Join(strings.Fields(k), " ")
	if code, ok := countries[k]; ok {
		return code
	}
	return cell
}
