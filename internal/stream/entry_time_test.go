package stream_test

import (
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// A change's timeline entries carry the time the change was made, not the
// time the stream handled it: a lead handled an hour late is on the
// timeline when it arrived. The same records delivered again (a retried
// batch, an hour later still) leave each entry once, where it was, and
// count nothing twice.
func TestTimelineEntriesAtTheTimeOfTheChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	src, err := f.svc.CreateSource(bg, crm.Source{Name: "Formulario web", Webhook: &crm.Webhook{Kind: crm.FormatForm,
		Assignment: crm.AssignFixed, DefaultAgentID: f.agentBruno.ID}})
	if err != nil {
		t.Fatal(err)
	}
	f.settle()
	rec, _, err := f.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Name: "Rosa", Email: "rosa@example.com"})
	if err != nil || rec.Outcome != crm.OutcomeCreated {
		t.Fatalf("lead: %+v %v", rec, err)
	}
	c, err := f.st.GetContact(bg, rec.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	ev := f.take()
	f.setSkew(time.Hour)
	f.handle(ev)
	f.setSkew(2 * time.Hour)
	f.handle(ev)

	p, err := f.svc.Timeline(bg, f.admin, c.ID, crm.ListOptions{Limit: crm.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	want := map[crm.TimelineKind]time.Time{crm.TimelineCreated: c.CreatedAt, crm.TimelineLead: rec.ReceivedAt}
	for _, it := range p.Items {
		at, ok := want[it.Kind]
		if !ok {
			t.Errorf("an entry %s, or one twice: %+v", it.Kind, it)
			continue
		}
		delete(want, it.Kind)
		if !it.At.Equal(at) {
			t.Errorf("%s entry at %s, want the time of the change, %s", it.Kind, it.At, at)
		}
	}
	if len(want) > 0 {
		t.Errorf("entries missing: %v (timeline %+v)", want, p.Items)
	}
	for _, row := range allStats(t, f.st) {
		if row.SourceID == src.ID && (row.Leads != 1 || row.Contacts != 1) {
			t.Errorf("counters %+v, want one lead and one contact", row)
		}
	}
}
