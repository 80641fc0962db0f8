package crm

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Who may see and do what.
func TestPermissions(t *testing.T) {
	ana := User{ID: NewID(testNow), Role: RoleStaff, Active: true}
	admin := User{ID: NewID(testNow), Role: RoleAdmin, Active: true}
	for _, tc := range []struct {
		u    User
		want bool
	}{
		{admin, true},
		{User{Role: RoleAdmin}, false}, // a deactivated admin is no admin
		{ana, false},
		{User{Role: "", Active: true}, false},
	} {
		if got := tc.u.IsAdmin(); got != tc.want {
			t.Errorf("IsAdmin(%+v) = %v, want %v", tc.u, got, tc.want)
		}
	}
	private := Note{Visibility: VisibilityPrivate, CreatedBy: ana.ID}
	team := Note{Visibility: VisibilityTeam, CreatedBy: ana.ID}
	if !private.VisibleTo(ana) || private.VisibleTo(admin) || !team.VisibleTo(ana) || !team.VisibleTo(admin) {
		t.Error("a private note is its author's only; a team note everyone's")
	}
	entry := TimelineItem{PrivateTo: ana.ID}
	if !entry.VisibleTo(ana) || entry.VisibleTo(admin) || !(TimelineItem{}).VisibleTo(admin) {
		t.Error("a private timeline entry is its user's only")
	}
	aviso := testNow
	if !(Note{AvisoAt: &aviso}).Pending() || (Note{AvisoAt: &aviso, NotifiedAt: &aviso}).Pending() || (Note{}).Pending() {
		t.Error("a reminder is pending until it went out")
	}
}

func TestNoteNormalize(t *testing.T) {
	at := time.Date(2026, 12, 1, 16, 30, 45, 123, time.FixedZone("CET", 3600))
	n := Note{Text: " Llamar ", AvisoAt: &at}
	if err := n.Normalize(); err != nil || n.Text != "Llamar" || n.Visibility != VisibilityTeam || !n.AvisoAt.Equal(time.Date(2026, 12, 1, 15, 30, 45, 0, time.UTC)) || n.AvisoAt.Location() != time.UTC {
		t.Errorf("%+v %v", n, err)
	}
	for _, tc := range []struct {
		n     Note
		field string
	}{
		{Note{Text: "x", Visibility: "secret"}, "visibility"},
		{Note{Text: "x", Visibility: VisibilityPrivate, RemindAll: true}, "remindAll"},
		{Note{Text: "x", InterestID: "nope"}, "interestId"},
		{Note{}, "text"},
	} {
		if f := fieldsOf(t, tc.n.Normalize()); f[tc.field] == "" || len(f) != 1 {
			t.Errorf("%+v: %v, want only %s", tc.n, f, tc.field)
		}
	}
	n = Note{Text: "x", Visibility: VisibilityTeam, RemindAll: true}
	if err := n.Normalize(); err != nil {
		t.Errorf("a team note reminding everyone: %v", err)
	}
}

