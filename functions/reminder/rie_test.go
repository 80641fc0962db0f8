package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/emulate"
	"github.com/embudo/embudo/internal/rietest"
)

// The note events/reminder-note.json names: no such note exists (events
// are static), so the function must send nothing and succeed.
const missingNoteID = "01KJQ0PH50Z7F4317VNGHT5RMY"

// invoke sends payload and returns the function's JSON result, failing on
// a function error.
func invoke(t *testing.T, emu *rietest.Emulator, payload []byte) map[string]any {
	t.Helper()
	var res map[string]any
	emu.CallJSON(t, payload, &res)
	return res
}

// TestEventsUnderEmulator runs the built bootstrap under aws-lambda-rie
// against minidyn (the table of template.yaml) and the SES v2 emulator,
// with every events/reminder-*.json and with a schedule's payload for a
// real note. The function has no Scheduler client: reminding and sweeping
// arm no schedule (internal/archtest).
func TestEventsUnderEmulator(t *testing.T) {
	bootstrap := rietest.Build(t, ".")
	ses := emulate.StartSES(t)
	ctx := context.Background()

	dbURL, client, table := emulate.Table(t, "../../template.yaml")
	st := dynamo.New(client, table)
	svc := crm.NewService(st, crm.Config{})
	if err := svc.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	marta, err := svc.CreateUser(ctx, crm.User{Name: "Marta Ruiz", Email: "marta.ruiz@example.com", Active: true, Lang: crm.LangES})
	if err != nil {
		t.Fatal(err)
	}
	ana, err := svc.CreateUser(ctx, crm.User{Name: "Ana Smith", Email: "ana.smith@example.com", Active: true, Lang: crm.LangEN})
	if err != nil {
		t.Fatal(err)
	}
	contact, err := svc.CreateContact(ctx, marta, crm.Contact{Name: "Lucía", Surname: "Fernández"})
	if err != nil {
		t.Fatal(err)
	}
	// Pending reminders, written as the API would; no stream runs here, so
	// nobody armed or sent them. One is overdue (its schedule was lost),
	// one is due tomorrow.
	overdue := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	tomorrow := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	lost, err := svc.CreateNote(ctx, marta, crm.ParentContact, contact.ID, crm.Note{Text: "Llamar a Lucía", AvisoAt: &overdue})
	if err != nil {
		t.Fatal(err)
	}
	scheduled, err := svc.CreateNote(ctx, ana, crm.ParentContact, contact.ID, crm.Note{Text: "Send the brochure", AvisoAt: &tomorrow, Visibility: crm.VisibilityPrivate})
	if err != nil {
		t.Fatal(err)
	}

	emu := rietest.Start(t, bootstrap, []string{
		"TABLE_NAME=" + table,
		"DYNAMODB_ENDPOINT=" + dbURL,
		"SENDER_EMAIL=Embudo <no-reply@embudo.example>",
		"SES_ENDPOINT=" + ses.URL,
		"APP_URL=https://crm.example.com",
	})

	expectations := map[string]func(t *testing.T, payload []byte){
		"reminder-note.json": func(t *testing.T, payload []byte) {
			var ev struct {
				NoteID string `json:"noteId"`
			}
			if err := json.Unmarshal(payload, &ev); err != nil || ev.NoteID != missingNoteID {
				t.Fatalf("events/reminder-note.json names note %q (%v), want the missing %s", ev.NoteID, err, missingNoteID)
			}
			before := len(ses.Emails(t))
			res := invoke(t, emu, payload)
			if got := ses.Emails(t); len(got) != before {
				t.Errorf("a reminder for a note that does not exist sent %+v", got[before:])
			}
			if _, ok := res["swept"]; ok {
				t.Errorf("a schedule's event was taken for a sweep: %v", res)
			}
		},
		"reminder-sweep.json": func(t *testing.T, payload []byte) {
			before := len(ses.Emails(t))
			res := invoke(t, emu, payload)
			if res["swept"] != float64(1) {
				t.Errorf("sweep result %v, want {\"swept\":1} (the overdue reminder)", res)
			}
			got := ses.Emails(t)[before:]
			if len(got) != 1 || len(got[0].Destination.To) != 1 || !strings.Contains(got[0].Destination.To[0], "marta.ruiz@example.com") ||
				got[0].Subject != "Recordatorio: Lucía Fernández" || !strings.Contains(got[0].Body.Text, "Llamar a Lucía") {
				t.Fatalf("the sweep sent %+v, want Marta's reminder", got)
			}
			if n, err := st.GetNote(ctx, lost.ID); err != nil || n.NotifiedAt == nil {
				t.Errorf("the swept note is not marked notified: %+v %v", n, err)
			}
			// Swept again: nothing is due any more.
			res = invoke(t, emu, payload)
			if len(res) != 0 {
				t.Errorf("second sweep result %v, want {} (nothing swept)", res)
			}
			if n := len(ses.Emails(t)); n != before+1 {
				t.Errorf("a second sweep sent %d more e-mails", n-before-1)
			}
		},
	}

	rietest.EachEvent(t, "reminder-*.json", expectations, func(t *testing.T, check func(*testing.T, []byte), payload []byte) {
		check(t, payload)
	})

	// What a schedule delivers for a real note: a stale time sends nothing;
	// the note's own time sends the reminder to its author, once however
	// often Scheduler retries.
	t.Run("schedule payload", func(t *testing.T) {
		payload := func(at time.Time) []byte {
			b, _ := json.Marshal(map[string]any{"noteId": scheduled.ID, "avisoAt": at.Format(time.RFC3339)})
			return b
		}
		before := len(ses.Emails(t))
		invoke(t, emu, payload(tomorrow.Add(-time.Hour)))
		if got := ses.Emails(t); len(got) != before {
			t.Fatalf("a stale schedule sent %+v", got[before:])
		}
		for range 2 {
			invoke(t, emu, payload(tomorrow))
		}
		got := ses.Emails(t)[before:]
		if len(got) != 1 || !strings.Contains(got[0].Destination.To[0], "ana.smith@example.com") || got[0].Subject != "Reminder: Lucía Fernández" {
			t.Fatalf("the schedule sent %+v, want one English reminder to Ana", got)
		}
		if n, err := st.GetNote(ctx, scheduled.ID); err != nil || n.NotifiedAt == nil {
			t.Errorf("the note is not marked notified: %+v %v", n, err)
		}
	})

	// An event with no note and no sweep is refused (Scheduler would not
	// send one; a hand-made invocation gets an error, not a silent success).
	t.Run("empty event", func(t *testing.T) {
		out := emu.Call(t, []byte(`{}`))
		if !strings.Contains(string(out), "errorMessage") || !strings.Contains(string(out), "noteId") {
			t.Errorf("response %s, want an error naming noteId", out)
		}
	})
}
