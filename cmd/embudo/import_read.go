package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/embudo/embudo/internal/crm"
)

// Reading an import file: its encoding, its separator, its records and
// which column fills which field of a row.

// importDecodeText returns data as UTF-8 text without a byte order mark.
// UTF-16 (with its BOM, as Excel's "Unicode text") and Windows-1252 (any
// file that is not valid UTF-8, as Excel's "CSV" on Windows) are
// converted; note says so.
func importDecodeText(data []byte) (text, note string, err error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		big := data[0] == 0xFE
		data = data[2:]
		if len(data)%2 != 0 {
			return "", "", errors.New("the file starts as UTF-16 but has an odd number of bytes")
		}
		u := make([]uint16, len(data)/2)
		for i := range u {
			if big {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			} else {
				u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
			}
		}
		return string(utf16.Decode(u)), "read as UTF-16", nil
	}
	if utf8.Valid(data) {
		return string(data), "", nil
	}
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for _, c := range data {
		if c >= 0x80 && c < 0xA0 {
			b.WriteRune(cp1252[c-0x80])
		} else {
			b.WriteRune(rune(c)) // ASCII, and 0xA0-0xFF as in Latin-1
		}
	}
	return b.String(), "not UTF-8: read as Windows-1252", nil
}

// cp1252 are the characters of Windows-1252's bytes 0x80 to 0x9F (the five
// it leaves undefined are kept as the C1 controls of the same number).
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// importSheet is a CSV file read: its header and its records.
type importSheet struct {
	header  []string
	records []importRecord
}

// importRecord is one record and the line of the file it starts on.
type importRecord struct {
	line  int
	cells []string
}

