package stream_test

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// TestTimelineNamesTheWebhookAndAgents: what a lead changes is on the
// timeline as done by its source's webhook (no user: not the admin who
// last edited the contact), named; an assignment shows the agent's name;
// what a user does names the user.
func TestTimelineNamesTheWebhookAndAgents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Email: "lucia@example.com"})
	if _, err := f.svc.UpdateContact(as(admin), c.ID, 0, func(x *crm.Contact) error { x.Company = "ACME"; return nil }); err != nil {
		t.Fatal(err)
	}
	src, err := f.svc.CreateSource(bg, crm.Source{Name: "Formulario web", Webhook: &crm.Webhook{Kind: crm.FormatForm,
		Assignment: crm.AssignFixed, DefaultAgentID: f.agentBruno.ID}})
	if err != nil {
		t.Fatal(err)
	}
	merged, _, err := f.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Name: "Lucía", Email: "lucia@example.com", Phone: "600111222"})
	if err != nil || merged.Outcome != crm.OutcomeMerged {
		t.Fatalf("merge: %+v %v", merged, err)
	}
	created, _, err := f.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Name: "Rosa", Email: "rosa@example.com"})
	if err != nil || created.Outcome != crm.OutcomeCreated {
		t.Fatalf("new lead: %+v %v", created, err)
	}
	f.settle()

	entry := func(contactID string, kind crm.TimelineKind) crm.TimelineItem {
		t.Helper()
		p, err := f.svc.Timeline(bg, admin, contactID, crm.ListOptions{Limit: crm.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Items {
			if it.Kind == kind {
				return it
			}
		}
		t.Fatalf("no %s entry in %+v", kind, p.Items)
		return crm.TimelineItem{}
	}
	byWebhook := func(what string, it crm.TimelineItem) {
		t.Helper()
		if it.Actor != "" || it.ActorName != "Formulario web" {
			t.Errorf("%s: actor %q (%q), want no user and the webhook's source, Formulario web", what, it.Actor, it.ActorName)
		}
	}
	assigned := entry(c.ID, crm.TimelineAssigned)
	byWebhook("the merged lead's assignment", assigned)
	if assigned.Summary != "Bruno Díaz" || assigned.RefID != f.agentBruno.ID {
		t.Errorf("assignment summary %q (ref %s), want the agent's name, Bruno Díaz (ref %s)", assigned.Summary, assigned.RefID, f.agentBruno.ID)
	}
	byWebhook("the merged lead", entry(c.ID, crm.TimelineLead))
	byWebhook("the contact a lead created", entry(created.ContactID, crm.TimelineCreated))
	byWebhook("the new contact's lead", entry(created.ContactID, crm.TimelineLead))
	if it := entry(c.ID, crm.TimelineCreated); it.Actor != admin.ID || it.ActorName != "Marta Admin" {
		t.Errorf("created by the admin: actor %q (%q), want %s (Marta Admin)", it.Actor, it.ActorName, admin.ID)
	}
}
