package transfer_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/sqlite"
)

var bg = context.Background()

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// local is a CRM of `embudo serve`: a data directory with its database and
// files, and what its users hold outside it (tokens, a webhook URL).
type local struct {
	dir        string
	adminToken string
	staffToken string
	hookToken  string // the URL token of the web form's source
	admin      crm.User
	pending    crm.Note // a note whose reminder is still to send
	contents   map[string][]byte
}

// newLocal fills a data directory through the use cases, as a small
// business would over a few weeks: users and tokens, the catalog, a web
// form, contacts by hand and by lead, the pipeline with quotes, a client
// and a supplier, notes (private, team, a pending and a sent reminder),
// files, timeline entries and report counters; then closes the database.
func newLocal(t *testing.T) local {
	t.Helper()
	l := local{dir: t.TempDir(), contents: map[string][]byte{}}
	st, err := sqlite.Open(bg, filepath.Join(l.dir, "embudo.db"), sqlite.Options{Logger: quiet, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobs, err := blob.NewDir(filepath.Join(l.dir, "files"), "http://127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	svc := crm.NewService(st, crm.Config{Blobs: blobs})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	l.admin, l.adminToken, err = svc.BootstrapAdmin(bg, "marta@example.com", "", false)
	must(err)
	staff, err := svc.CreateUser(bg, crm.User{Name: "Ana Staff", Email: "ana@example.com", Role: crm.RoleStaff, Active: true})
	must(err)
	l.staffToken, _, err = svc.IssueToken(bg, staff.ID, "scripts")
	must(err)
	agent, err := svc.CreateAgent(bg, crm.Agent{Code: "ANA", Name: "Ana", Email: "ana@example.com", Active: true, UserID: staff.ID})
	must(err)
	kitchens, err := svc.CreateInterest(bg, crm.Interest{Name: "Cocinas"})
	must(err)
	baths, err := svc.CreateInterest(bg, crm.Interest{Name: "Baños"})
	must(err)
	form, err := svc.CreateSource(bg, crm.Source{Name: "Formulario web", Webhook: &crm.Webhook{Kind: crm.FormatForm,
		CreateOpportunity: true, AllowedOrigins: []string{"https://example.com"}, FieldMap: map[string]string{"tel": "phone"}}})
	must(err)
	l.hookToken = form.Webhook.Token
	fair, err := svc.CreateSource(bg, crm.Source{Name: "Feria", CostCents: 150000})
	must(err)
	ana, err := svc.CreateContact(bg, l.admin, crm.Contact{Name: "Ana", Surname: "Pérez", Email: "ana.perez@example.com",
		Phone: "600111222", Mobile: "699111222", InterestIDs: []string{kitchens.ID, baths.ID}, AgentID: agent.ID, SourceID: fair.ID,
		Address: crm.Address{Street: "Gran Vía 1", City: "Madrid", Country: "ES"}, MarketingConsent: true, Lang: "es"})
	must(err)
	for i, name := range []string{"Luis", "Eva", "Raúl"} {
		_, err := svc.CreateContact(bg, l.admin, crm.Contact{Name: name, Email: strings.ToLower(name[:1]) + "@example.com", Phone: "61100000" + string(rune('1'+i))})
		must(err)
	}
	rec, _, err := svc.IntakeLead(bg, form, crm.Lead{Format: crm.FormatForm, ExternalID: "f-1", Name: "Beto", Email: "beto@example.com",
		Phone: "622333444", Interests: []string{"cocinas"}, Attribution: crm.Attribution{UTMSource: "google"}, Extra: map[string]string{"m2": "12"}})
	must(err)
	opp, err := svc.CreateOpportunity(bg, l.admin, crm.Opportunity{ContactID: ana.ID, Description: "Cocina completa",
		InterestID: kitchens.ID, ApproxAmountCents: 1200000, AgentID: agent.ID, AssigneeID: staff.ID})
	must(err)
	q, err := svc.CreateQuote(bg, l.admin, opp.ID, crm.Quote{Lines: []crm.QuoteLine{{Description: "Muebles", QuantityMilli: 1000, UnitPriceCents: 900000, TaxBP: 2100}}})
	must(err)
	_, _, err = svc.AcceptQuote(bg, l.admin, q.ID)
	must(err)
	_, _, err = svc.Convert(bg, rec.ContactID, crm.PartySupplier)
	must(err)
	soon := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	l.pending, err = svc.CreateNote(bg, l.admin, crm.ParentContact, ana.ID, crm.Note{Text: "Llamar para medir", AvisoAt: &soon, InterestID: kitchens.ID})
	must(err)
	_, err = svc.CreateNote(bg, l.admin, crm.ParentOpportunity, opp.ID, crm.Note{Text: "Solo para mí", Visibility: crm.VisibilityPrivate})
	must(err)
	past := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	sent, err := svc.CreateNote(bg, l.admin, crm.ParentContact, ana.ID, crm.Note{Text: "Enviado ya", AvisoAt: &past})
	must(err)
	must(svc.MarkNotified(bg, sent, time.Now()))
	for _, f := range []struct{ name, content string }{{"plano.pdf", "%PDF-1.7 plano"}, {"foto.jpg", "\xff\xd8\xff foto"}} {
		file, _, err := svc.CreateFile(bg, l.admin, crm.ParentOpportunity, opp.ID, crm.File{Name: f.name, ContentType: "application/pdf", Size: int64(len(f.content))})
		must(err)
		key := crm.BlobKey(file.ID)
		must(os.MkdirAll(filepath.Join(l.dir, "files", "files"), 0o700))
		must(os.WriteFile(filepath.Join(l.dir, "files", key), []byte(f.content), 0o600))
		_, err = svc.CompleteFile(bg, l.admin, file.ID)
		must(err)
		l.contents[key] = []byte(f.content)
	}
	// An upload that never completed: a record without content.
	_, _, err = svc.CreateFile(bg, l.admin, crm.ParentContact, ana.ID, crm.File{Name: "a medias.pdf", ContentType: "application/pdf", Size: 10})
	must(err)
	_, err = st.ApplyOnce(bg, "rec#local-1", []crm.TimelineItem{
		{ContactID: ana.ID, At: time.Now().UTC().Truncate(time.Millisecond), EventID: "local-1", Kind: crm.TimelineCreated, RefKind: "contact", RefID: ana.ID},
		{ContactID: ana.ID, At: time.Now().UTC().Truncate(time.Millisecond), EventID: "local-2", Kind: crm.TimelineNote, RefKind: "note", Actor: l.admin.ID, PrivateTo: l.admin.ID},
	}, []crm.StatDelta{{SourceID: fair.ID, Month: "2026-01", Field: "contacts", Delta: 4}, {SourceID: form.ID, Month: "2026-01", Field: "leads", Delta: 1},
		{Month: "2026-01", Field: "opportunities", Delta: 1}})
	must(err)
	return l
}

// snapshotOf reads a data directory's database.
func snapshotOf(t *testing.T, dir string) crm.Snapshot {
	t.Helper()
	st, err := sqlite.Open(bg, filepath.Join(dir, "embudo.db"), sqlite.Options{Logger: quiet, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := st.Snapshot(bg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// bucket is an S3 bucket on a test server: objects by path, any signature.
type bucket struct {
	mu      sync.Mutex
	objects map[string][]byte
	srv     *httptest.Server
	s3      *blob.S3
}

func newBucket(t *testing.T) *bucket {
	b := &bucket{objects: map[string][]byte{}}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("X-Amz-Signature") == "" && !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		switch r.Method {
		case http.MethodPut:
			data, _ := io.ReadAll(r.Body)
			b.objects[r.URL.Path] = data
		case http.MethodGet, http.MethodHead:
			data, ok := b.objects[r.URL.Path]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			if r.Method == http.MethodGet {
				w.Write(data)
			}
		}
	}))
	t.Cleanup(b.srv.Close)
	b.s3 = &blob.S3{Config: aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")},
		Bucket: "files", Endpoint: b.srv.URL}
	return b
}

func (b *bucket) object(key string) ([]byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.objects["/files/"+key]
	return data, ok
}

// mailbox records the e-mails the change core sends.
type mailbox struct {
	mu   sync.Mutex
	sent []crm.Email
}

func (m *mailbox) Send(_ context.Context, e crm.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, e)
	return nil
}

func (m *mailbox) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent)
}

// alarms records the reminders armed and disarmed.
type alarms struct {
	mu    sync.Mutex
	armed map[string]time.Time
	calls int
}

func (a *alarms) Arm(_ context.Context, id string, at time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.armed == nil {
		a.armed = map[string]time.Time{}
	}
	a.armed[id] = at
	a.calls++
	return nil
}

func (a *alarms) Disarm(context.Context, string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls++
	return nil
}
