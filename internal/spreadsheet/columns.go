package spreadsheet

import (
	"fmt"
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
)

// aliases are the header names of each field, in Spanish and English; they
// are compared by key, and each field's own name (and for the address, its
// name without "address.") is one too, so that a file exported by `embudo
// export contacts` imports as it is.
var aliases = map[string][]string{
	fieldName:        {"nombre", "name", "first name", "firstname", "given name", "nombre de pila"},
	fieldSurname:     {"apellidos", "apellido", "surname", "last name", "lastname", "family name"},
	fieldEmail:       {"email", "e-mail", "correo", "correo electrónico", "correo-e", "mail", "email address", "e-mail address", "dirección de correo"},
	fieldPhone:       {"teléfono", "telefono", "phone", "tel", "tel.", "telephone", "phone number", "número de teléfono", "teléfono fijo", "fijo"},
	fieldMobile:      {"móvil", "movil", "mobile", "mobile phone", "teléfono móvil", "celular", "cell", "cell phone"},
	fieldCompany:     {"empresa", "company", "compañía", "company name", "organización", "organization", "organisation", "razón social"},
	fieldJobTitle:    {"cargo", "puesto", "job title", "position", "puesto de trabajo"},
	fieldTaxID:       {"nif", "cif", "nif/cif", "cif/nif", "tax id", "vat", "vat number", "vat id", "dni", "nie"},
	fieldWeb:         {"web", "website", "web site", "sitio web", "página web", "url"},
	fieldObservation: {"observaciones", "observación", "notas", "nota", "notes", "note", "comments", "comment", "comentarios", "comentario", "mensaje", "message"},
	fieldStreet:      {"dirección", "direccion", "address", "street", "calle", "domicilio", "street address"},
	fieldPostalCode:  {"cp", "c.p.", "código postal", "codigo postal", "postal code", "postcode", "zip", "zip code"},
	fieldCity:        {"ciudad", "población", "poblacion", "city", "localidad", "municipio", "town"},
	fieldProvince:    {"provincia", "province", "state", "región", "region"},
	fieldCountry:     {"país", "pais", "country"},
	fieldSource:      {"fuente", "source", "origen", "source id", "sourceId", "id fuente"},
	fieldInterests:   {"intereses", "interés", "interests", "interest", "interestIds", "interest ids"},
	fieldConsent:     {"acepta marketing", "marketing consent", "consentimiento marketing", "consentimiento", "marketing", "acepta publicidad", "acepta comunicaciones", "opt-in", "opt in"},
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
			return nil, fmt.Errorf("--map %q: %q is not a field; the fields are name, surname, email, phone, mobile, company, jobTitle, "+
				"taxId, web, observations, street, postalCode, city, province, country, source, interests and marketingConsent", s, target)
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
}

// MapColumns maps header's columns: the overrides first, then the names
// recognised; a column named in ignores is not read. A field two columns
// would fill is taken from the first; the other is ignored, and said so.
// Errors: an override or ignore naming no column, or no column for the
// name.
func MapColumns(header []string, overrides []Override, ignores []string) (*ColumnMap, error) {
	m := &ColumnMap{Fields: make([]string, len(header))}
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
	}
	for i, h := range header {
		if m.Fields[i] != "" || skip[i] {
			continue
		}
		if f, ok := fieldByKey[key(h)]; ok {
			if j, dup := taken[f]; dup {
				m.Ignored = append(m.Ignored, h)
				m.Shadowed = append(m.Shadowed, fmt.Sprintf("%q: %s comes from %q", h, f, header[j]))
				continue
			}
			m.Fields[i], taken[f] = f, i
			continue
		}
		m.Ignored, m.Unknown = append(m.Ignored, h), append(m.Unknown, h)
	}
	if _, ok := taken[fieldName]; !ok {
		return nil, fmt.Errorf("no column holds the name (columns: %s); name one with --map \"COLUMN=name\"", QuoteAll(header))
	}
	return m, nil
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
