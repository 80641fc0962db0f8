package leadcost_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/httpapi"
	"github.com/embudo/embudo/internal/stream"
)

// What a lead costs on DynamoDB, and how hot its items run: b.N web-form
// leads (a new person each, with an e-mail, a phone, a message, an
// interest and UTM attribution) posted to a source's webhook that assigns
// its three agents in turn and opens an opportunity, through the real
// webhook handler of leadInstances service instances (Lambda execution
// environments) sharing one table, leadSenders at a time; then every
// stream record those writes made, in batches of streamBatch (the stream
// function's BatchSize in template.yaml), through the real stream handler,
// e-mails included. Every request is priced by dynamotest.Meter, the way
// DynamoDB bills it. Reported per lead: write units (wu) in all, of the
// webhook and of the stream, those of index arms and of ConditionChecks;
// read units (ru); and the writes the busiest single item took per 1,000
// leads, and the transactions the busiest one took part in per 1,000
// (figures of a burst: they mean something from some hundreds of leads
// on, hence the 1000x of docs/performance.md; `make bench` runs it for
// BENCHTIME).
//
//	go test -run '^$' -bench LeadCost -benchtime 1000x ./internal/dynamo/leadcost/
func BenchmarkLeadCost(b *testing.B) {
	r := newLeadRig(b)
	b.ResetTimer()
	r.postLeads(b, b.N)
	web := r.meter.Usage()
	r.runStream(b)
	all := r.meter.Usage()
	b.StopTimer()
	str := all.Sub(web)
	n := float64(b.N)
	b.ReportMetric(float64(all.TotalWriteUnits())/n, "wu/lead")
	b.ReportMetric(float64(web.TotalWriteUnits())/n, "webhook-wu/lead")
	b.ReportMetric(float64(str.TotalWriteUnits())/n, "stream-wu/lead")
	b.ReportMetric(float64(all.IndexUnits)/n, "index-wu/lead")
	b.ReportMetric(float64(all.CheckUnits)/n, "check-wu/lead")
	b.ReportMetric(all.ReadUnits()/n, "ru/lead")
	hot, w := dynamotest.Busiest(all.Writes)
	b.ReportMetric(float64(w)*1000/n, "busiest-writes/1k-leads")
	hotTx, tx := dynamotest.Busiest(all.Transacted)
	b.ReportMetric(float64(tx)*1000/n, "busiest-tx/1k-leads")
	b.ReportMetric(float64(r.conflicts.Load())*1000/n, "409s/1k-leads")
	if b.N >= 100 {
		b.Logf("%d leads, %d stream records, %d e-mails; busiest item %s (%d writes), in most transactions %s (%d); refused writes %d",
			b.N, r.records, r.mails.Load(), hot, w, hotTx, tx, all.Failed)
		b.Logf("write units per lead by item type: webhook %s; stream %s", byType(web, n), byType(str, n))
	}
}

// Sizes of the rig: service instances, concurrent senders, stream batch.
const (
	leadInstances = 4
	leadSenders   = 8
	streamBatch   = 90
)

// leadRig is a table with a seeded CRM, the instances' webhook handlers,
// the stream records waiting, and the stream function's handler.
type leadRig struct {
	meter   *dynamotest.Meter
	table   string
	source  string // the webhook's source
	hooks   []http.Handler
	path    string
	mu      sync.Mutex
	pending []events.DynamoDBEventRecord
	records int
	core    *stream.Handler
	mails   atomic.Int64
	// conflicts counts the leads answered 409 (and posted again).
	conflicts atomic.Int64
}

// benchMailer counts the e-mails the stream sends.
type benchMailer struct{ n *atomic.Int64 }

func (m benchMailer) Send(context.Context, crm.Email) error { m.n.Add(1); return nil }

