package stream_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// The timeline entry each kind of change makes, and the changes that make
// none: what a user reads on a contact's page.

// entriesOf returns the entries of kind on a contact's timeline as u sees
// it, as "refKind:refID summary (actor name)", sorted.
func entriesOf(t *testing.T, f *fixture, u crm.User, contactID string, kind crm.TimelineKind) []string {
	t.Helper()
	p, err := f.svc.Timeline(bg, u, contactID, crm.ListOptions{Limit: crm.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range p.Items {
		if it.Kind == kind {
			out = append(out, it.RefKind+":"+it.RefID+" "+it.Summary+" ("+it.ActorName+")")
		}
	}
	slices.Sort(out)
	return out
}

// wantEntries fails the test unless the contact's entries of kind, as u
// sees them, are want (in any order).
func wantEntries(t *testing.T, f *fixture, u crm.User, contactID string, kind crm.TimelineKind, want ...string) {
	t.Helper()
	got := entriesOf(t, f, u, contactID, kind)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s entries seen by %s:\n got  %q\n want %q", kind, u.Name, got, want)
	}
}

// A contact made a client and then a supplier has one entry for each,
// naming the party and who converted it; editing the contact before or
// after adds none.
func TestTimelineConversionEntries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández"})
	edit := func(company string) {
		t.Helper()
		if _, err := f.svc.UpdateContact(as(admin), c.ID, 0, func(x *crm.Contact) error { x.Company = company; return nil }); err != nil {
			t.Fatal(err)
		}
		f.settle()
	}
	edit("Cocinas Lucía")
	wantEntries(t, f, admin, c.ID, crm.TimelineConverted)

	client, created, err := f.svc.Convert(as(admin), c.ID, crm.PartyClient)
	if err != nil || !created {
		t.Fatalf("convert to client: created %v, %v", created, err)
	}
	f.settle()
	wantEntries(t, f, admin, c.ID, crm.TimelineConverted, "client:"+client.ID+" client (Marta Admin)")

	supplier, created, err := f.svc.Convert(as(f.beto), c.ID, crm.PartySupplier)
	if err != nil || !created {
		t.Fatalf("convert to supplier: created %v, %v", created, err)
	}
	f.settle()
	edit("Cocinas Lucía SL")
	wantEntries(t, f, admin, c.ID, crm.TimelineConverted,
		"client:"+client.ID+" client (Marta Admin)", "supplier:"+supplier.ID+" supplier (Beto Ruiz)")
}

// Each move of an opportunity to another state is an entry naming the
// state it entered; editing it without moving it is none.
func TestTimelineStateEntries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía"})
	o := f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: "Cocina"})
	var a, b crm.State
	for _, s := range mustStates(t, f.svc) {
		switch {
		case s.ID == o.StateID:
		case a.ID == "":
			a = s
		case b.ID == "" && s.Name != a.Name:
			b = s
		}
	}
	if b.ID == "" {
		t.Fatal("the seeded pipeline has fewer than three states with distinct names")
	}
	update := func(as crm.User, change func(*crm.Opportunity)) {
		t.Helper()
		if _, err := f.svc.UpdateOpportunity(crm.WithActor(bg, as), o.ID, 0, func(x *crm.Opportunity) error { change(x); return nil }); err != nil {
			t.Fatal(err)
		}
		f.settle()
	}
	update(admin, func(x *crm.Opportunity) { x.Description = "Cocina y baño" })
	wantEntries(t, f, admin, c.ID, crm.TimelineState)
	update(admin, func(x *crm.Opportunity) { x.StateID = a.ID })
	update(f.beto, func(x *crm.Opportunity) { x.Description = "Cocina, baño y salón" })
	update(f.beto, func(x *crm.Opportunity) { x.StateID = b.ID })
	wantEntries(t, f, admin, c.ID, crm.TimelineState,
		"opportunity:"+o.ID+" "+a.Name+" (Marta Admin)", "opportunity:"+o.ID+" "+b.Name+" (Beto Ruiz)")
}

