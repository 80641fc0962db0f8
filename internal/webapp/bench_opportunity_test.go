package webapp_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// pageTimes requests path b.N times with c and reports the median and the
// 99th percentile of the time to the whole response, in milliseconds: the
// server's time plus a loopback round trip.
func pageTimes(b *testing.B, c *webtest.Client, path string) {
	b.Helper()
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		res := c.Get(b, path)
		times = append(times, time.Since(start))
		if res.Status != http.StatusOK {
			b.Fatalf("%s: %d", path, res.Status)
		}
	}
	b.StopTimer()
	slices.Sort(times)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(times[len(times)/2]), "ms-p50")
	b.ReportMetric(ms(times[(len(times)*99)/100]), "ms-p99")
}

// BenchmarkOpportunityPage: an opportunity's page on the local store
// (SQLite) with 10 quotes, 100 notes (50 shown) and the contact's
// timeline of 100 entries and more (50 shown).
func BenchmarkOpportunityPage(b *testing.B) {
	env := webtest.New(b, webtest.WithChangeFeed())
	ctx := b.Context()
	c, err := env.Svc.CreateContact(ctx, env.Admin, crm.Contact{Name: "José", Surname: "Pérez", Company: "Talleres Pérez"})
	if err != nil {
		b.Fatal(err)
	}
	o, err := env.Svc.CreateOpportunity(ctx, env.Admin, crm.Opportunity{ContactID: c.ID, Description: "Tienda online", ApproxAmountCents: 350000})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10 {
		lines := make([]crm.QuoteLine, 5)
		for j := range lines {
			lines[j] = crm.QuoteLine{Description: fmt.Sprintf("Línea %d", j), QuantityMilli: 1000 * int64(j+1), UnitPriceCents: 1000 * int64(i+1), TaxBP: 2100}
		}
		if _, err := env.Svc.CreateQuote(ctx, env.Admin, o.ID, crm.Quote{Lines: lines}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 100 {
		at := env.Clock.Now().Add(time.Duration(i+1) * time.Hour)
		if _, err := env.Svc.CreateNote(ctx, env.Admin, crm.ParentOpportunity, o.ID, crm.Note{Text: fmt.Sprintf("Nota %d: llamar para cerrar el pedido", i), AvisoAt: &at}); err != nil {
			b.Fatal(err)
		}
	}
	env.Drain(b)
	if tl, err := env.Svc.Timeline(ctx, env.Admin, c.ID, crm.ListOptions{Limit: crm.MaxLimit}); err != nil || len(tl.Items) < 100 {
		b.Fatalf("the contact's timeline holds %d entries (%v), want 100 or more", len(tl.Items), err)
	}
	pageTimes(b, env.SignIn(b, env.Admin), "/app/opportunities/"+o.ID)
}

// BenchmarkQuotePage: a quote's page with 20 lines.
func BenchmarkQuotePage(b *testing.B) {
	env := webtest.New(b)
	ctx := b.Context()
	c, err := env.Svc.CreateContact(ctx, env.Admin, crm.Contact{Name: "José"})
	if err != nil {
		b.Fatal(err)
	}
	o, err := env.Svc.CreateOpportunity(ctx, env.Admin, crm.Opportunity{ContactID: c.ID, Description: "Tienda online"})
	if err != nil {
		b.Fatal(err)
	}
	lines := make([]crm.QuoteLine, 20)
	for j := range lines {
		lines[j] = crm.QuoteLine{Description: fmt.Sprintf("Línea %d", j), QuantityMilli: 1500, UnitPriceCents: 12345, DiscountBP: 1000, TaxBP: 2100}
	}
	q, err := env.Svc.CreateQuote(ctx, env.Admin, o.ID, crm.Quote{Lines: lines})
	if err != nil {
		b.Fatal(err)
	}
	pageTimes(b, env.SignIn(b, env.Admin), "/app/quotes/"+q.ID)
}

// BenchmarkRemindersPage: the Avisos page of a user with 100 pending
// avisos on 100 contacts.
func BenchmarkRemindersPage(b *testing.B) {
	env := webtest.New(b)
	ctx := b.Context()
	for i := range 100 {
		c, err := env.Svc.CreateContact(ctx, env.Admin, crm.Contact{Name: fmt.Sprintf("Contacto %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		at := env.Clock.Now().Add(time.Duration(i+1) * time.Hour)
		if _, err := env.Svc.CreateNote(ctx, env.Admin, crm.ParentContact, c.ID, crm.Note{Text: "Llamar", AvisoAt: &at}); err != nil {
			b.Fatal(err)
		}
	}
	pageTimes(b, env.SignIn(b, env.Admin), "/app/reminders")
}