// importParseSheet reads text as CSV separated by delim, or by the
// separator the header line uses most (";", "," or tab) when delim is 0.
func importParseSheet(text string, delim rune) (*importSheet, error) {
	if delim == 0 {
		delim = importDetectDelimiter(text)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	s := &importSheet{}
	for {
		cells, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		if s.header == nil {
			if importBlank(cells) {
				continue
			}
			s.header = cells
			continue
		}
		s.records = append(s.records, importRecord{line: line, cells: cells})
	}
	if s.header == nil {
		return nil, errors.New("the file is empty: it needs a header line naming the columns")
	}
	return s, nil
}

// importDetectDelimiter picks the separator of text's first line: the most
// frequent of ";", "," and tab outside quotes (a comma when none is).
func importDetectDelimiter(text string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, c := range text {
		if c == '\n' && !quoted {
			break
		}
		switch c {
		case '"':
			quoted = !quoted
		case ';', ',', '\t':
			if !quoted {
				counts[c]++
			}
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// transferDelimiter reads a separator flag: one character, or "tab" / "\t".
func transferDelimiter(s string) (rune, bool) {
	switch strings.ToLower(s) {
	case "tab", `\t`:
		return '\t', true
	}
	if utf8.RuneCountInString(s) != 1 {
		return 0, false
	}
	c, _ := utf8.DecodeRuneInString(s)
	if c == '"' || c == '\r' || c == '\n' || c == utf8.RuneError {
		return 0, false
	}
	return c, true
}

// importBlank is true for a record with nothing in any cell (spreadsheets
// write such lines at the end).
func importBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

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

// importAliases are the header names of each field, in Spanish and
// English; they are compared by importKey, and each field's own name (and
// for the address, its name without "address.") is one too, so that a file
// exported by `embudo export contacts` imports as it is.
var importAliases = map[string][]string{
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

// importFieldByKey finds a field by the importKey of any of its names.
var importFieldByKey = func() map[string]string {
	m := map[string]string{}
	for f, names := range importAliases {
		m[importKey(f)] = f
		m[importKey(strings.TrimPrefix(f, "address."))] = f
		for _, n := range names {
			m[importKey(n)] = f
		}
	}
	return m
}()

// importKey is a header name compared without case, accents, spaces nor
// punctuation: "Código  Postal" and "codigo_postal" are "codigopostal".
func importKey(s string) string {
	var b strings.Builder
	for _, c := range crm.Fold(s) {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// importOverride is one --map: a column read as a field.
type importOverride struct{ column, field string }

// importParseMaps reads the --map flags ("COLUMN=field").
func importParseMaps(maps []string) ([]importOverride, error) {
	var out []importOverride
	for _, s := range maps {
		i := strings.LastIndexByte(s, '=')
		if i <= 0 {
			return nil, fmt.Errorf("--map %q: write COLUMN=field", s)
		}
		col, target := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
		f, ok := importFieldByKey[importKey(target)]
		if !ok {
			return nil, fmt.Errorf("--map %q: %q is not a field; the fields are name, surname, email, phone, mobile, company, jobTitle, "+
				"taxId, web, observations, street, postalCode, city, province, country, source, interests and marketingConsent", s, target)
		}
		out = append(out, importOverride{column: col, field: f})
	}
	return out, nil
}

// importColumnMap says which field each column of a file fills.
type importColumnMap struct {
	fields   []string // by column; "" for a column not read
	ignored  []string // columns not read (not those given to --ignore)
	unknown  []string // those of them whose name is no field's
	shadowed []string // why the others are not read: their field comes from another column
}

// importMapColumns maps header's columns: the --map overrides first, then
// the names recognised; a column named in ignores is not read. A field two
// columns would fill is taken from the first; the other is ignored, and
// said so. Errors: an override or ignore naming no column, or no column
// for the name.
func importMapColumns(header []string, overrides []importOverride, ignores []string) (*importColumnMap, error) {
	m := &importColumnMap{fields: make([]string, len(header))}
	find := func(name string) int {
		for i, h := range header {
			if strings.TrimSpace(h) == strings.TrimSpace(name) {
				return i
			}
		}
		for i, h := range header {
			if importKey(h) == importKey(name) && importKey(h) != "" {
				return i
			}
		}
		return -1
	}
	skip := make([]bool, len(header))
	for _, name := range ignores {
		i := find(name)
		if i < 0 {
			return nil, fmt.Errorf("--ignore %q: no column is called so (the columns are %s)", name, importQuoteAll(header))
		}
		skip[i] = true
	}
	taken := map[string]int{}
	for _, o := range overrides {
		i := find(o.column)
		if i < 0 {
			return nil, fmt.Errorf("--map %q: no column is called so (the columns are %s)", o.column, importQuoteAll(header))
		}
		if j, dup := taken[o.field]; dup && j != i {
			return nil, fmt.Errorf("--map: columns %q and %q are both mapped to %s", header[j], header[i], o.field)
		}
		m.fields[i], taken[o.field], skip[i] = o.field, i, false
	}
	for i, h := range header {
		if m.fields[i] != "" || skip[i] {
			continue
		}
		if f, ok := importFieldByKey[importKey(h)]; ok {
			if j, dup := taken[f]; dup {
				m.ignored = append(m.ignored, h)
				m.shadowed = append(m.shadowed, fmt.Sprintf("%q: %s comes from %q", h, f, header[j]))
				continue
			}
			m.fields[i], taken[f] = f, i
			continue
		}
		m.ignored, m.unknown = append(m.ignored, h), append(m.unknown, h)
	}
	if _, ok := taken[fieldName]; !ok {
		return nil, fmt.Errorf("no column holds the name (columns: %s); name one with --map \"COLUMN=name\"", importQuoteAll(header))
	}
	return m, nil
}

// describe lists the columns read and their fields.
func (m *importColumnMap) describe(header []string) string {
	var parts []string
	for i, f := range m.fields {
		if f != "" {
			parts = append(parts, fmt.Sprintf("%s→%s", header[i], f))
		}
	}
	return strings.Join(parts, ", ")
}

// importQuoteAll quotes and joins names.
func importQuoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// row fills an import row from a record of a sheet of ncols columns;
// fields names what makes it wrong before any server sees it.
func (m *importColumnMap) row(rec importRecord, ncols int) (importRow, map[string]string) {
	r := importRow{Line: rec.line}
	var fields map[string]string
	bad := func(k, v string) {
		if fields == nil {
			fields = map[string]string{}
		}
		fields[k] = v
	}
	for i, cell := range rec.cells {
		cell = strings.TrimSpace(cell)
		if i >= ncols {
			if cell != "" {
				bad("row", fmt.Sprintf("has %d cells but the header names %d columns (a separator inside a value needs quotes)", len(rec.cells), ncols))
				break
			}
			continue
		}
		switch m.fields[i] {
		case fieldName:
			r.Name = cell
		case fieldSurname:
			r.Surname = cell
		case fieldEmail:
			r.Email = cell
		case fieldPhone:
			r.Phone = cell
		case fieldMobile:
			r.Mobile = cell
		case fieldCompany:
			r.Company = cell
		case fieldJobTitle:
			r.JobTitle = cell
		case fieldTaxID:
			r.TaxID = cell
		case fieldWeb:
			r.Web = cell
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
			r.Address.Country = importCountry(cell)
		case fieldSource:
			r.Source = cell
		case fieldInterests:
			r.Interests = importSplitList(cell)
		case fieldConsent:
			v, ok := importParseConsent(cell)
			if !ok {
				bad(fieldConsent, fmt.Sprintf("is not yes or no: %q", cell))
			}
			r.MarketingConsent = v
		}
	}
	return r, fields
}

// importSplitList splits a cell holding several values separated by ",",
// ";" or "|".
func importSplitList(cell string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(cell, func(c rune) bool { return c == ',' || c == ';' || c == '|' }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// importParseConsent reads a yes/no cell in Spanish or English; an empty
// cell is no.
func importParseConsent(cell string) (bool, bool) {
	switch importKey(cell) {
	case "", "no", "n", "false", "falso", "0", "f":
		return false, true
	case "si", "s", "yes", "y", "true", "verdadero", "1", "x", "v", "acepta", "ok":
		return true, true
	}
	return false, false
}

// importCountries are the ISO 3166 codes of the countries a Spanish
// company's files name most, by their folded Spanish and English names: the
// API keeps a country only as its two-letter code.
var importCountries = map[string]string{
	"espana": "ES", "spain": "ES", "portugal": "PT", "francia": "FR", "france": "FR", "italia": "IT", "italy": "IT",
	"alemania": "DE", "germany": "DE", "reino unido": "GB", "united kingdom": "GB", "uk": "GB", "gran bretana": "GB",
	"irlanda": "IE", "ireland": "IE", "belgica": "BE", "belgium": "BE", "paises bajos": "NL", "holanda": "NL",
	"netherlands": "NL", "suiza": "CH", "switzerland": "CH", "austria": "AT", "andorra": "AD", "marruecos": "MA",
	"morocco": "MA", "estados unidos": "US", "united states": "US", "usa": "US", "eeuu": "US", "ee uu": "US",
	"mexico": "MX", "argentina": "AR", "colombia": "CO", "chile": "CL", "peru": "PE", "venezuela": "VE",
	"ecuador": "EC", "uruguay": "UY", "paraguay": "PY", "bolivia": "BO", "cuba": "CU", "republica dominicana": "DO",
	"brasil": "BR", "brazil": "BR", "china": "CN", "japon": "JP", "japan": "JP",
}

// importCountry turns a country's name into its code when it is one of
// importCountries; anything else goes as written (a code, or a name the
// server will keep out of the contact).
func importCountry(cell string) string {
	k := strings.Trim(strings.ReplaceAll(crm.Fold(cell), ".", " "), " ")
	k = strings.Join(strings.Fields(k), " ")
	if code, ok := importCountries[k]; ok {
		return code
	}
	return cell
}
