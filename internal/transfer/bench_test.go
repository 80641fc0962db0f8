package transfer_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/sqlite"
	"github.com/embudo/embudo/internal/transfer"
)

// synthetic is a CRM of n contacts (each with an e-mail, a mobile, an
// address, an interest, a source and an agent); with full, each also has an
// opportunity, a note, the lead record it came from and two timeline
// entries, and each month of the year its stats rows.
func synthetic(n int, full bool) crm.Snapshot {
	at := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	tick := func() time.Time { at = at.Add(time.Millisecond); return at }
	s := crm.Snapshot{Counters: map[string]int64{}, StateCounts: map[string]int64{}, Seeded: true, AdminCreated: true}
	for _, st := range crm.SeedStates() {
		st.ID, st.CreatedAt, st.UpdatedAt, st.Version = crm.NewID(tick()), at, at, 1
		s.States = append(s.States, st)
	}
	admin := crm.User{ID: crm.NewID(tick()), Name: "Marta", Email: "marta@example.com", Role: crm.RoleAdmin, Active: true, CreatedAt: at, UpdatedAt: at, Version: 1}
	s.Users = []crm.User{admin}
	s.Tokens = []crm.Token{{Hash: crm.HashToken("secret"), UserID: admin.ID, CreatedAt: at}}
	agent := crm.Agent{ID: crm.NewID(tick()), Code: "ANA", Name: "Ana", Email: "ana@example.com", Active: true, CreatedAt: at, UpdatedAt: at, Version: 1}
	s.Agents = []crm.Agent{agent}
	src := crm.Source{ID: crm.NewID(tick()), Name: "Formulario web", Webhook: &crm.Webhook{Kind: crm.FormatForm, TokenHash: crm.HashToken("whk")},
		CreatedAt: at, UpdatedAt: at, Version: 1}
	s.Sources = []crm.Source{src}
	for _, name := range []string{"Cocinas", "Baños"} {
		s.Interests = append(s.Interests, crm.Interest{ID: crm.NewID(tick()), Name: name, CreatedAt: at, UpdatedAt: at, Version: 1})
	}
	for i := range n {
		c := crm.Contact{ID: crm.NewID(tick()), Name: fmt.Sprintf("Contacto %d", i), Surname: "Pérez García",
			Email: fmt.Sprintf("c%d@example.com", i), Mobile: fmt.Sprintf("+346%08d", i), Company: "Reformas del Sur SL",
			Address:     crm.Address{Street: "Calle Mayor 12, 3º B", PostalCode: "28013", City: "Madrid", Province: "Madrid", Country: "ES"},
			InterestIDs: []string{s.Interests[i%2].ID}, SourceID: src.ID, AgentID: agent.ID, MarketingConsent: true, Lang: "es",
			Observations: "Pidió presupuesto para reformar la cocina antes del verano; prefiere que le llamen por la tarde.",
			CreatedBy:    admin.ID, UpdatedBy: admin.ID, CreatedAt: at, UpdatedAt: at, Version: 1}
		s.Contacts = append(s.Contacts, c)
		if !full {
			continue
		}
		o := crm.Opportunity{ID: crm.NewID(tick()), Number: int64(i + 1), ContactID: c.ID, Description: "Reforma de cocina",
			StateID: s.States[0].ID, InterestID: c.InterestIDs[0], SourceID: src.ID, AgentID: agent.ID, ApproxAmountCents: 1200000,
			Currency: "EUR", CreatedBy: admin.ID, UpdatedBy: admin.ID, CreatedAt: at, UpdatedAt: at, Version: 1}
		s.Opportunities = append(s.Opportunities, o)
		s.StateCounts[o.StateID]++
		s.Notes = append(s.Notes, crm.Note{ID: crm.NewID(tick()), ParentKind: crm.ParentOpportunity, ParentID: o.ID, ContactID: c.ID,
			Text: "Llamar el martes para concretar la visita.", Visibility: crm.VisibilityTeam, CreatedBy: admin.ID, UpdatedBy: admin.ID,
			CreatedAt: at, UpdatedAt: at, Version: 1})
		s.Leads = append(s.Leads, crm.KeyedLead{Key: src.ID + "#form#" + c.ID, Record: crm.LeadRecord{ID: crm.NewID(tick()), SourceID: src.ID,
			Format: crm.FormatForm, Outcome: crm.OutcomeCreated, ContactID: c.ID, OpportunityID: o.ID, ReceivedAt: at}})
		for _, k := range []crm.TimelineKind{crm.TimelineCreated, crm.TimelineOpportunity} {
			s.Timeline = append(s.Timeline, crm.TimelineItem{ContactID: c.ID, At: at, EventID: crm.NewID(tick()), Kind: k, RefKind: "contact", RefID: c.ID})
		}
	}
	if full {
		s.Counters["opportunity"] = int64(n)
		for m := 1; m <= 12; m++ {
			s.Stats = append(s.Stats, crm.SourceMonth{SourceID: src.ID, Month: fmt.Sprintf("2025-%02d", m), Leads: int64(n / 12), Contacts: int64(n / 12)})
		}
	}
	return s
}

