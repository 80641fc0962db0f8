package dynamo_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
)

// testdata/changes-v1.log is the change log of a data directory written by
// `embudo serve` before it moved to SQLite (internal/local, the embedded
// DynamoDB emulator with its change capture; the log was never compacted).
// It was made once by a throwaway test on that code: local.Open on a
// temporary directory, its change feed running the stream handler
// (stream.Handler through dynamo.StreamHandler, e-mail and schedules
// faked), and crm.NewService(dynamo.New(store.DB, "embudo"), ...) with a
// clock starting at 2026-01-12 08:30 UTC and stepping 7.123 s a call:
//
//   - BootstrapAdmin marta@example.com with the secret fixtureAdminSecret
//     (seeding the states and settings), a staff user Ana Smith (lang en)
//     with a token "phone", the notify-note setting given a Spanish subject;
//   - interests Cocinas and Baños, agent ANA linked to Ana, a source Web
//     with a JSON webhook (create opportunity, default agent ANA) and a
//     source Feria Hábitat costing 3000.00, a state Visita técnica;
//   - contacts Lucía García (e-mail, phone, mobile, address, both
//     interests, Feria, agent ANA, attribution), and Borrado, deleted at the
//     end; Lucía converted to a client; a supplier Maderas Norte;
//   - an opportunity Cocina completa for Lucía moved to Visita técnica, a
//     quote generated from it, a team note on Lucía, a private note with an
//     aviso on the opportunity, a file plano.pdf uploaded and completed;
//   - a lead from the Web webhook (Sara Ruiz, interest "baños",
//     attribution, an extra field), which created her contact and an
//     opportunity;
//   - an idempotency record, and one ApplyOnce of a timeline entry
//     (manual-1) and December 2025 stats.
//
// The feed wrote the timeline, the stats and the effect markers of every
// record.
const fixtureAdminSecret = "embudo-fixture-admin-token-0000000000000"

const fixture = "testdata/changes-v1.log"

