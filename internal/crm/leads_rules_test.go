package crm

import (
	"reflect"
	"strings"
	"testing"
)

// Which contact a lead enriches, and which of its e-mail and phone the
// enriched contact claims.
func TestLeadMerge(t *testing.T) {
	ana, beto := NewID(testNow), NewID(testNow)
	lead := Contact{Name: "Ana", Email: "ana@example.es", Phone: "+34600123456"}
	interests := []string{NewID(testNow)}
	for _, tc := range []struct {
		name               string
		look               LeadLookup
		c                  Contact
		attempt            int
		merge              bool
		owner              string
		addEmail, addPhone bool
	}{
		{"nobody holds either: a new contact", LeadLookup{}, lead, 0, false, "", false, false},
		{"found by e-mail: the phone is claimed too", LeadLookup{EmailOwner: ana}, lead, 0, true, ana, false, true},
		{"found by phone: the e-mail is claimed too", LeadLookup{PhoneOwner: ana}, lead, 0, true, ana, true, false},
		{"both held by the same contact: nothing to claim", LeadLookup{EmailOwner: ana, PhoneOwner: ana}, lead, 0, true, ana, false, false},
		{"e-mail and phone held by two contacts: the e-mail's owner, claiming nothing", LeadLookup{EmailOwner: ana, PhoneOwner: beto}, lead, 0, true, ana, false, false},
		{"a retry claims nothing", LeadLookup{PhoneOwner: ana}, lead, 1, true, ana, false, false},
		{"a retry by e-mail claims no phone", LeadLookup{EmailOwner: ana}, lead, 2, true, ana, false, false},
		{"no e-mail to claim", LeadLookup{PhoneOwner: ana}, Contact{Name: "Ana", Phone: "+34600123456"}, 0, true, ana, false, false},
		{"no phone to claim", LeadLookup{EmailOwner: ana}, Contact{Name: "Ana", Email: "ana@example.es"}, 0, true, ana, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := leadMerge(tc.look, tc.c, interests, tc.attempt, testNow)
			if ok != tc.merge {
				t.Fatalf("merge %v, want %v", ok, tc.merge)
			}
			if !ok {
				return
			}
			want := ContactMerge{ContactID: tc.owner, Fill: tc.c, InterestIDs: interests, UpdatedAt: testNow, AddEmail: tc.addEmail, AddPhone: tc.addPhone}
			if !reflect.DeepEqual(m, want) {
				t.Errorf("merge\n %+v\nwant\n %+v", m, want)
			}
		})
	}
}

// A lead's fields are trimmed; an e-mail or phone that is not valid moves
// to Extra instead of losing the lead; a web address gets its scheme; the
// message is cut to the observations limit.
func TestCleanLead(t *testing.T) {
	l := Lead{Name: "  Ana ", Surname: " Ruiz ", Email: " ANA@Example.ES ", Phone: "600 12 34 56", Mobile: "+34 611 22 33 44",
		Company: " Acme ", JobTitle: " CEO ", Web: " acme.example ", Message: " " + strings.Repeat("m", 10001) + " "}
	cleanLead(&l, "ES")
	if l.Name != "Ana" || l.Surname != "Ruiz" || l.Email != "ana@example.es" || l.Phone != "+34600123456" || l.Mobile != "+34611223344" ||
		l.Company != "Acme" || l.JobTitle != "CEO" || l.Web != "https://acme.example" || len(l.Message) != 10000 || l.Extra != nil {
		t.Errorf("cleaned %+v", l)
	}
	l = Lead{Name: "Ana", Email: "ana@", Phone: "12", Mobile: "x", Web: "http://acme.example"}
	cleanLead(&l, "ES")
	want := map[string]string{"email (not valid)": "ana@", "phone (not valid)": "12", "mobile (not valid)": "x"}
	if l.Email != "" || l.Phone != "" || l.Mobile != "" || l.Web != "http://acme.example" || !reflect.DeepEqual(l.Extra, want) {
		t.Errorf("not valid: %+v", l)
	}
	l = Lead{Name: "Ana", Extra: map[string]string{"color": "azul"}, Phone: "no"}
	cleanLead(&l, "ES")
	if !reflect.DeepEqual(l.Extra, map[string]string{"color": "azul", "phone (not valid)": "no"}) {
		t.Errorf("extra kept: %v", l.Extra)
	}
}

