package perf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/httpapi"
	"github.com/embudo/embudo/internal/local"
	"github.com/embudo/embudo/internal/mail"
	"github.com/embudo/embudo/internal/remind"
	"github.com/embudo/embudo/internal/sqlite"
	"github.com/embudo/embudo/internal/stream"
)

const benchToken = "embudo-bench-admin-token-00000000000000000"

// quiet is the rigs' logger: lines are formatted, as `embudo serve`
// formats them, and dropped.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// rig is one Embudo instance under a benchmark, its handlers called
// directly. newRig builds it of the parts local.Server (`embudo serve`)
// wires: the SQLite store with synchronous=FULL in a data directory of its
// own, the service, the API and webhook handlers, and the change feed
// driving the change core, which writes e-mails to the outbox directory
// (not the file store, the SMTP listener nor the reply addresses, which
// these requests do not use). newDynamoRig builds the DynamoDB adapter on
// minidyn instead, with its requests counted, and no feed.
type rig struct {
	dir   string        // the data directory (SQLite)
	st    *sqlite.Store // nil on DynamoDB
	db    *counting     // nil on SQLite
	store crm.Store     // st, or the DynamoDB adapter
	svc   *crm.Service
	h     http.Handler // the API
	hooks http.Handler // the lead webhooks
	mail  *outbox      // nil on DynamoDB
	fx    *stream.Handler
	feed  *sqlite.Feed
	files *blob.Dir // the file store (rigConfig.files), else nil
	ids   []string  // the prepared contacts' IDs, oldest first
}

// outbox is the outbox directory the change core writes to, reporting
// each e-mail's subject on sent once it is written (dropped when nobody
// reads them).
type outbox struct {
	mail.Outbox
	sent chan string
}

// Send implements crm.Mailer.
func (o *outbox) Send(ctx context.Context, e crm.Email) error {
	if err := o.Outbox.Send(ctx, e); err != nil {
		return err
	}
	select {
	case o.sent <- e.Subject:
	default:
	}
	return nil
}

// rigConfig says how newRigWith builds a rig.
type rigConfig struct {
	contacts   int  // contacts the database holds first (see prepared)
	syncNormal bool // commit with synchronous=NORMAL (`embudo serve --sync-normal`)
	feedOff    bool // leave the change feed stopped: changes stay in the outbox until startFeed
	files      bool // give the service a file store (a directory, as `embudo serve` has)
}

// newRig opens an instance as `embudo serve` runs it, on a database
// already holding contacts contacts, with the change feed running.
func newRig(b *testing.B, contacts int) *rig {
	return newRigWith(b, rigConfig{contacts: contacts})
}

// newRigWith opens an instance as `embudo serve` runs it, as c says.
func newRigWith(b *testing.B, c rigConfig) *rig {
	b.Helper()
	ctx := context.Background()
	r := &rig{dir: b.TempDir()}
	path := filepath.Join(r.dir, local.DBFile)
	if c.contacts > 0 {
		p := prepared(b, c.contacts)
		copyFile(b, p.path, path)
		r.ids = p.ids
	}
	sync := "FULL"
	if c.syncNormal {
		sync = "NORMAL"
	}
	st, err := sqlite.Open(ctx, path, sqlite.Options{Logger: quiet, Synchronous: sync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	r.st, r.store = st, st
	cfg := crm.Config{PhoneRegion: "ES", TimeZone: madrid(b)}
	if c.files {
		if r.files, err = blob.NewDir(filepath.Join(r.dir, "files"), "http://127.0.0.1:3000"); err != nil {
			b.Fatal(err)
		}
		cfg.Blobs = r.files
	}
	r.svc = crm.NewService(st, cfg)
	if err := r.svc.EnsureSeeded(ctx); err != nil {
		b.Fatal(err)
	}
	if _, _, err := r.svc.BootstrapAdmin(ctx, "", benchToken, false); err != nil {
		b.Fatal(err)
	}
	r.handlers()
	r.mail = &outbox{Outbox: mail.Outbox{Dir: filepath.Join(r.dir, "outbox"), From: "Embudo <embudo@example.com>", Logger: quiet},
		sent: make(chan string, 1024)}
	timer := remind.NewTimer(func(context.Context, remind.Payload) {})
	b.Cleanup(timer.Close)
	r.fx = stream.New(stream.Config{Service: r.svc, Store: st, Mailer: r.mail, Scheduler: timer, Log: quiet})
	if !c.feedOff {
		r.startFeed(b)
	}
	return r
}

// startFeed starts the change feed, stopped at the end of the benchmark.
func (r *rig) startFeed(b *testing.B) {
	r.feed = r.st.StartFeed(r.fx.Apply, quiet)
	b.Cleanup(r.feed.Close) // before the store's Close: cleanups run last first
}

// drain waits until the feed has applied every change committed so far.
func (r *rig) drain(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := r.feed.Drain(ctx); err != nil {
		b.Fatal(err)
	}
}

// newDynamoRig is the DynamoDB adapter on minidyn (dynamotest), its
// requests counted, with contacts contacts (sampleContact) created through
// the service.
// Between the counter and minidyn sits dynamotest's capture layer, which
// runs each transaction as a batch write (minidyn copies its whole table
// for a TransactWriteItems); the adapter's requests are counted before it.
// It has no change feed: on AWS the stream Lambda applies the changes.
func newDynamoRig(b *testing.B, contacts int) *rig {
	b.Helper()
	tbl, capture := dynamotest.NewCapturing(b)
	r := &rig{db: &counting{API: capture}}
	r.store = dynamo.New(r.db, tbl.Name)
	r.svc = crm.NewService(r.store, crm.Config{PhoneRegion: "ES", TimeZone: madrid(b)})
	if _, _, err := r.svc.BootstrapAdmin(context.Background(), "", benchToken, false); err != nil {
		b.Fatal(err)
	}
	r.handlers()
	for i := range contacts {
		c, err := r.svc.CreateContact(context.Background(), crm.User{}, sampleContact(i))
		if err != nil {
			b.Fatal(err)
		}
		r.ids = append(r.ids, c.ID)
	}
	return r
}

// handlers builds the API and webhook handlers over the rig's service.
func (r *rig) handlers() {
	r.h = httpapi.New(r.svc, httpapi.Options{Logger: quiet, Idempotency: r.store})
	r.hooks = httpapi.NewHooks(r.svc, httpapi.HookOptions{Logger: quiet})
}

// madrid is the company time zone `embudo serve` defaults to.
func madrid(b *testing.B) *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		b.Fatal(err)
	}
	return loc
}