func TestReadChangeLogOfVersion1(t *testing.T) {
	s, err := dynamo.ReadChangeLog(fixture)
	if err != nil {
		t.Fatal(err)
	}
	at := func(v string) time.Time {
		t.Helper()
		x, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	ulid := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)
	hash := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, id := range ids(s) {
		if !ulid.MatchString(id) {
			t.Errorf("ID %q is not a ULID", id)
		}
	}

	// Users and tokens.
	if len(s.Users) != 2 {
		t.Fatalf("users: %+v", s.Users)
	}
	admin, ana := s.Users[0], s.Users[1]
	if admin.Email != "marta@example.com" || admin.Role != crm.RoleAdmin || !admin.Active || admin.Version != 1 ||
		ana.Email != "ana@example.com" || ana.Role != crm.RoleStaff || ana.Lang != "en" || ana.Version != 1 {
		t.Errorf("users: %+v", s.Users)
	}
	if len(s.Tokens) != 2 || s.Tokens[0] != (crm.Token{Hash: crm.HashToken(fixtureAdminSecret), UserID: admin.ID, Name: "bootstrap", CreatedAt: admin.CreatedAt}) ||
		!hash.MatchString(s.Tokens[1].Hash) || s.Tokens[1].UserID != ana.ID || s.Tokens[1].Name != "phone" {
		t.Errorf("tokens: %+v", s.Tokens)
	}
	if !s.Seeded || !s.AdminCreated {
		t.Errorf("seeded %v, admin created %v", s.Seeded, s.AdminCreated)
	}

	// Catalog, states and settings.
	if len(s.Interests) != 2 || s.Interests[0].Name != "Cocinas" || s.Interests[0].Observations != "Reformas de cocina" || s.Interests[1].Name != "Baños" {
		t.Errorf("interests: %+v", s.Interests)
	}
	cocinas, banos := s.Interests[0], s.Interests[1]
	if len(s.Agents) != 1 || s.Agents[0].Code != "ANA" || s.Agents[0].UserID != ana.ID || !s.Agents[0].Active || s.Agents[0].Version != 1 {
		t.Fatalf("agents: %+v", s.Agents)
	}
	agent := s.Agents[0]
	if len(s.Sources) != 2 {
		t.Fatalf("sources: %+v", s.Sources)
	}
	web, feria := s.Sources[0], s.Sources[1]
	if w := web.Webhook; web.Name != "Web" || web.CostCents != 12000 || w == nil || w.Kind != crm.FormatJSON || !hash.MatchString(w.TokenHash) ||
		!w.CreateOpportunity || w.DefaultAgentID != agent.ID || w.Token != "" {
		t.Errorf("web source: %+v %+v", web, web.Webhook)
	}
	if feria.Name != "Feria Hábitat" || feria.CostCents != 300000 || feria.Webhook != nil || feria.Version != 1 {
		t.Errorf("feria source: %+v", feria)
	}
	if len(s.States) != 6 {
		t.Fatalf("states: %+v", s.States)
	}
	var def, visita crm.State
	for _, st := range s.States {
		if st.Default {
			def = st
		}
		if st.Name == "Visita técnica" {
			visita = st
		}
	}
	if def.Name != "Nuevo" || def.Outcome != crm.OutcomeOpen || visita.Order != 25 || visita.Color != "#0ea5e9" || visita.Version != 1 {
		t.Errorf("states: %+v", s.States)
	}
	if len(s.Settings) != 6 {
		t.Fatalf("settings: %+v", s.Settings)
	}
	for _, st := range s.Settings {
		want := 1
		if st.Key == crm.NotifyNote {
			want = 2
			if st.Overrides["es"].Subject != "Nota nueva: {{.Title}}" {
				t.Errorf("notify-note overrides: %+v", st.Overrides)
			}
		}
		if !st.Enabled || st.Version != want || !crm.IsNotificationKey(st.Key) {
			t.Errorf("setting: %+v", st)
		}
	}

	// Contacts and parties; Borrado was deleted.
	if len(s.Contacts) != 3 {
		t.Fatalf("contacts: %+v", s.Contacts)
	}
	lucia, maderas, sara := s.Contacts[0], s.Contacts[1], s.Contacts[2]
	if len(s.Parties) != 2 {
		t.Fatalf("parties: %+v", s.Parties)
	}
	client, supplier := s.Parties[0], s.Parties[1]
	if lucia.Name != "Lucía" || lucia.Email != "lucia@example.com" || lucia.Phone != "+34600111222" || lucia.Mobile != "+34611222333" ||
		lucia.Address.City != "Madrid" || lucia.SourceID != feria.ID || lucia.AgentID != agent.ID || lucia.ClientID != client.ID ||
		!reflect.DeepEqual(lucia.InterestIDs, []string{cocinas.ID, banos.ID}) || !lucia.MarketingConsent ||
		lucia.Attribution.UTMCampaign != "habitat-2026" || lucia.CreatedBy != admin.ID || lucia.Version != 2 ||
		!lucia.CreatedAt.Equal(at("2026-01-12T08:31:25.476Z")) || !lucia.UpdatedAt.Equal(at("2026-01-12T08:31:46.845Z")) {
		t.Errorf("Lucía: %+v", lucia)
	}
	if client.Kind != crm.PartyClient || client.Code != "C00001" || client.MainContactID != lucia.ID || client.Version != 1 {
		t.Errorf("client: %+v", client)
	}
	if supplier.Kind != crm.PartySupplier || supplier.Code != "P00001" || supplier.TaxID != "B12345678" ||
		supplier.MainContactID != maderas.ID || maderas.SupplierID != supplier.ID {
		t.Errorf("supplier: %+v, its contact %+v", supplier, maderas)
	}
	if sara.Name != "Sara" || sara.Phone != "+34644555666" || sara.SourceID != web.ID || !reflect.DeepEqual(sara.InterestIDs, []string{banos.ID}) {
		t.Errorf("Sara: %+v", sara)
	}

	// The pipeline.
	if len(s.Opportunities) != 2 || len(s.Quotes) != 1 {
		t.Fatalf("opportunities %+v, quotes %+v", s.Opportunities, s.Quotes)
	}
	cocina, fromLead, quote := s.Opportunities[0], s.Opportunities[1], s.Quotes[0]
	if cocina.Number != 1 || cocina.ContactID != lucia.ID || cocina.StateID != visita.ID || cocina.InterestID != cocinas.ID ||
		cocina.AssigneeID != ana.ID || cocina.ApproxAmountCents != 1200000 || cocina.AmountCents != 1200000 || cocina.Currency != "EUR" ||
		cocina.ExpectedCloseDate != "2026-03-31" || cocina.Outcome != crm.OutcomeOpen || cocina.Version != 3 ||
		len(cocina.Quotes) != 1 || cocina.Quotes[0] != (crm.QuoteRef{ID: quote.ID, Status: crm.QuoteDraft, SubtotalCents: 1200000}) {
		t.Errorf("Cocina completa: %+v", cocina)
	}
	if fromLead.Number != 2 || fromLead.ContactID != sara.ID || fromLead.StateID != def.ID || fromLead.SourceID != web.ID ||
		fromLead.AgentID != agent.ID || fromLead.InterestID != banos.ID || fromLead.Version != 1 {
		t.Errorf("opportunity of the lead: %+v", fromLead)
	}
	if quote.Number != "2026-0001" || quote.OpportunityID != cocina.ID || quote.ContactID != lucia.ID || quote.TotalCents != 1452000 ||
		len(quote.Lines) != 1 || quote.Lines[0].TaxBP != 2100 || quote.Lines[0].InterestID != cocinas.ID || quote.Version != 1 {
		t.Errorf("quote: %+v", quote)
	}

	// Notes, files, leads.
	if len(s.Notes) != 2 {
		t.Fatalf("notes: %+v", s.Notes)
	}
	team, private := s.Notes[0], s.Notes[1]
	if team.ParentKind != crm.ParentContact || team.ParentID != lucia.ID || team.Visibility != crm.VisibilityTeam || team.AvisoAt != nil {
		t.Errorf("team note: %+v", team)
	}
	if private.ParentKind != crm.ParentOpportunity || private.ParentID != cocina.ID || private.ContactID != lucia.ID ||
		private.Visibility != crm.VisibilityPrivate || private.AvisoAt == nil || !private.AvisoAt.Equal(at("2026-06-01T09:00:00Z")) ||
		private.NotifiedAt != nil || private.CreatedBy != admin.ID {
		t.Errorf("private note: %+v", private)
	}
	if len(s.Files) != 1 || s.Files[0].Name != "plano.pdf" || s.Files[0].Status != crm.FileComplete || s.Files[0].Size != 48213 ||
		s.Files[0].ParentID != cocina.ID || s.Files[0].Version != 2 {
		t.Errorf("files: %+v", s.Files)
	}
	if len(s.Leads) != 1 {
		t.Fatalf("leads: %+v", s.Leads)
	}
	lead := s.Leads[0]
	if !strings.HasPrefix(lead.Key, web.ID+"#json#") || lead.Record.SourceID != web.ID || lead.Record.Outcome != crm.OutcomeCreated ||
		lead.Record.ContactID != sara.ID || lead.Record.OpportunityID != fromLead.ID || lead.Record.ExternalID != "web-0001" ||
		lead.Record.Attribution.GCLID != "abc123" || lead.Record.Extra["horario"] != "tardes" || lead.Record.Message != "Quiero reformar el baño" {
		t.Errorf("lead: %+v", lead)
	}

	// What the stream wrote, and the numbers.
	kinds := map[string]int{}
	var manual crm.TimelineItem
	for _, it := range s.Timeline {
		kinds[string(it.Kind)]++
		if it.EventID == "manual-1" {
			manual = it
		}
		if it.Kind == "note" && it.RefID == private.ID && it.PrivateTo != admin.ID {
			t.Errorf("the private note's entry is not private to its author: %+v", it)
		}
	}
	if len(s.Timeline) != 14 || kinds["created"] != 4 || kinds["state"] != 1 || kinds["quote"] != 1 || kinds["lead"] != 1 ||
		manual.ContactID != lucia.ID || manual.Summary != "importado" {
		t.Errorf("timeline: %v %+v", kinds, s.Timeline)
	}
	stats := map[string]crm.SourceMonth{}
	for _, m := range s.Stats {
		stats[m.SourceID+" "+m.Month] = m
	}
	if len(s.Stats) != 5 ||
		stats[" 2025-12"] != (crm.SourceMonth{Month: "2025-12", Contacts: 3}) ||
		stats[feria.ID+" 2025-12"] != (crm.SourceMonth{SourceID: feria.ID, Month: "2025-12", WonAmountCents: 450000}) ||
		stats[web.ID+" 2026-01"] != (crm.SourceMonth{SourceID: web.ID, Month: "2026-01", Leads: 1, Contacts: 1, Opportunities: 1}) {
		t.Errorf("stats: %+v", s.Stats)
	}
	if want := map[string]int64{"opportunity": 2, "quote-2026": 1, "client": 1, "supplier": 1}; !reflect.DeepEqual(s.Counters, want) {
		t.Errorf("counters %v, want %v", s.Counters, want)
	}
	if len(s.StateCounts) != 6 || s.StateCounts[def.ID] != 1 || s.StateCounts[visita.ID] != 1 {
		t.Errorf("state counts: %v", s.StateCounts)
	}
}

