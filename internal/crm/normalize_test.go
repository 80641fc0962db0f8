package crm

import (
	"strings"
	"sync"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct {
		in, region, want string
		ok               bool
	}{
		{"+34 600 12 34 56", "ES", "+34600123456", true},
		{"600123456", "ES", "+34600123456", true},
		{"600 12 34 56", "ES", "+34600123456", true},
		{"0034600123456", "ES", "+34600123456", true},
		{"(+34) 600-12-34-56", "ES", "+34600123456", true},
		{"912345678", "ES", "+34912345678", true},
		{"+1 415 555 2671", "ES", "+14155552671", true},
		{"415 555 2671", "US", "+14155552671", true},
		{"", "ES", "", true},
		{"   ", "ES", "", true},
		{"12", "ES", "12", false},
		{"abc", "ES", "abc", false},
		{"+34 600", "ES", "+34 600", false},
	} {
		got, ok := NormalizePhone(tc.in, tc.region)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizePhone(%q, %s) = %q, %v; want %q, %v", tc.in, tc.region, got, ok, tc.want, tc.ok)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{" Jose.Perez@Example.COM ", "jose.perez@example.com", true},
		{"ana+crm@example.es", "ana+crm@example.es", true},
		{"", "", true},
		{"ana", "ana", false},
		{"ana@localhost", "ana@localhost", false},
		{"Ana <ana@example.com>", "ana <ana@example.com>", false},
		{"ana@@example.com", "ana@@example.com", false},
	} {
		got, ok := NormalizeEmail(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"José  PÉREZ":  "jose perez",
		"Íñigo Muñoz":  "inigo munoz",
		"  çà  ":       "ca",
		"Zoë O'Connor": "zoe o'connor",
		"":             "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContactNormalizeNamesEveryBadField(t *testing.T) {
	c := Contact{
		Name:         " ",
		Email:        "not-an-email",
		Phone:        "12",
		Mobile:       "x",
		Web:          "ftp://example.com",
		Address:      Address{Country: "Spain"},
		SourceID:     "nope",
		InterestIDs:  []string{"bad"},
		Lang:         "fr",
		Observations: strings.Repeat("a", MaxObservationLen+1),
	}
	err := c.Normalize("ES")
	e, ok := err.(*Error)
	if !ok || e.Code != CodeInvalid {
		t.Fatalf("got %v, want an invalid error", err)
	}
	for _, f := range []string{"name", "email", "phone", "mobile", "web", "address.country", "sourceId", "interestIds", "lang", "observations"} {
		if e.Fields[f] == "" {
			t.Errorf("field %s not named; fields: %v", f, e.Fields)
		}
	}
}

func TestContactNormalizeCleansGoodInput(t *testing.T) {
	id := NewID(testNow)
	c := Contact{Name: "  José ", Email: "JOSE@Example.com", Phone: "600 12 34 56", Mobile: "+34600123456",
		TaxID: " b12345678 ", Address: Address{Country: "es"}, InterestIDs: []string{id, " " + id + " "}}
	if err := c.Normalize("ES"); err != nil {
		t.Fatal(err)
	}
	if c.Name != "José" || c.Email != "jose@example.com" || c.Phone != "+34600123456" || c.TaxID != "B12345678" ||
		c.Address.Country != "ES" || len(c.InterestIDs) != 1 || c.Lang != LangES {
		t.Fatalf("not cleaned: %+v", c)
	}
	if got := c.Phones(); len(got) != 1 {
		t.Fatalf("phone and mobile are the same number, Phones() = %v", got)
	}
}

func TestContactFilterMatches(t *testing.T) {
	src, ag, in := NewID(testNow), NewID(testNow), NewID(testNow)
	c := Contact{Name: "José", Surname: "Pérez", Email: "jose@example.com", Phone: "+34600123456",
		Mobile: "+34611223344", SourceID: src, AgentID: ag, InterestIDs: []string{in}}
	client := c
	client.ClientID = NewID(testNow)
	for _, tc := range []struct {
		name string
		f    ContactFilter
		c    Contact
		want bool
	}{
		{"empty", ContactFilter{}, c, true},
		{"name prefix", ContactFilter{Query: "jose p"}, c, true},
		{"surname", ContactFilter{Query: "perez"}, c, true},
		{"terms in any order", ContactFilter{Query: "pe jo"}, c, true},
		{"a term of no word", ContactFilter{Query: "jose ruiz"}, c, false},
		{"inside a word", ContactFilter{Query: "erez"}, c, false},
		{"mobile by phone", ContactFilter{Phone: "+34611223344"}, c, true},
		{"phone by phone", ContactFilter{Phone: "+34600123456"}, c, true},
		{"other phone", ContactFilter{Phone: "+34699999999"}, c, false},
		{"other email", ContactFilter{Email: "x@example.com"}, c, false},
		{"source and agent", ContactFilter{SourceID: src, AgentID: ag}, c, true},
		{"other agent", ContactFilter{AgentID: src}, c, false},
		{"interest", ContactFilter{InterestID: in}, c, true},
		{"kind none", ContactFilter{Kind: KindNone}, c, true},
		{"kind none, client", ContactFilter{Kind: KindNone}, client, false},
		{"kind client", ContactFilter{Kind: KindClient}, client, true},
		{"kind supplier", ContactFilter{Kind: KindSupplier}, client, false},
	} {
		if got := tc.f.Matches(tc.c); got != tc.want {
			t.Errorf("%s: Matches = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestContactFilterNormalize(t *testing.T) {
	f := ContactFilter{Email: " ANA@Example.com", Phone: "600 12 34 56", Query: "JOSÉ  Pé"}
	if err := f.Normalize("ES"); err != nil {
		t.Fatal(err)
	}
	if f.Email != "ana@example.com" || f.Phone != "+34600123456" || f.Query != "jose pe" {
		t.Fatalf("%+v", f)
	}
	bad := ContactFilter{Kind: "clients", SourceID: "x", Phone: "abc", Email: "a"}
	e, _ := bad.Normalize("ES").(*Error)
	if e == nil || e.Fields["kind"] == "" || e.Fields["sourceId"] == "" || e.Fields["phone"] == "" || e.Fields["email"] == "" {
		t.Fatalf("%v", e)
	}
}

// Fold runs for every contact written, from many requests at once.
func TestFoldIsSafeConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if got := Fold("José Pérez Íñigo"); got != "jose perez inigo" {
					t.Errorf("Fold under concurrency = %q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}