// serve sends one API request (the admin's bearer token, a JSON body when
// body is set) straight to the handler and fails the benchmark unless it
// answers want. Call it from the benchmark's goroutine; others use call.
func (r *rig) serve(b *testing.B, method, path, body string, want int) {
	if err := r.call(method, path, body, want); err != nil {
		b.Fatal(err)
	}
}

// call is serve returning the failure.
func (r *rig) call(method, path, body string, want int) error {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+benchToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	if w.Code != want {
		return fmt.Errorf("%s %s: %d %.500s", method, path, w.Code, w.Body)
	}
	return nil
}

// measure runs op b.N times and reports the latency of each, p50 and p99,
// and on DynamoDB the requests per op.
func (r *rig) measure(b *testing.B, op func(i int)) {
	lat := make([]time.Duration, 0, b.N)
	if r.db != nil {
		r.db.n.Store(0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		op(i)
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	reportLatency(b, "", lat)
	if r.db != nil {
		b.ReportMetric(float64(r.db.n.Load())/float64(b.N), "ddb-req/op")
	}
}

// reportLatency reports the median and 99th percentile of lat, in
// milliseconds, as <prefix>p50-ms and <prefix>p99-ms. It sorts lat.
func reportLatency(b *testing.B, prefix string, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, prefix+"p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, prefix+"p99-ms")
}

// localServer is `embudo serve` in this process: local.Server as
// cmd/embudo runs it with its default flags (a free port for the SMTP
// listener), on a data directory of its own, its first admin's token
// benchToken.
type localServer struct {
	url    string
	data   string
	client *http.Client
}

// startLocal starts a localServer on a database already holding contacts
// contacts (see prepared), stopped at the end of the benchmark.
func startLocal(b *testing.B, contacts int, syncNormal bool) *localServer {
	b.Helper()
	data := b.TempDir()
	if contacts > 0 {
		copyFile(b, prepared(b, contacts).path, filepath.Join(data, local.DBFile))
	}
	b.Setenv("EMBUDO_BOOTSTRAP_TOKEN", benchToken)
	addr := freeAddr(b)
	s := local.NewServer(local.Config{Addr: addr, Data: data, PhoneRegion: "ES", TimeZone: madrid(b),
		MailFrom: "Embudo <embudo@localhost.localdomain>", SyncNormal: syncNormal, Logger: quiet, SMTPAddr: "127.0.0.1:0"})
	if err := s.Run(context.Background(), io.Discard); err != nil {
		_ = s.Close()
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return &localServer{url: "http://" + addr, data: data, client: &http.Client{Timeout: time.Minute}}
}

// api sends an API request with the admin's token (body as JSON unless
// nil) and decodes the 2xx answer into out (unless nil).
func (s *localServer) api(b *testing.B, method, path string, body, out any) {
	b.Helper()
	if err := callJSON(s.client, method, s.url+path, body, out); err != nil {
		b.Fatal(err)
	}
}

// callJSON sends a request with the admin's token (body as JSON unless
// nil) and decodes the answer into out (unless nil); an answer not 2xx is
// an error.
func callJSON(c *http.Client, method, url string, body, out any) error {
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+benchToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 500))
		return fmt.Errorf("%s %s: %s %s", method, url, res.Status, msg)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return err
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// scenario is one kind of API request, measured one at a time: prepare
// seeds what it needs on the rig and returns the request.
type scenario struct {
	name     string
	contacts int // contacts the database holds first (at most 200 on DynamoDB)
	prepare  func(b *testing.B, r *rig) func(i int)
}

// runScenarios measures each scenario as a sub-benchmark, on a fresh rig
// from open.
func runScenarios(b *testing.B, scs []scenario, open func(b *testing.B, contacts int) *rig) {
	for _, sc := range scs {
		b.Run(sc.name, func(b *testing.B) {
			r := open(b, sc.contacts)
			r.measure(b, sc.prepare(b, r))
		})
	}
}

// A preparedDB is a database file holding contacts as `embudo import
// contacts` leaves them, built once per process and copied for each rig.
type preparedDB struct {
	path string
	ids  []string // oldest first
}

var prep struct {
	sync.Mutex
	dir string // removed by TestMain
	dbs map[int]*preparedDB
}

func TestMain(m *testing.M) {
	code := m.Run()
	if prep.dir != "" {
		_ = os.RemoveAll(prep.dir)
	}
	os.Exit(code)
}

// prepDir is the process's directory of prepared files, made on first use.
func prepDir(b *testing.B) string {
	if prep.dir == "" {
		dir, err := os.MkdirTemp("", "embudo-perf-")
		if err != nil {
			b.Fatal(err)
		}
		prep.dir = dir
	}
	return prep.dir
}

// Names of the prepared contacts: 20 × 20 × 20 combinations, so that a
// name prefix such as "jos" matches a tenth of them.
var (
	firstNames = []string{"José", "María", "Carmen", "Antonio", "Josefa", "Manuel", "Ana", "Francisco", "Laura", "David",
		"Lucía", "Javier", "Isabel", "Juan", "Pilar", "Carlos", "Elena", "Miguel", "Rosa", "Pedro"}
	surnames = []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín",
		"Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Álvarez", "Muñoz", "Romero", "Alonso", "Gutiérrez"}
)

// sampleContact is the i-th contact of a prepared table, as a user would
// enter it.
func sampleContact(i int) crm.Contact {
	return crm.Contact{Name: firstNames[i%20], Surname: surnames[i/20%20] + " " + surnames[i/400%20],
		Email: fmt.Sprintf("persona%06d@example.com", i), Phone: fmt.Sprintf("+34 91%07d", i), Company: fmt.Sprintf("Empresa %d", i%997),
		Address: crm.Address{City: "Málaga", Country: "ES"}}
}

// prepared returns the database of n contacts, building it on first use:
// each contact normalised as the service does, with the import's lead
// record and the timeline entry the change core writes for a new contact,
// all loaded in one transaction (sqlite.Store.Load). Their creation times
// are one second apart, ending now.
func prepared(b *testing.B, n int) *preparedDB {
	b.Helper()
	prep.Lock()
	defer prep.Unlock()
	if p := prep.dbs[n]; p != nil {
		return p
	}
	start := time.Now()
	p := &preparedDB{path: filepath.Join(prepDir(b), fmt.Sprintf("contacts-%d.db", n))}
	var snap crm.Snapshot
	t0 := time.Now().UTC().Add(-time.Duration(n) * time.Second).Truncate(time.Millisecond)
	for i := range n {
		c := sampleContact(i)
		if err := c.Normalize("ES"); err != nil {
			b.Fatal(err)
		}
		at := t0.Add(time.Duration(i) * time.Second)
		c.ID, c.CreatedAt, c.UpdatedAt, c.Version = crm.NewID(at), at, at, 1
		rec := crm.LeadRecord{ID: crm.NewID(at), Format: crm.FormatImport, Outcome: crm.OutcomeCreated, ContactID: c.ID, ReceivedAt: at}
		snap.Contacts = append(snap.Contacts, c)
		snap.Leads = append(snap.Leads, crm.KeyedLead{Key: "import#" + c.Email, Record: rec})
		snap.Timeline = append(snap.Timeline, crm.TimelineItem{ContactID: c.ID, At: at, EventID: rec.ID, Kind: crm.TimelineCreated,
			Summary: c.FullName(), RefKind: "contact", RefID: c.ID})
		p.ids = append(p.ids, c.ID)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, p.path, sqlite.Options{Logger: quiet, Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Load(ctx, snap); err != nil {
		b.Fatal(err)
	}
	if err := st.Close(); err != nil { // checkpoints the WAL into the file
		b.Fatal(err)
	}
	if prep.dbs == nil {
		prep.dbs = map[int]*preparedDB{}
	}
	prep.dbs[n] = p
	b.Logf("prepared a database of %d contacts in %v", n, time.Since(start).Round(time.Millisecond))
	return p
}

// copyFile copies the file at from to to (mode 0600).
func copyFile(b *testing.B, from, to string) {
	b.Helper()
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}