// A note's one entry follows the note: an edit of its text shows the new
// text, cut at 140 characters; made private, it leaves the others'
// timelines and stays on its author's.
func TestTimelineNoteEntryFollowsTheNote(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía"})
	n := f.note(f.beto, crm.ParentContact, c.ID, crm.Note{Text: "Primera versión", Visibility: crm.VisibilityTeam})
	f.settle()
	entry := func(summary string) string { return "note:" + n.ID + " " + summary + " (Beto Ruiz)" }
	wantEntries(t, f, admin, c.ID, crm.TimelineNote, entry("Primera versión"))

	update := func(change func(*crm.Note)) {
		t.Helper()
		if _, err := f.svc.UpdateNote(as(f.beto), f.beto, n.ID, 0, func(x *crm.Note) error { change(x); return nil }); err != nil {
			t.Fatal(err)
		}
		f.settle()
	}
	exactly140 := strings.Repeat("ñ", 139) + "."
	update(func(x *crm.Note) { x.Text = exactly140 })
	wantEntries(t, f, admin, c.ID, crm.TimelineNote, entry(exactly140))
	update(func(x *crm.Note) { x.Text = exactly140 + "Más" })
	wantEntries(t, f, admin, c.ID, crm.TimelineNote, entry(exactly140+"…"))

	update(func(x *crm.Note) { x.Visibility = crm.VisibilityPrivate })
	wantEntries(t, f, admin, c.ID, crm.TimelineNote)
	wantEntries(t, f, f.beto, c.ID, crm.TimelineNote, entry(exactly140+"…"))
}

// blobs is a crm.Blobs that keeps uploads in memory: an upload URL's PUT
// is put (the test uploads by calling it).
type blobs struct {
	mu    sync.Mutex
	sizes map[string]int64
}

func (b *blobs) put(key string, size int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sizes[key] = size
}

func (b *blobs) UploadURL(_ context.Context, key, _ string, _ int64) (string, map[string]string, time.Time, error) {
	return "https://blobs.example.com/" + key, nil, time.Now().Add(time.Hour), nil
}

func (b *blobs) DownloadURL(_ context.Context, key, _, _ string) (string, time.Time, error) {
	return "https://blobs.example.com/" + key, time.Now().Add(time.Hour), nil
}

func (b *blobs) Size(_ context.Context, key string) (int64, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, ok := b.sizes[key]
	return n, ok, nil
}

func (b *blobs) Move(_ context.Context, from, to string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sizes[to] = b.sizes[from]
	delete(b.sizes, from)
	return nil
}

func (b *blobs) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.sizes, key)
	return nil
}

// A file is on the timeline once its upload is complete, named, by who
// uploaded it: not while it is pending, and once however often it is
// completed.
func TestTimelineFileEntryWhenComplete(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	store := &blobs{sizes: map[string]int64{}}
	files := crm.NewService(f.st, crm.Config{Blobs: store}) // the API's service, with file storage
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía"})
	file, _, err := files.CreateFile(as(f.beto), f.beto, crm.ParentContact, c.ID, crm.File{Name: "plano.pdf", ContentType: "application/pdf", Size: 2048})
	if err != nil {
		t.Fatal(err)
	}
	f.settle()
	wantEntries(t, f, admin, c.ID, crm.TimelineFile)

	store.put(crm.UploadKey(file.ID), 2048)
	for range 2 {
		if _, err := files.CompleteFile(as(f.beto), f.beto, file.ID); err != nil {
			t.Fatal(err)
		}
		f.settle()
	}
	wantEntries(t, f, admin, c.ID, crm.TimelineFile, "file:"+file.ID+" plano.pdf (Beto Ruiz)")
}

// A quote is on the timeline once, when it is created, under its number;
// editing it adds nothing.
func TestTimelineQuoteEntryWhenCreated(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía"})
	o := f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: "Cocina"})
	q, err := f.svc.CreateQuote(as(admin), admin, o.ID, crm.Quote{})
	if err != nil {
		t.Fatal(err)
	}
	f.settle()
	want := "quote:" + q.ID + " " + q.Number + " (Marta Admin)"
	wantEntries(t, f, admin, c.ID, crm.TimelineQuote, want)
	if _, err := f.svc.UpdateQuote(as(admin), admin, q.ID, 0, func(x *crm.Quote) error { x.ValidUntil = "2099-12-31"; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	wantEntries(t, f, admin, c.ID, crm.TimelineQuote, want)
}
