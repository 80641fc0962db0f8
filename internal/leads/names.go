package leads

import (
	"strings"
	"unicode/utf8"

	"github.com/embudo/embudo/internal/crm"
)

// slot is one field of crm.Lead a sender's field can fill.
type slot int

const (
	slotNone slot = iota
	slotName
	slotSurname
	slotEmail
	slotPhone
	slotCompany
	slotJobTitle
	slotMessage
	slotInterests
	slotConsent
	slotWeb
	slotStreet
	slotPostalCode
	slotCity
	slotProvince
	slotCountry
	slotUTMSource
	slotUTMMedium
	slotUTMCampaign
	slotUTMTerm
	slotUTMContent
	slotGCLID
	slotFBCLID
	slotLandingPage
	slotReferrer
	numSlots
)

// isAttribution reports whether s is one of the attribution fields, the
// only ones a form endpoint also reads from the query string.
func (s slot) isAttribution() bool { return s >= slotUTMSource && s <= slotReferrer }

// alias is where a field name goes: the slot, and its rank among the names
// for that slot (lower wins when a post carries several).
type alias struct {
	slot slot
	rank int
}

// aliasNames lists the names of each lead field, best first: the standard
// names, then the spellings HTML forms, Meta's field_data and Spanish sites
// commonly use. No name may appear under two fields.
var aliasNames = map[slot][]string{
	slotName:        {"name", "first_name", "firstname", "nombre", "given_name", "fname", "full_name", "nombre_completo", "your_name"},
	slotSurname:     {"surname", "last_name", "lastname", "apellidos", "apellido", "family_name", "lname"},
	slotEmail:       {"email", "email_address", "mail", "correo", "correo_electronico", "work_email", "_replyto"},
	slotPhone:       {"phone", "phone_number", "telephone", "tel", "telefono", "work_phone", "work_phone_number", "mobile", "mobile_phone", "movil", "telefono_movil", "celular"},
	slotCompany:     {"company", "company_name", "empresa", "organization", "organisation"},
	slotJobTitle:    {"job_title", "cargo", "puesto"},
	slotMessage:     {"message", "mensaje", "comments", "comment", "comentarios", "comentario", "consulta", "observaciones"},
	slotInterests:   {"interests", "interest", "intereses", "interes"},
	slotConsent:     {"marketingConsent", "marketing_consent"},
	slotWeb:         {"web", "website", "sitio_web", "pagina_web"},
	slotStreet:      {"street", "address", "street_address", "direccion", "domicilio", "calle"},
	slotPostalCode:  {"postal_code", "post_code", "zip", "zip_code", "codigo_postal", "cp"},
	slotCity:        {"city", "ciudad", "localidad", "poblacion", "municipio", "town"},
	slotProvince:    {"province", "provincia", "state", "region"},
	slotCountry:     {"country", "pais"},
	slotUTMSource:   {"utm_source"},
	slotUTMMedium:   {"utm_medium"},
	slotUTMCampaign: {"utm_campaign"},
	slotUTMTerm:     {"utm_term"},
	slotUTMContent:  {"utm_content"},
	slotGCLID:       {"gclid"},
	slotFBCLID:      {"fbclid"},
	slotLandingPage: {"landing_page", "landingPage", "landing_page_url"},
	slotReferrer:    {"referrer", "referer"},
}

// aliases maps canonical field names (see canonical) to lead fields.
var aliases = func() map[string]alias {
	m := map[string]alias{}
	for s, names := range aliasNames {
		for i, n := range names {
			if _, dup := m[canonical(n)]; !dup {
				m[canonical(n)] = alias{slot: s, rank: i + 1}
			}
		}
	}
	return m
}()

// canonical folds a field name for matching: lower case, no accents, no
// PHP-style "[]" suffix, and no spaces, underscores, hyphens or dots, so
// "E-mail", "e_mail" and "EMAIL" match "email", "Teléfono" matches
// "telefono" and "firstName" matches "first_name".
func canonical(name string) string {
	name = strings.TrimSuffix(strings.TrimSpace(name), "[]")
	ascii := true
	for i := 0; i < len(name) && ascii; i++ {
		ascii = name[i] < utf8.RuneSelf
	}
	if !ascii {
		name = crm.Fold(name)
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ', r == '_', r == '-', r == '.', r == '\t', r == '\n', r == '\r', r == '\v', r == '\f':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, name)
}

// fieldMap is a source's map from the sender's field names to standard
// names, matched exactly first and then by canonical name.
type fieldMap struct {
	exact map[string]string
	fold  map[string]string
}

func newFieldMap(m map[string]string) fieldMap {
	fm := fieldMap{exact: m}
	if len(m) > 0 {
		fm.fold = make(map[string]string, len(m))
		for k, v := range m {
			if _, dup := fm.fold[canonical(k)]; !dup {
				fm.fold[canonical(k)] = v
			}
		}
	}
	return fm
}

// lookup returns the standard name the source maps key to.
func (fm fieldMap) lookup(key string) (string, bool) {
	if t, ok := fm.exact[key]; ok {
		return strings.TrimSpace(t), true
	}
	if t, ok := fm.fold[canonical(key)]; ok {
		return strings.TrimSpace(t), true
	}
	return "", false
}

// mappedRank puts a field the source mapped explicitly ahead of every
// field matched only by its name.
const mappedRank = -100

// queryRank puts a value from the query string behind every body field.
const queryRank = 1000

// target is where a sender's field goes: a lead field, Extra under a
// name, or nowhere.
type target struct {
	slot  slot   // slotNone: not a lead field
	rank  int    // for a lead field: lower wins
	extra string // for slotNone: the Extra key ("" drops the field)
}

// resolve finds the target of a sender's field: the source's field map
// first (a standard name, another Extra name, or "" to drop the field),
// then the standard names and their aliases, else Extra under its own name.
func resolve(key string, fm fieldMap) target {
	if t, ok := fm.lookup(key); ok {
		if t == "" {
			return target{}
		}
		if a, ok := aliases[canonical(t)]; ok {
			return target{slot: a.slot, rank: mappedRank + a.rank}
		}
		return target{extra: t}
	}
	if a, ok := aliases[canonical(key)]; ok {
		return target{slot: a.slot, rank: a.rank}
	}
	return target{extra: strings.TrimSpace(key)}
}