func TestParseAviso(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	for in, want := range map[string]time.Time{
		"2026-12-01":                time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), // 09:00 in Madrid, winter
		" 2026-07-01 ":              time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC),  // 09:00 in Madrid, summer
		"2026-12-01T16:30:00+01:00": time.Date(2026, 12, 1, 15, 30, 0, 0, time.UTC),
	} {
		got, err := ParseAviso(in, madrid)
		if err != nil || got == nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseAviso(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got, err := ParseAviso("  ", madrid); got != nil || err != nil {
		t.Errorf("blank: %v %v", got, err)
	}
	if _, err := ParseAviso("mañana", madrid); fieldsOf(t, err)["avisoAt"] == "" {
		t.Errorf("mañana: %v", err)
	}
}

// The source report's derived figures.
func TestReportDerive(t *testing.T) {
	r := SourceReport{Leads: 3, Opportunities: 4, Won: 1, Lost: 2, WonAmountCents: 1000, CostCents: 500}
	derive(&r)
	if r.Open != 1 || *r.ConversionRate != 0.25 || *r.CostPerLeadCents != 167 || *r.CostPerWonCents != 500 || *r.ROI != 1 {
		t.Errorf("derived %+v", r)
	}
	r = SourceReport{}
	derive(&r)
	if r.ConversionRate != nil || r.CostPerLeadCents != nil || r.CostPerWonCents != nil || r.ROI != nil || r.Open != 0 {
		t.Errorf("nothing to divide by: %+v", r)
	}
	r = SourceReport{CostCents: 100, Opportunities: 1}
	derive(&r)
	if r.CostPerLeadCents != nil || r.CostPerWonCents != nil || *r.ROI != -1 || *r.ConversionRate != 0 || r.Open != 1 {
		t.Errorf("a cost without leads or wins: %+v", r)
	}
	for _, tc := range []struct{ a, b, want int64 }{
		{10, 4, 3}, {9, 4, 2}, {-10, 4, -3}, {-9, 4, -2}, {10, -4, -3}, {-10, -4, 3}, {1, 3, 0}, {2, 3, 1}, {0, 5, 0}, {15, 10, 2}, {14, 10, 1},
	} {
		if got := divRound(tc.a, tc.b); got != tc.want {
			t.Errorf("divRound(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestMonthRange(t *testing.T) {
	madrid, _ := time.LoadLocation("Europe/Madrid")
	// 31 December 23:30 UTC is already January in Madrid.
	s := NewService(nil, Config{TimeZone: madrid, Now: func() time.Time { return time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC) }})
	for _, tc := range []struct{ from, to, wantFrom, wantTo, field string }{
		{"", "", "2026-02", "2027-01", ""},
		{"", "2026-06", "2025-07", "2026-06", ""},
		{"2026-03", "2026-03", "2026-03", "2026-03", ""},
		{"2016-06", "2026-06", "2016-06", "2026-06", ""},
		{"2016-05", "2026-06", "", "", "from"},
		{"2026-04", "2026-03", "", "", "from"},
		{"2026-13", "", "", "", "from"},
		{"", "junio", "", "", "to"},
	} {
		from, to, err := s.MonthRange(tc.from, tc.to)
		if tc.field != "" {
			if fieldsOf(t, err)[tc.field] == "" {
				t.Errorf("MonthRange(%q, %q) = %v, want invalid %s", tc.from, tc.to, err, tc.field)
			}
			continue
		}
		if err != nil || from != tc.wantFrom || to != tc.wantTo {
			t.Errorf("MonthRange(%q, %q) = %q, %q, %v; want %q, %q", tc.from, tc.to, from, to, err, tc.wantFrom, tc.wantTo)
		}
	}
}

func TestWebhookNormalize(t *testing.T) {
	agent := NewID(testNow)
	w := Webhook{AllowedOrigins: []string{" HTTPS://WWW.Example.com/ ", "http://localhost:8080"}, FieldMap: map[string]string{"Nombre completo": "name", "tel[]": "phone"}}
	if err := w.Normalize(); err != nil {
		t.Fatal(err)
	}
	if w.Kind != FormatForm || w.Honeypot != "_gotcha" || w.Assignment != AssignNone || w.AllowedOrigins[0] != "https://www.example.com" || w.AllowedOrigins[1] != "http://localhost:8080" {
		t.Errorf("defaults %+v", w)
	}
	w = Webhook{DefaultAgentID: agent}
	if err := w.Normalize(); err != nil || w.Assignment != AssignFixed {
		t.Errorf("an agent without a mode is fixed: %+v %v", w, err)
	}
	for _, k := range []LeadFormat{FormatForm, FormatJSON} {
		w := Webhook{Kind: k, Assignment: AssignRoundRobin, Honeypot: " trampa "}
		if err := w.Normalize(); err != nil || w.Honeypot != "trampa" {
			t.Errorf("%s: %+v %v", k, w, err)
		}
	}
	if w := (Webhook{Kind: FormatGoogleAds, Secret: "k"}); w.Normalize() != nil {
		t.Error("google-ads with its key")
	}
	if w := (Webhook{Kind: FormatMeta, Secret: "s", VerifyToken: "v", AccessToken: "a"}); w.Normalize() != nil {
		t.Error("meta with its three secrets")
	}
	manyFields := map[string]string{}
	for i := range 101 {
		manyFields[fmt.Sprint("f", i)] = "name"
	}
	manyOrigins := make([]string, 21)
	for i := range manyOrigins {
		manyOrigins[i] = fmt.Sprintf("https://o%d.example", i)
	}
	for _, tc := range []struct {
		w     Webhook
		field string
	}{
		{Webhook{Kind: "zapier"}, "webhook.kind"},
		{Webhook{Kind: FormatGoogleAds}, "webhook.secret"},
		{Webhook{Kind: FormatMeta, Secret: "s", VerifyToken: "v"}, "webhook.secret"},
		{Webhook{Kind: FormatMeta, Secret: "s", AccessToken: "a"}, "webhook.secret"},
		{Webhook{Kind: FormatMeta, VerifyToken: "v", AccessToken: "a"}, "webhook.secret"},
		{Webhook{FieldMap: map[string]string{"": "name"}}, "webhook.fieldMap"},
		{Webhook{FieldMap: map[string]string{"a/b": "name"}}, "webhook.fieldMap"},
		{Webhook{FieldMap: map[string]string{"edad": "age"}}, "webhook.fieldMap.edad"},
		{Webhook{FieldMap: manyFields}, "webhook.fieldMap"},
		{Webhook{AllowedOrigins: manyOrigins}, "webhook.allowedOrigins"},
		{Webhook{AllowedOrigins: []string{"https://www.example.com/path"}}, "webhook.allowedOrigins"},
		{Webhook{AllowedOrigins: []string{"ftp://www.example.com"}}, "webhook.allowedOrigins"},
		{Webhook{AllowedOrigins: []string{"https://"}}, "webhook.allowedOrigins"},
		{Webhook{AllowedOrigins: []string{"https://www.example.com?x=1"}}, "webhook.allowedOrigins"},
		{Webhook{AllowedOrigins: []string{"https://a.example", "%zz"}}, "webhook.allowedOrigins"},
		{Webhook{RedirectURL: "gracias.html"}, "webhook.redirectUrl"},
		{Webhook{DefaultAgentID: "x"}, "webhook.defaultAgentId"},
		{Webhook{OpportunityStateID: "x"}, "webhook.opportunityStateId"},
		{Webhook{Assignment: AssignFixed}, "webhook.defaultAgentId"},
		{Webhook{Assignment: "random"}, "webhook.assignment"},
		{Webhook{Secret: strings.Repeat("s", 501)}, "webhook.secret"},
	} {
		if f := fieldsOf(t, tc.w.Normalize()); f[tc.field] == "" || len(f) != 1 {
			t.Errorf("%+v: %v, want only %s", tc.w, f, tc.field)
		}
	}
	// A source names its webhook's bad fields.
	src := Source{Name: "Web", Webhook: &Webhook{Kind: "zapier"}, CostCents: -1}
	if f := fieldsOf(t, src.Normalize()); f["webhook.kind"] == "" || f["costCents"] == "" || len(f) != 2 {
		t.Errorf("source: %v", f)
	}
}

// A form's origin and its _next redirect must be on an allowed origin.
func TestWebhookOrigins(t *testing.T) {
	w := Webhook{AllowedOrigins: []string{"https://www.example.com", "http://localhost:8080"}}
	for origin, want := range map[string]bool{
		"https://www.example.com": true, "HTTPS://WWW.EXAMPLE.COM/": true, "http://localhost:8080": true,
		"http://www.example.com": false, "https://example.com": false, "": false, "null": false,
	} {
		if got := w.AllowsOrigin(origin); got != want {
			t.Errorf("AllowsOrigin(%q) = %v, want %v", origin, got, want)
		}
	}
	for next, want := range map[string]bool{
		"https://www.example.com/gracias?x=1": true, "http://localhost:8080/ok": true,
		"https://evil.example/gracias": false, "//www.example.com/gracias": false, "/gracias": false,
		"https://user@www.example.com/gracias": false, "javascript:alert(1)": false, "https://www.example.com:8443/": false, "%zz": false,
	} {
		if got := w.AllowsRedirect(next); got != want {
			t.Errorf("AllowsRedirect(%q) = %v, want %v", next, got, want)
		}
	}
	if (Webhook{}).AllowsOrigin("") {
		t.Error("no origins allows the empty one")
	}
}

func TestErrors(t *testing.T) {
	cause := errors.New("disco lleno")
	e := &Error{Code: CodeInvalid, Message: "m", Fields: map[string]string{"b": "2", "a": "1"}, Err: cause}
	if got := e.Error(); got != "invalid: m; a: 1; b: 2: disco lleno" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(e, cause) || errors.Unwrap(e) != cause {
		t.Error("the cause is not unwrapped")
	}
	if got := NotFound("contact").Error(); got != "not_found: contact not found" {
		t.Errorf("%q", got)
	}
	for _, tc := range []struct {
		err  *Error
		code Code
	}{
		{Conflict("c"), CodeConflict}, {Internal(cause), CodeInternal}, {Unavailable("u", cause), CodeUnavailable},
		{Forbidden("f"), CodeForbidden}, {Unauthorized("u"), CodeUnauthorized}, {Stale("note"), CodePreconditionFailed},
		{InvalidField("x", "y"), CodeInvalid},
	} {
		if ErrorCode(fmt.Errorf("wrapped: %w", tc.err)) != tc.code || tc.err.Message == "" {
			t.Errorf("%v: code %s, want %s", tc.err, ErrorCode(tc.err), tc.code)
		}
	}
	if !strings.Contains(Stale("note").Message, "note was changed") || Internal(cause).Err != cause || Unavailable("u", cause).Err != cause {
		t.Error("messages and causes")
	}
	if err := CheckID("id", "x"); fieldsOf(t, err)["id"] == "" {
		t.Errorf("CheckID: %v", err)
	}
	if err := CheckID("id", NewID(testNow)); err != nil {
		t.Errorf("CheckID of an ID: %v", err)
	}
	if err := checkVersion("contact", 2, 3); ErrorCode(err) != CodePreconditionFailed {
		t.Errorf("checkVersion stale: %v", err)
	}
	if checkVersion("contact", 0, 3) != nil || checkVersion("contact", 3, 3) != nil {
		t.Error("checkVersion refuses a match or no If-Match")
	}
}

func TestParties(t *testing.T) {
	if PartyClient.CodePrefix() != "C" || PartySupplier.CodePrefix() != "P" || !PartyClient.Valid() || !PartySupplier.Valid() || PartyKind("x").Valid() {
		t.Error("kinds")
	}
	if partyCode(PartySupplier, 42) != "P00042" || partyCode(PartyClient, 123456) != "C123456" {
		t.Error("partyCode")
	}
	agent := NewID(testNow)
	c := Contact{ID: NewID(testNow), Name: "Ana", Surname: "Ruiz", Company: "Acme", TaxID: "B1", Email: "a@x.es", Phone: "+34600123456",
		Mobile: "+34611223344", Web: "https://acme.example", Observations: "o", AgentID: agent}
	p := PartyFromContact(c, PartyClient)
	want := Party{Kind: PartyClient, Name: "Ana Ruiz", LegalName: "Acme", TaxID: "B1", Email: "a@x.es", Phone: "+34600123456",
		Mobile: "+34611223344", Web: "https://acme.example", Observations: "o", MainContactID: c.ID, AgentID: agent}
	if p != want {
		t.Errorf("client\n %+v\nwant\n %+v", p, want)
	}
	c.Company = ""
	p = PartyFromContact(c, PartySupplier)
	if p.AgentID != "" || p.LegalName != "Ana Ruiz" || p.Kind != PartySupplier {
		t.Errorf("a supplier keeps no agent, its legal name is its name: %+v", p)
	}
	p.ID = NewID(testNow)
	mc := p.MainContact()
	if mc.SupplierID != p.ID || mc.ClientID != "" || mc.Company != "" || mc.Name != "Ana Ruiz" || mc.Email != "a@x.es" {
		t.Errorf("supplier's main contact %+v", mc)
	}
	p.Kind, p.LegalName = PartyClient, "Acme S.L."
	if mc := p.MainContact(); mc.ClientID != p.ID || mc.SupplierID != "" || mc.Company != "Acme S.L." {
		t.Errorf("client's main contact %+v", mc)
	}
	if linkedParty(Contact{ClientID: "c", SupplierID: "s"}, PartySupplier) != "s" || linkedParty(Contact{ClientID: "c", SupplierID: "s"}, PartyClient) != "c" {
		t.Error("linkedParty")
	}
	q := Party{Name: " Acme ", TaxID: " b1 "}
	if err := q.Normalize("ES"); err != nil || q.LegalName != "Acme" || q.TaxID != "B1" {
		t.Errorf("party normalize: %+v %v", q, err)
	}
}

func TestEntityKinds(t *testing.T) {
	for _, tc := range []struct {
		e    Entity
		want string
	}{{Contact{}, "contact"}, {Opportunity{}, "opportunity"}, {Note{}, "note"}, {File{}, "file"}, {Quote{}, "quote"}, {LeadRecord{}, "lead"}, {nil, ""}} {
		if got := EntityKind(tc.e); got != tc.want {
			t.Errorf("EntityKind(%T) = %q, want %q", tc.e, got, tc.want)
		}
	}
	if BlobKey("01ABC") != "files/01ABC" {
		t.Error("BlobKey")
	}
}

// An opportunity is won when it is closed in a won state; it has at most
// one accepted quote.
func TestOpportunityWonAndAcceptedQuote(t *testing.T) {
	at := testNow
	for _, tc := range []struct {
		o    Opportunity
		want bool
	}{
		{Opportunity{Outcome: OutcomeWon, ClosedAt: &at}, true},
		{Opportunity{Outcome: OutcomeWon}, false},
		{Opportunity{Outcome: OutcomeLost, ClosedAt: &at}, false},
		{Opportunity{Outcome: OutcomeOpen}, false},
	} {
		if got := tc.o.Won(); got != tc.want {
			t.Errorf("Won(%s, closed %v) = %v, want %v", tc.o.Outcome, tc.o.ClosedAt != nil, got, tc.want)
		}
	}
	o := Opportunity{Quotes: []QuoteRef{{ID: "a", Status: QuoteSent}, {ID: "b", Status: QuoteAccepted}, {ID: "c", Status: QuoteRejected}}}
	if got := o.AcceptedQuote(); got != "b" {
		t.Errorf("AcceptedQuote = %q, want b", got)
	}
	o.Quotes[1].Status = QuoteDraft
	if got := o.AcceptedQuote(); got != "" {
		t.Errorf("AcceptedQuote of none = %q", got)
	}
}
