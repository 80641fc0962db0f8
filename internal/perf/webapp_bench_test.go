package perf

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp"
)

// webRig is a rig with the staff web app over its service, and the
// cookie of the first admin's session (signed in with the rig's token).
type webRig struct {
	*rig
	app    http.Handler
	cookie *http.Cookie
	admin  crm.User
}

// newWebRig opens a rig as `embudo serve` runs it, on a database of
// contacts contacts, with a file store, the web app and a session.
func newWebRig(b *testing.B, contacts int) *webRig {
	b.Helper()
	r := newRigWith(b, rigConfig{contacts: contacts, files: true})
	admin, secret, _, err := r.svc.SessionFromToken(context.Background(), benchToken)
	if err != nil {
		b.Fatal(err)
	}
	return &webRig{rig: r, admin: admin, app: webapp.New(r.svc, webapp.Options{Logger: quiet}),
		cookie: &http.Cookie{Name: webapp.CookieName, Value: secret}}
}

// get sends a GET of path with the session, as a browser does (gzip
// accepted when gz), straight to the web app's handler, and fails unless it
// answers 200.
func (w *webRig) get(b *testing.B, path string, gz bool) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(w.cookie)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd") // Chromium's
	}
	rec := httptest.NewRecorder()
	w.app.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %.500s", path, rec.Code, rec.Body)
	}
	return rec
}

// assetRE finds the embedded styles and scripts a page links to.
var assetRE = regexp.MustCompile(`/app/static/[A-Za-z0-9._-]+`)

// pageWeight is what a page costs a browser without a cache: the bytes
// of its HTML and of each style and script it links to, as sent (gzip
// accepted when gz), and the same decompressed.
func (w *webRig) pageWeight(b *testing.B, path string, gz bool) (sent, plain int) {
	page := w.get(b, path, gz)
	sent, plain = page.Body.Len(), len(body(b, page))
	seen := map[string]bool{}
	for _, a := range assetRE.FindAllString(string(body(b, page)), -1) {
		if seen[a] {
			continue
		}
		seen[a] = true
		res := w.get(b, a, gz)
		sent += res.Body.Len()
		plain += len(body(b, res))
	}
	return sent, plain
}

// body is a response's body, decompressed when it was sent with gzip.
func body(b *testing.B, res *httptest.ResponseRecorder) []byte {
	if res.Header().Get("Content-Encoding") != "gzip" {
		return res.Body.Bytes()
	}
	zr, err := gzip.NewReader(bytes.NewReader(res.Body.Bytes()))
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(zr); err != nil {
		b.Fatal(err)
	}
	return out.Bytes()
}

// webPage is one page of the web app measured by BenchmarkWebApp: prepare
// seeds what it needs on the rig and returns the page's path.
type webPage struct {
	name    string
	prepare func(b *testing.B, w *webRig) string
}

// webPages are the pages of issue 12's numbers, and the source report,
// each on a database of 20,000 contacts.
var webPages = []webPage{
	{"Pipeline", func(b *testing.B, w *webRig) string { return "/app/pipeline?state=" + w.pipelineTab(b, 500) }},
	{"ContactList", func(*testing.B, *webRig) string { return "/app/contacts" }},
	{"ContactSearch", func(*testing.B, *webRig) string { return "/app/contacts?q=jos" }}, // a tenth of them match
	{"Contact", func(b *testing.B, w *webRig) string { return "/app/contacts/" + w.busyContact(b, 100) }},
	{"Report", func(b *testing.B, w *webRig) string { // 24 months of 50 sources, as BenchmarkSourceReport
		w.seedReportCounters(b, 50)
		return "/app/report?from=2025-01&to=2026-12"
	}},
}

// BenchmarkWebApp: the staff web app's pages through its handler, with a
// signed-in session, on the SQLite store as `embudo serve` runs it with
// 20,000 contacts; p50 and p99 of the server's time per page, with gzip
// accepted (gzip=on, as browsers ask) and not (gzip=off), the process's
// CPU time per page (cpu-ms/op: the request's, the change feed being
// idle, and the garbage collector's), and the bytes of the page's HTML as
// sent (html-B) and decompressed (html-plain-B).
func BenchmarkWebApp(b *testing.B) {
	for _, pg := range webPages {
		b.Run(pg.name, func(b *testing.B) {
			w := newWebRig(b, 20000)
			path := pg.prepare(b, w)
			for _, gz := range []bool{false, true} {
				b.Run(map[bool]string{false: "gzip=off", true: "gzip=on"}[gz], func(b *testing.B) {
					res := w.get(b, path, gz) // parses the templates, fills the caches
					cpu := cpuTime()
					w.measure(b, func(int) { w.get(b, path, gz) })
					b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
					b.ReportMetric(float64(res.Body.Len()), "html-B")
					b.ReportMetric(float64(len(body(b, res))), "html-plain-B")
				})
			}
		})
	}
}

// BenchmarkWebAppPageWeight: what the pipeline page (a tab of 50
// opportunities of 500, 20,000 contacts) costs a browser with an empty
// cache, its HTML, styles and scripts: sent-B as sent with gzip accepted,
// plain-B decompressed. Issue 12's budget is 60 KB sent.
func BenchmarkWebAppPageWeight(b *testing.B) {
	w := newWebRig(b, 20000)
	path := "/app/pipeline?state=" + w.pipelineTab(b, 500)
	var sent, plain int
	for b.Loop() {
		sent, plain = w.pageWeight(b, path, true)
	}
	b.ReportMetric(float64(sent), "sent-B")
	b.ReportMetric(float64(plain), "plain-B")
}