func TestMatchInterests(t *testing.T) {
	alarmas := Interest{ID: NewID(testNow), Name: "Alarmas"}
	camaras := Interest{ID: NewID(testNow), Name: "Cámaras IP"}
	all := []Interest{alarmas, camaras}
	ids, unmatched := matchInterests([]string{" alarmas ", "CAMARAS ip", "", camaras.ID, "Drones", "  "}, all)
	if !reflect.DeepEqual(ids, []string{alarmas.ID, camaras.ID}) || !reflect.DeepEqual(unmatched, []string{"Drones"}) {
		t.Errorf("ids %v unmatched %v", ids, unmatched)
	}
	// At most MaxInterests, the first ones.
	var many []Interest
	var names []string
	for i := range MaxInterests + 2 {
		many = append(many, Interest{ID: NewID(testNow), Name: strings.Repeat("x", i+1)})
		names = append(names, strings.Repeat("x", i+1))
	}
	ids, unmatched = matchInterests(names, many)
	if len(ids) != MaxInterests || ids[0] != many[0].ID || ids[MaxInterests-1] != many[MaxInterests-1].ID || len(unmatched) != 0 {
		t.Errorf("%d ids (%v), unmatched %v", len(ids), ids, unmatched)
	}
	if ids, unmatched := matchInterests(nil, all); ids != nil || unmatched != nil {
		t.Errorf("none: %v %v", ids, unmatched)
	}
}

// A lead whose optional fields are odd is kept: each odd field moves to
// the record's Extra; a name too long is cut; only a contact still
// invalid fails.
func TestNormalizeLeadContact(t *testing.T) {
	c := Contact{Name: strings.Repeat("n", MaxNameLen+5), Web: "no es una web", Address: Address{Country: "España", City: "Cádiz"},
		Attribution: Attribution{UTMSource: strings.Repeat("u", 201), GCLID: "g"}, Observations: "hola"}
	rec := LeadRecord{Extra: map[string]string{"color": "azul"}}
	if err := normalizeLeadContact(&c, "ES", &rec); err != nil {
		t.Fatal(err)
	}
	if len([]rune(c.Name)) != MaxNameLen || c.Web != "" || c.Address.Country != "" || c.Address.City != "Cádiz" ||
		c.Attribution.UTMSource != "" || c.Attribution.GCLID != "g" || c.Observations != "hola" {
		t.Errorf("contact %+v", c)
	}
	want := map[string]string{"color": "azul", "web (not valid)": "no es una web", "address.country (not valid)": "ESPAÑA", // upper-cased as a country code before it is refused
		"attribution.utmSource (not valid)": strings.Repeat("u", 201)}
	if !reflect.DeepEqual(rec.Extra, want) {
		t.Errorf("extra %v", rec.Extra)
	}
	// A record without Extra gets one; a value kept is cut at 1000 characters.
	c = Contact{Name: "Ana", Surname: strings.Repeat("s", 1500)}
	rec = LeadRecord{}
	if err := normalizeLeadContact(&c, "ES", &rec); err != nil || c.Surname != "" || len([]rune(rec.Extra["surname (not valid)"])) != 1000 {
		t.Errorf("surname: %q %d %v", c.Surname, len(rec.Extra["surname (not valid)"]), err)
	}
	// A valid contact is left alone; one without a name still fails.
	c = Contact{Name: "Ana", Web: "https://ana.example"}
	rec = LeadRecord{}
	if err := normalizeLeadContact(&c, "ES", &rec); err != nil || c.Web != "https://ana.example" || rec.Extra != nil {
		t.Errorf("valid: %+v %v %v", c, rec.Extra, err)
	}
	c = Contact{Name: " ", Web: "x"}
	if f := fieldsOf(t, normalizeLeadContact(&c, "ES", &rec)); f["name"] == "" || len(f) != 1 {
		t.Errorf("no name: %v", f)
	}
}

func TestLeadHelpers(t *testing.T) {
	src := Source{ID: NewID(testNow)}
	k := leadKey(src, Lead{Format: FormatMeta, ExternalID: "L1"})
	if !strings.HasPrefix(k, src.ID+"#meta#") || len(k) != len(src.ID)+len("#meta#")+32 {
		t.Errorf("leadKey %q", k)
	}
	if k == leadKey(src, Lead{Format: FormatMeta, ExternalID: "L2"}) || k == leadKey(src, Lead{Format: FormatJSON, ExternalID: "L1"}) ||
		k == leadKey(Source{ID: NewID(testNow)}, Lead{Format: FormatMeta, ExternalID: "L1"}) {
		t.Error("leadKey does not tell deliveries apart")
	}
	if k != leadKey(src, Lead{Format: FormatMeta, ExternalID: "L1"}) {
		t.Error("leadKey is not stable")
	}
	if leadKey(src, Lead{Format: FormatForm}) != "" {
		t.Error("a delivery without an ID has a key")
	}
	if firstNonEmpty("", "b", "c") != "b" || firstNonEmpty("", "") != "" || firstNonEmpty("a") != "a" {
		t.Error("firstNonEmpty")
	}
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{{"ñandú", 3, "ñan"}, {"ñandú", 5, "ñandú"}, {"ñandú", 6, "ñandú"}, {"", 0, ""}, {"abc", 0, ""}} {
		if got := truncate(tc.s, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
	r := LeadRecord{ID: "L", SourceID: "S", Format: FormatForm, Outcome: OutcomeMerged, ContactID: "C", Message: "secreto"}
	if got := r.String(); got != "lead L source S form merged contact C" {
		t.Errorf("String() = %q", got)
	}
}