// BenchmarkCopy copies a CRM of 1,000 contacts into a new table (minidyn
// over loopback HTTP, through the SDK) and back into a new database. Its
// figures: items written a second (the whole copy: read, write, verify),
// the write units and items per contact (table and index writes as DynamoDB
// bills them, from the items' sizes), and for the way back values loaded a
// second.
func BenchmarkCopy(b *testing.B) {
	const n = 1000
	for _, full := range []bool{false, true} {
		name := "contacts"
		if full {
			name = "crm"
		}
		snap := synthetic(n, full)
		dir := b.TempDir()
		st, err := sqlite.Open(bg, filepath.Join(dir, "embudo.db"), sqlite.Options{Logger: quiet, Synchronous: "NORMAL"})
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Load(bg, snap); err != nil {
			b.Fatal(err)
		}
		st.Close()
		from := transfer.Endpoint{DB: filepath.Join(dir, "embudo.db"), Files: filepath.Join(dir, "files")}
		// The table the way back reads, filled once.
		filled := dynamotest.New(b)
		if _, err := transfer.Copy(bg, transfer.Options{From: from, To: transfer.Endpoint{Table: filled.Name}, DynamoDB: filled.Client, Log: quiet}); err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/sqlite-to-dynamodb", func(b *testing.B) {
			var items, units int
			var spent time.Duration
			for range b.N {
				b.StopTimer()
				tbl := dynamotest.New(b)
				b.StartTimer()
				// minidyn ignores Segment: one segment reads the table once.
				rep, err := transfer.Copy(bg, transfer.Options{From: from, To: transfer.Endpoint{Table: tbl.Name}, DynamoDB: tbl.Client, Segments: 1, Log: quiet})
				if err != nil {
					b.Fatal(err)
				}
				items, units, spent = items+rep.Written, units+rep.Units, spent+rep.Elapsed
			}
			b.ReportMetric(float64(items)/spent.Seconds(), "items/s")
			b.ReportMetric(float64(units)/float64(b.N*n), "WU/contact")
			b.ReportMetric(float64(items)/float64(b.N*n), "items/contact")
		})
		b.Run(name+"/dynamodb-to-sqlite", func(b *testing.B) {
			values := 0
			for _, k := range transfer.Summary(snap) {
				values += k.Count
			}
			var spent time.Duration
			for range b.N {
				to := transfer.Endpoint{DB: filepath.Join(b.TempDir(), "embudo.db")}
				rep, err := transfer.Copy(bg, transfer.Options{From: transfer.Endpoint{Table: filled.Name}, To: to, DynamoDB: filled.Client, Segments: 1, Log: quiet})
				if err != nil {
					b.Fatal(err)
				}
				spent += rep.Elapsed
			}
			b.ReportMetric(float64(values*b.N)/spent.Seconds(), "values/s")
		})
	}
}
