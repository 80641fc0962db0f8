package spreadsheet

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/embudo/embudo/internal/crm"
)

// The fields a column can fill.
const (
	fieldName        = "name"
	fieldSurname     = "surname"
	fieldEmail       = "email"
	fieldPhone       = "phone"
	fieldMobile      = "mobile"
	fieldCompany     = "company"
	fieldJobTitle    = "jobTitle"
	fieldTaxID       = "taxId"
	fieldWeb         = "web"
	fieldObservation = "observations"
	fieldStreet      = "address.street"
	fieldPostalCode  = "address.postalCode"
	fieldCity        = "address.city"
	fieldProvince    = "address.province"
	fieldCountry     = "address.country"
	fieldSource      = "source"
	fieldInterests   = "interests"
	fieldConsent     = "marketingConsent"
	// fieldFullName is a whole name (Google's legacy "Name" beside its
	// "Given Name" and "Family Name"): read only for a row whose name is
	// empty.
	fieldFullName = "fullName"
)

// multiValued are the fields a file may give in several columns (Google's
// "E-mail 1 - Value", "E-mail 2 - Value"; Outlook's "Home Phone", "Business
// Phone") and several times in one cell (Google's "a ::: b"): the first
// value fills the field, the others go to the observations.
var multiValued = map[string]bool{fieldEmail: true, fieldPhone: true, fieldMobile: true, fieldWeb: true}

// givenNames are the names of a column that holds only the first name:
// beside one, a column called "Name" holds the whole name.
var givenNames = []string{"first name", "firstname", "given name", "nombre de pila"}

// aliases are the header names of each field, in Spanish and English, and
// those of the exports people bring: Google Contacts (its current layout
// and the legacy one, "E-mail 1 - Value"), Outlook and HubSpot. They are
// compared by key, and each field's own name (and for the address, its
// name without "address.") is one too, so that a file exported by `embudo
// export contacts` imports as it is. A numbered column of Google's beyond
// the first ("Phone 2 - Value") is read as its first one (see numbered).
var aliases = map[string][]string{
	fieldName:     append([]string{"nombre", "name"}, givenNames...),
	fieldSurname:  {"apellidos", "apellido", "surname", "last name", "lastname", "family name"},
	fieldFullName: {"full name", "display name", "nombre completo", "nombre y apellidos"},
	fieldEmail: {"email", "e-mail", "correo", "correo electrónico", "correo-e", "mail", "email address", "e-mail address", "dirección de correo",
		"e-mail 1 - value", "e-mail 2 address", "e-mail 3 address"},
	fieldPhone: {"teléfono", "telefono", "phone", "tel", "tel.", "telephone", "phone number", "número de teléfono", "teléfono fijo", "fijo",
		"phone 1 - value", "business phone", "business phone 2", "home phone", "home phone 2", "primary phone", "other phone",
		"company main telephone", "car phone"},
	fieldMobile:   {"móvil", "movil", "mobile", "mobile phone", "teléfono móvil", "celular", "cell", "cell phone", "mobile phone number"},
	fieldCompany:  {"empresa", "company", "compañía", "company name", "organización", "organization", "organisation", "razón social", "organization name", "organization 1 - name"},
	fieldJobTitle: {"cargo", "puesto", "job title", "position", "puesto de trabajo", "organization title", "organization 1 - title"},
	fieldTaxID:    {"nif", "cif", "nif/cif", "cif/nif", "tax id", "vat", "vat number", "vat id", "dni", "nie"},
	fieldWeb:      {"web", "website", "web site", "sitio web", "página web", "url", "website 1 - value", "web page", "website url"},
	fieldObservation: {"observaciones", "observación", "notas", "nota", "notes", "note", "comments", "comment", "comentarios", "comentario",
		"mensaje", "message"},
	fieldStreet:     {"dirección", "direccion", "address", "street", "calle", "domicilio", "street address", "address 1 - street", "business street"},
	fieldPostalCode: {"cp", "c.p.", "código postal", "codigo postal", "postal code", "postcode", "zip", "zip code", "address 1 - postal code", "business postal code"},
	fieldCity:       {"ciudad", "población", "poblacion", "city", "localidad", "municipio", "town", "address 1 - city", "business city"},
	fieldProvince:   {"provincia", "province", "state", "región", "region", "address 1 - region", "business state", "state/region"},
	fieldCountry:    {"país", "pais", "country", "address 1 - country", "business country/region", "country/region"},
	fieldSource:     {"fuente", "source", "origen", "source id", "sourceId", "id fuente"},
	fieldInterests:  {"intereses", "interés", "interests", "interest", "interestIds", "interest ids"},
	fieldConsent:    {"acepta marketing", "marketing consent", "consentimiento marketing", "consentimiento", "marketing", "acepta publicidad", "acepta comunicaciones", "opt-in", "opt in"},
}