func newLeadRig(b *testing.B) *leadRig {
	ctx := context.Background()
	tab, capt := dynamotest.NewCapturing(b)
	r := &leadRig{meter: dynamotest.NewMeter(capt, tab.Name), table: tab.Name}
	capt.OnChange = func(recs []dynamotest.Record) {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, rec := range recs {
			if ev, err := rec.Event(); err == nil && dynamotest.InStream(ev) {
				r.pending = append(r.pending, ev)
			}
		}
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var svcs []*crm.Service
	for range leadInstances {
		svc := crm.NewService(dynamo.New(r.meter, tab.Name), crm.Config{NumberBlock: crm.InstanceNumberBlock})
		svcs = append(svcs, svc)
		r.hooks = append(r.hooks, httpapi.NewHooks(svc, httpapi.HookOptions{Logger: quiet}))
	}
	admin := svcs[0]
	if err := admin.EnsureSeeded(ctx); err != nil {
		b.Fatal(err)
	}
	for i, name := range []string{"Ana", "Luis", "Marta"} {
		if _, err := admin.CreateAgent(ctx, crm.Agent{Code: fmt.Sprintf("A%d", i), Name: name, Email: strings.ToLower(name) + "@example.com", Active: true}); err != nil {
			b.Fatal(err)
		}
	}
	for _, name := range []string{"Reformas", "Fontanería"} {
		if _, err := admin.CreateInterest(ctx, crm.Interest{Name: name}); err != nil {
			b.Fatal(err)
		}
	}
	src, err := admin.CreateSource(ctx, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatJSON,
		Assignment: crm.AssignRoundRobin, CreateOpportunity: true}})
	if err != nil {
		b.Fatal(err)
	}
	r.path, r.source = "/hooks/"+src.Webhook.Token, src.ID
	fnStore := dynamo.New(r.meter, tab.Name)
	r.core = stream.New(stream.Config{Service: crm.NewService(fnStore, crm.Config{}), Store: fnStore,
		Mailer: benchMailer{&r.mails}, AppURL: "https://crm.example", Log: quiet})
	r.runStream(b) // the setup's own records
	r.meter.Reset()
	r.records = 0
	return r
}

// postLeads posts n leads, leadSenders at a time, each sender through the
// instances in turn.
func (r *leadRig) postLeads(b *testing.B, n int) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range leadSenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				body := fmt.Sprintf(`{"name":"Cliente %d","email":"cliente%d@example.com","phone":"+34 6%08d",`+
					`"message":"Quiero presupuesto para reformar la cocina, unos 12 m2, a poder ser en marzo.",`+
					`"interests":["Reformas"],"utm_source":"google","utm_medium":"cpc","utm_campaign":"primavera",`+
					`"landing_page":"https://reformas.example/cocinas"}`, i, i, i)
				for {
					req := httptest.NewRequest("POST", r.path, strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					rec := httptest.NewRecorder()
					r.hooks[(w+i)%len(r.hooks)].ServeHTTP(rec, req)
					if rec.Code == http.StatusConflict {
						r.conflicts.Add(1) // lost every race for a hot item: the sender tries again
						continue
					}
					if rec.Code != 200 {
						b.Errorf("lead %d: %d %s", i, rec.Code, rec.Body)
						return
					}
					break
				}
			}
		}()
	}
	wg.Wait()
}

// runStream hands the pending records to the stream handler in batches,
// as Lambda does, until none is left (the handler's own writes make none
// of the stream's types).
func (r *leadRig) runStream(b *testing.B) {
	for {
		r.mu.Lock()
		recs := r.pending
		r.pending = nil
		r.mu.Unlock()
		if len(recs) == 0 {
			return
		}
		r.records += len(recs)
		h := dynamo.StreamHandler{Apply: r.core.Apply}
		for i := 0; i < len(recs); i += streamBatch {
			out, err := h.Handle(context.Background(), events.DynamoDBEvent{Records: recs[i:min(i+streamBatch, len(recs))]})
			if err != nil || len(out.BatchItemFailures) > 0 {
				b.Fatalf("stream batch: %v %+v", err, out.BatchItemFailures)
			}
		}
	}
}

// byType lists write units per lead by item type, largest first.
func byType(u dynamotest.Usage, n float64) string {
	types := slices.Collect(maps.Keys(u.UnitsByType))
	sort.Slice(types, func(i, j int) bool { return u.UnitsByType[types[i]] > u.UnitsByType[types[j]] })
	var parts []string
	for _, t := range types {
		parts = append(parts, fmt.Sprintf("%s %.2f", t, float64(u.UnitsByType[t])/n))
	}
	return strings.Join(parts, ", ")
}