// webCatalog creates what the pipeline's filters list: agents, sources
// and interests (n of each).
func (w *webRig) webCatalog(b *testing.B, n int) (agents []crm.Agent, sources []crm.Source, interests []crm.Interest) {
	ctx := context.Background()
	for i := range n {
		a, err := w.svc.CreateAgent(ctx, crm.Agent{Code: fmt.Sprintf("ag%d", i), Name: firstNames[i%20] + " " + surnames[i%20], Active: true})
		if err != nil {
			b.Fatal(err)
		}
		s, err := w.svc.CreateSource(ctx, crm.Source{Name: fmt.Sprintf("Campaña %d", i+1), CostCents: 50000})
		if err != nil {
			b.Fatal(err)
		}
		in, err := w.svc.CreateInterest(ctx, crm.Interest{Name: fmt.Sprintf("Servicio %d", i+1)})
		if err != nil {
			b.Fatal(err)
		}
		agents, sources, interests = append(agents, a), append(sources, s), append(interests, in)
	}
	return agents, sources, interests
}

// pipelineTab opens n opportunities in the default state, each on
// another of the prepared contacts, with an agent, a source and an
// interest, and returns the state's ID.
func (w *webRig) pipelineTab(b *testing.B, n int) string {
	ctx := context.Background()
	agents, sources, interests := w.webCatalog(b, 8)
	var state string
	for i := range n {
		o, err := w.svc.CreateOpportunity(ctx, w.admin, crm.Opportunity{ContactID: w.ids[len(w.ids)-1-i*7%len(w.ids)],
			Description: fmt.Sprintf("Reforma de cocina %d", i), AgentID: agents[i%8].ID, SourceID: sources[i%8].ID,
			InterestID: interests[i%8].ID, ApproxAmountCents: int64(150000 + i*1000)})
		if err != nil {
			b.Fatal(err)
		}
		state = o.StateID
	}
	w.drain(b)
	return state
}

// busyContact gives one of the prepared contacts a history of entries
// timeline entries (its creation among them): 40 opportunities, 10
// notes (team and private), 4 files, 5 quotes, and moves of its
// opportunities for the rest. It returns the contact's ID.
func (w *webRig) busyContact(b *testing.B, entries int) string {
	ctx := context.Background()
	id := w.ids[len(w.ids)/2]
	states, err := w.svc.PipelineStates(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var opps []crm.Opportunity
	for i := range 40 {
		o, err := w.svc.CreateOpportunity(ctx, w.admin, crm.Opportunity{ContactID: id, Description: fmt.Sprintf("Presupuesto %d", i+1),
			ApproxAmountCents: int64(90000 + i*2500)})
		if err != nil {
			b.Fatal(err)
		}
		opps = append(opps, o)
	}
	for i := range 10 {
		vis := crm.VisibilityTeam
		if i%3 == 0 {
			vis = crm.VisibilityPrivate
		}
		aviso := time.Now().Add(time.Duration(i+1) * 24 * time.Hour).Truncate(time.Minute)
		if _, err := w.svc.CreateNote(ctx, w.admin, crm.ParentContact, id, crm.Note{Visibility: vis, AvisoAt: &aviso,
			Text: fmt.Sprintf("Llamar para confirmar la visita %d; prefiere por la tarde.", i+1)}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 4 {
		data := bytes.Repeat([]byte("plano "), 2000+i*100)
		f, _, err := w.svc.CreateFile(ctx, w.admin, crm.ParentContact, id, crm.File{Name: fmt.Sprintf("plano-%d.pdf", i+1),
			ContentType: "application/pdf", Size: int64(len(data))})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.files.Put(ctx, crm.UploadKey(f.ID), f.ContentType, data); err != nil {
			b.Fatal(err)
		}
		if _, err := w.svc.CompleteFile(ctx, w.admin, f.ID); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 5 {
		if _, err := w.svc.CreateQuote(ctx, w.admin, opps[i].ID, crm.Quote{Lines: []crm.QuoteLine{
			{Description: "Mano de obra", QuantityMilli: 12000, UnitPriceCents: 3500, TaxBP: 2100},
			{Description: "Materiales", QuantityMilli: 1000, UnitPriceCents: 185000, DiscountBP: 500, TaxBP: 2100}}}); err != nil {
			b.Fatal(err)
		}
	}
	w.drain(b)
	have := w.timelineLen(b, id)
	for i := 0; have < entries; i++ {
		to := states[1+i/len(opps)%2].ID // the second and third states, in turn
		if _, err := w.svc.MoveOpportunities(ctx, []string{opps[i%len(opps)].ID}, to, ""); err != nil {
			b.Fatal(err)
		}
		have++
	}
	w.drain(b)
	if n := w.timelineLen(b, id); n != entries {
		b.Fatalf("the contact has %d timeline entries, want %d", n, entries)
	}
	return id
}

// timelineLen counts the timeline entries of a contact the admin sees.
func (w *webRig) timelineLen(b *testing.B, id string) int {
	n, cursor := 0, ""
	for {
		pg, err := w.svc.Timeline(context.Background(), w.admin, id, crm.ListOptions{Limit: 100, Cursor: cursor})
		if err != nil {
			b.Fatal(err)
		}
		n += len(pg.Items)
		if cursor = pg.NextCursor; cursor == "" {
			return n
		}
	}
}