// fieldByKey finds a field by the key of any of its names.
var fieldByKey = func() map[string]string {
	m := map[string]string{}
	for f, names := range aliases {
		m[key(f)] = f
		m[key(strings.TrimPrefix(f, "address."))] = f
		for _, n := range names {
			m[key(n)] = f
		}
	}
	return m
}()

// key is a header name compared without case, accents, spaces nor
// punctuation: "Código  Postal" and "codigo_postal" are "codigopostal".
func key(s string) string {
	var b strings.Builder
	for _, c := range crm.Fold(s) {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// Override is one column read as a field, whatever its name (the CLI's
// --map COLUMN=field).
type Override struct{ Column, Field string }

// ParseOverrides reads overrides written "COLUMN=field", the field by any
// of its names. Errors: no "=", or no such field.
func ParseOverrides(maps []string) ([]Override, error) {
	var out []Override
	for _, s := range maps {
		i := strings.LastIndexByte(s, '=')
		if i <= 0 {
			return nil, fmt.Errorf("--map %q: write COLUMN=field", s)
		}
		col, target := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
		f, ok := fieldByKey[key(target)]
		if !ok {
			return nil, fmt.Errorf("--map %q: %q is not a field; the fields are name, surname, fullName, email, phone, mobile, company, "+
				"jobTitle, taxId, web, observations, street, postalCode, city, province, country, source, interests and marketingConsent", s, target)
		}
		out = append(out, Override{Column: col, Field: f})
	}
	return out, nil
}

// ColumnMap says which field each column of a file fills.
type ColumnMap struct {
	Fields   []string // by column; "" for a column not read
	Ignored  []string // columns not read (not those the caller ignored)
	Unknown  []string // those of them whose name is no field's
	Shadowed []string // why the others are not read: their field comes from another column
	header   []string
	// multi lists, for each multi-valued field, the columns it is read
	// from, in the order their values are taken: overrides first.
	multi map[string][]int
}

// numbered matches a numbered column of Google Contacts: "E-mail 2 -
// Value", "Address 2 - City".
var numbered = regexp.MustCompile(`^(.*\S)\s+\d+\s*-\s*(.+)$`)

// recognise returns the field a column called h fills, by its name: one of
// aliases, or for a numbered column of Google's, the field of its first
// one. A column called "Name" beside one holding the first name holds the
// whole name. false when h names no field.
func recognise(h string, fullNameToo bool) (string, bool) {
	if fullNameToo && key(h) == "name" {
		return fieldFullName, true
	}
	if f, ok := fieldByKey[key(h)]; ok {
		return f, true
	}
	if m := numbered.FindStringSubmatch(strings.TrimSpace(h)); m != nil {
		f, ok := fieldByKey[key(m[1]+" 1 - "+m[2])]
		return f, ok
	}
	return "", false
}

// MapColumns maps header's columns: the overrides first, then the names
// recognised; a column named in ignores is not read. A multi-valued field
// (e-mail, phone, mobile, web) is read from every column that holds it; any
// other field two columns would fill is taken from the first, and the
// other is ignored, and said so. Errors: an override or ignore naming no
// column, or no column for the name (nor a whole name nor a company, of
// which a row without a name takes its name).
func MapColumns(header []string, overrides []Override, ignores []string) (*ColumnMap, error) {
	m := &ColumnMap{Fields: make([]string, len(header)), header: header, multi: map[string][]int{}}
	find := func(name string) int {
		for i, h := range header {
			if strings.TrimSpace(h) == strings.TrimSpace(name) {
				return i
			}
		}
		for i, h := range header {
			if key(h) == key(name) && key(h) != "" {
				return i
			}
		}
		return -1
	}
	skip := make([]bool, len(header))
	for _, name := range ignores {
		i := find(name)
		if i < 0 {
			return nil, fmt.Errorf("--ignore %q: no column is called so (the columns are %s)", name, QuoteAll(header))
		}
		skip[i] = true
	}
	taken := map[string]int{}
	for _, o := range overrides {
		i := find(o.Column)
		if i < 0 {
			return nil, fmt.Errorf("--map %q: no column is called so (the columns are %s)", o.Column, QuoteAll(header))
		}
		if j, dup := taken[o.Field]; dup && j != i {
			return nil, fmt.Errorf("--map: columns %q and %q are both mapped to %s", header[j], header[i], o.Field)
		}
		m.Fields[i], taken[o.Field], skip[i] = o.Field, i, false
		if multiValued[o.Field] {
			m.multi[o.Field] = append(m.multi[o.Field], i)
		}
	}
	given := false
	for _, h := range header {
		for _, g := range givenNames {
			given = given || key(h) == key(g)
		}
	}
	for i, h := range header {
		if m.Fields[i] != "" || skip[i] {
			continue
		}
		f, ok := recognise(h, given)
		if !ok {
			m.Ignored, m.Unknown = append(m.Ignored, h), append(m.Unknown, h)
			continue
		}
		if j, dup := taken[f]; dup && !multiValued[f] {
			m.Ignored = append(m.Ignored, h)
			m.Shadowed = append(m.Shadowed, fmt.Sprintf("%q: %s comes from %q", h, f, header[j]))
			continue
		}
		if _, dup := taken[f]; !dup {
			taken[f] = i
		}
		m.Fields[i] = f
		if multiValued[f] {
			m.multi[f] = append(m.multi[f], i)
		}
	}
	_, name := taken[fieldName]
	_, full := taken[fieldFullName]
	_, company := taken[fieldCompany]
	if !name && !full && !company {
		return nil, fmt.Errorf("no column holds the name (columns: %s); name one with --map \"COLUMN=name\"", QuoteAll(header))
	}
	return m, nil
}

// Reachable reports whether a column holds an e-mail, a phone or a
// mobile: what an imported contact is found again by, and merged with.
func (m *ColumnMap) Reachable() bool {
	return len(m.multi[fieldEmail])+len(m.multi[fieldPhone])+len(m.multi[fieldMobile]) > 0
}

// ColumnUse is one column read, and the field it fills.
type ColumnUse struct {
	Column string `json:"column"`
	Field  string `json:"field"`
	// More is true for a column of a multi-valued field past the first:
	// its values fill the field when the earlier columns are empty, and go
	// to the observations otherwise.
	More bool `json:"more,omitempty"`
}

// Uses lists the columns read, in the file's order.
func (m *ColumnMap) Uses() []ColumnUse {
	var out []ColumnUse
	for i, f := range m.Fields {
		if f != "" {
			cols := m.multi[f]
			out = append(out, ColumnUse{Column: m.header[i], Field: f, More: len(cols) > 0 && cols[0] != i})
		}
	}
	return out
}

// Describe lists the columns read and their fields: "Correo→email, ...".
func (m *ColumnMap) Describe(header []string) string {
	var parts []string
	for i, f := range m.Fields {
		if f != "" {
			parts = append(parts, fmt.Sprintf("%s→%s", header[i], f))
		}
	}
	return strings.Join(parts, ", ")
}

// QuoteAll quotes and joins names.
func QuoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