// ids lists the IDs of the snapshot's entities.
func ids(s crm.Snapshot) []string {
	var out []string
	for _, v := range s.Contacts {
		out = append(out, v.ID)
	}
	for _, v := range s.Parties {
		out = append(out, v.ID)
	}
	for _, v := range s.Opportunities {
		out = append(out, v.ID)
	}
	for _, v := range s.Quotes {
		out = append(out, v.ID)
	}
	for _, v := range s.Notes {
		out = append(out, v.ID)
	}
	for _, v := range s.Files {
		out = append(out, v.ID)
	}
	for _, v := range s.Sources {
		out = append(out, v.ID)
	}
	for _, v := range s.Interests {
		out = append(out, v.ID)
	}
	for _, v := range s.Agents {
		out = append(out, v.ID)
	}
	for _, v := range s.States {
		out = append(out, v.ID)
	}
	for _, v := range s.Users {
		out = append(out, v.ID)
	}
	for _, v := range s.Leads {
		out = append(out, v.Record.ID)
	}
	return out
}

// writeLog writes a change log of the given content to a temporary file.
func writeLog(t *testing.T, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "changes.log")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A crash in the middle of a write leaves an incomplete last line: it is
// ignored, and everything before it kept.
func TestReadChangeLogIgnoresATornTail(t *testing.T) {
	want, err := dynamo.ReadChangeLog(fixture)
	if err != nil {
		t.Fatal(err)
	}
	b := readFixture(t)
	for name, tail := range map[string]string{
		"cut in a record": `{"eventID":"999","eventName":"INSERT","dynamodb":{"Keys":{"PK":{"S":"CON`,
		// Complete JSON, but the newline never reached the disk: the write
		// was not acknowledged.
		"cut before its newline": `{"eventID":"999","eventName":"REMOVE","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"PK":{"S":"CONFIG"},"SK":{"S":"ADMIN"}},"SequenceNumber":"999"}}`,
	} {
		got, err := dynamo.ReadChangeLog(writeLog(t, append(append([]byte{}, b...), tail...)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the snapshot changed", name)
		}
	}
	if s, err := dynamo.ReadChangeLog(writeLog(t, nil)); err != nil || len(s.Contacts) != 0 || s.Seeded {
		t.Errorf("empty log: %+v %v", s, err)
	}
}

// A damaged line before the end is refused, naming the file and the line:
// cutting the log there would silently lose everything after it.
func TestReadChangeLogRefusesADamagedLine(t *testing.T) {
	lines := strings.SplitAfter(string(readFixture(t)), "\n")
	for name, damage := range map[string]string{
		"garbage":           "\x00\x00\x00\x00\n",
		"cut short":         lines[39][:len(lines[39])/2] + "\n",
		"unknown event":     strings.Replace(lines[39], `"eventName":"`, `"eventName":"X`, 1),
		"no keys":           strings.Replace(lines[39], `"Keys":`, `"Kays":`, 1),
		"no sequence":       strings.Replace(lines[39], `"SequenceNumber":`, `"Sequence":`, 1),
		"an empty line":     "\n",
		"bad DynamoDB JSON": strings.Replace(lines[39], `"NewImage":{`, `"NewImage":{"x":{"S":1},`, 1),
	} {
		damaged := append(append(append([]string{}, lines[:39]...), damage), lines[40:]...)
		path := writeLog(t, []byte(strings.Join(damaged, "")))
		_, err := dynamo.ReadChangeLog(path)
		if err == nil || !strings.Contains(err.Error(), path+":40:") {
			t.Errorf("%s: %v; want an error naming %s:40", name, err, path)
		}
	}
}
