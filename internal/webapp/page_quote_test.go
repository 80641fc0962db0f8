package webapp_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// newQuote makes a quote of o through the opportunity page's button and
// returns its page's path.
func newQuote(t *testing.T, c *webtest.Client, o crm.Opportunity) string {
	t.Helper()
	res := c.PostForm(t, "/app/opportunities/"+o.ID+"/quotes", nil)
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/app/quotes/") {
		t.Fatalf("new quote: %d to %q: %s", res.Status, res.Location(), res.Body)
	}
	path, _, _ := strings.Cut(res.Location(), "?")
	return path
}

// quoteForm is a quote form's fields: rows of description, quantity,
// price, discount and tax, as typed.
func quoteForm(version int, rows ...[5]string) url.Values {
	f := url.Values{"version": {strconv.Itoa(version)}, "status": {"draft"}, "lines": {strconv.Itoa(len(rows))}}
	for i, r := range rows {
		k := "line." + strconv.Itoa(i) + "."
		for j, name := range []string{"description", "quantity", "price", "discount", "tax"} {
			f.Set(k+name, r[j])
		}
	}
	return f
}

var quoteIDRE = regexp.MustCompile(`/app/quotes/([0-9A-Z]+)`)

// TestQuoteCreatePrefilled: a new quote starts as the domain pre-fills
// one, from the opportunity's interest and approximate amount at 21 %
// tax, and its page shows the line in the form and the totals.
func TestQuoteCreatePrefilled(t *testing.T) {
	b := newBoard(t)
	o := b.opportunity(t, crm.Opportunity{Description: "Tienda online", ApproxAmountCents: 350000, InterestID: b.interest.ID})
	staff := b.env.User(t, crm.RoleStaff, "ana@example.com")
	c := b.env.SignIn(t, staff)
	if res := c.PostForm(t, "/app/opportunities/"+o.ID+"/quotes", url.Values{"_csrf": {"wrong"}}); res.Status != http.StatusForbidden {
		t.Fatalf("new quote without the CSRF token: %d, want 403", res.Status)
	}
	path := newQuote(t, c, o)
	q, err := b.env.Svc.GetQuote(t.Context(), quoteIDRE.FindStringSubmatch(path)[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Lines) != 1 || q.Lines[0].Description != "Hosting gestionado" || q.Lines[0].UnitPriceCents != 350000 || q.Lines[0].TaxBP != 2100 ||
		q.CreatedBy != staff.ID || q.OpportunityID != o.ID {
		t.Fatalf("the new quote: %+v", q)
	}
	res := c.Get(t, path+"?created=1")
	if res.Status != http.StatusOK {
		t.Fatalf("quote page: %d", res.Status)
	}
	for _, s := range []string{"Presupuesto " + q.Number, "Presupuesto creado a partir de la oportunidad.", `value="Hosting gestionado"`,
		`value="3500,00"`, `value="21"`, `<output data-sum="subtotal">3.500,00` + "\u00a0€", `<output data-sum="tax">735,00` + "\u00a0€",
		`<output data-sum="total">4.235,00` + "\u00a0€", `name="lines" value="2"`, `href="/app/opportunities/` + o.ID + `"`,
		`/app/static/quote.`, `id="accept-quote"`} {
		if !strings.Contains(res.Body, s) {
			t.Errorf("the quote page lacks %q", s)
		}
	}
	opp := c.Get(t, "/app/opportunities/"+o.ID).Body
	for _, s := range []string{`href="/app/quotes/` + q.ID + `"`, q.Number, "Borrador", "4.235,00\u00a0€"} {
		if !strings.Contains(opp, s) {
			t.Errorf("the opportunity page's quotes lack %q", s)
		}
	}
}

// TestQuoteSaveLines: the lines typed (Spanish numbers, a discount, a
// reduced tax, a blank row left out, a row removed) are saved and
// computed by the domain; the page shows its figures.
func TestQuoteSaveLines(t *testing.T) {
	b := newBoard(t)
	o := b.opportunity(t, crm.Opportunity{Description: "Tienda online", ApproxAmountCents: 350000})
	c := b.env.SignIn(t, b.env.Admin)
	path := newQuote(t, c, o)
	id := quoteIDRE.FindStringSubmatch(path)[1]
	f := quoteForm(1,
		[5]string{"Diseño", "1", "1.200,00", "10", "21"},
		[5]string{"Horas de formación", "2,5", "45,5", "", "10"},
		[5]string{"Quitada", "1", "99", "0", "21"},
		[5]string{"", "1", "", "0", "21"},
	)
	f.Set("line.2.remove", "1")
	f.Set("validUntil", "2026-12-31")
	f.Set("status", "sent")
	noCSRF := url.Values{}
	for k, v := range f {
		noCSRF[k] = v
	}
	noCSRF.Set("_csrf", "wrong")
	if res := c.PostForm(t, path, noCSRF); res.Status != http.StatusForbidden {
		t.Fatalf("saving without the CSRF token: %d, want 403", res.Status)
	}
	res := c.PostForm(t, path, f)
	if res.Status != http.StatusSeeOther || res.Location() != path+"?saved=1" {
		t.Fatalf("save: %d to %q: %s", res.Status, res.Location(), res.Body)
	}
	q, err := b.env.Svc.GetQuote(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	// 1200 - 10 % = 1080, +21 % = 226.80; 2.5 × 45.50 = 113.75, +10 % = 11.375 → 11.38
	if len(q.Lines) != 2 || q.Lines[0].NetCents != 108000 || q.Lines[0].TaxCents != 22680 || q.Lines[1].QuantityMilli != 2500 ||
		q.Lines[1].NetCents != 11375 || q.Lines[1].TaxCents != 1138 || q.SubtotalCents != 119375 || q.TaxCents != 23818 ||
		q.TotalCents != 143193 || q.Status != crm.QuoteSent || q.ValidUntil != "2026-12-31" {
		t.Fatalf("saved quote: %+v", q)
	}
	page := c.Get(t, res.Location()).Body
	for _, s := range []string{"Presupuesto guardado.", `value="2,5"`, `value="45,50"`, `<output data-sum="subtotal">1.193,75` + "\u00a0€",
		`<output data-sum="total">1.431,93` + "\u00a0€", `<option value="sent" selected>Enviado</option>`} {
		if !strings.Contains(page, s) {
			t.Errorf("the saved quote's page lacks %q", s)
		}
	}
	if got, _ := b.env.Svc.GetOpportunity(t.Context(), o.ID); got.AmountCents != 119375 {
		t.Errorf("the opportunity's amount is %d, want the quote's subtotal 119375", got.AmountCents)
	}
}

// TestQuoteFieldErrors: a number that does not read, and one the domain
// refuses, are shown next to their field in their row, with what was
// typed; a form of blank rows saves nothing; "add a line" shows one more
// row and saves nothing; a stale form is refused.
func TestQuoteFieldErrors(t *testing.T) {
	b := newBoard(t)
	o := b.opportunity(t, crm.Opportunity{Description: "Tienda online", ApproxAmountCents: 350000})
	c := b.env.SignIn(t, b.env.Admin)
	path := newQuote(t, c, o)
	id := quoteIDRE.FindStringSubmatch(path)[1]
	before, err := b.env.Svc.GetQuote(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}

	res := c.PostForm(t, path, quoteForm(1, [5]string{"Diseño", "1", "100", "0", "21"}, [5]string{"Horas", "dos", "45", "0", "21"}))
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `value="dos" inputmode="decimal" autocomplete="off" size="6" data-field="quantity" aria-invalid="true"`) ||
		!strings.Contains(res.Body, "Escribe una cantidad, como 1 o 2,5.") {
		t.Errorf("a quantity that does not read: %d, want 400 with the row's error and what was typed", res.Status)
	}
	if strings.Contains(res.Body, `<output data-sum="total">`+"1") {
		t.Errorf("totals shown while a line cannot be read")
	}

	res = c.PostForm(t, path, quoteForm(1, [5]string{"Diseño", "1", "100", "150", "21"}))
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "El descuento va de 0 a 100.") ||
		!strings.Contains(res.Body, `value="150" inputmode="decimal" autocomplete="off" size="4" data-field="discount" aria-invalid="true"`) {
		t.Errorf("a discount the domain refuses: %d, want 400 with the field's error", res.Status)
	}

	res = c.PostForm(t, path, quoteForm(1, [5]string{"", "1", "", "0", "21"}))
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "Un presupuesto tiene al menos una línea.") {
		t.Errorf("only blank rows: %d, want 400", res.Status)
	}

	add := quoteForm(1, [5]string{"Diseño", "1", "100", "0", "21"})
	add.Set("add", "1")
	res = c.PostForm(t, path, add)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `name="lines" value="2"`) || !strings.Contains(res.Body, `name="line.1.description"`) {
		t.Errorf("add a line: %d, want the form with one more row", res.Status)
	}

	if after, _ := b.env.Svc.GetQuote(t.Context(), id); after.Version != before.Version {
		t.Fatalf("a refused form changed the quote")
	}
	res = c.PostForm(t, path, quoteForm(1, [5]string{"Diseño", "1", "100", "0", "21"}))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("save: %d", res.Status)
	}
	res = c.PostForm(t, path, quoteForm(1, [5]string{"Otra", "1", "100", "0", "21"}))
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, "Alguien cambió el presupuesto mientras tanto.") ||
		!strings.Contains(res.Body, `name="version" value="2"`) {
		t.Errorf("a stale form: %d, want 409 with the notice and the current version", res.Status)
	}
}

// TestQuoteAccept: accepting a quote wins the opportunity and makes its
// contact a client, which the opportunity's page shows; the accepted quote
// is read-only, and the opportunity accepts no other.
func TestQuoteAccept(t *testing.T) {
	b := newBoard(t)
	o := b.opportunity(t, crm.Opportunity{Description: "Tienda online", ApproxAmountCents: 350000})
	staff := b.env.User(t, crm.RoleStaff, "ana@example.com")
	c := b.env.SignIn(t, staff)
	first := newQuote(t, c, o)
	second := newQuote(t, c, o)
	if res := c.PostForm(t, first+"/accept", url.Values{"_csrf": {"wrong"}}); res.Status != http.StatusForbidden {
		t.Fatalf("accept without the CSRF token: %d, want 403", res.Status)
	}
	if got, _ := b.env.Svc.GetContact(t.Context(), b.contact.ID); got.ClientID != "" {
		t.Fatalf("a refused accept made the contact a client")
	}
	res := c.PostForm(t, first+"/accept", nil)
	id := quoteIDRE.FindStringSubmatch(first)[1]
	if res.Status != http.StatusSeeOther || res.Location() != "/app/opportunities/"+o.ID+"?accepted="+id {
		t.Fatalf("accept: %d to %q: %s", res.Status, res.Location(), res.Body)
	}
	q, _ := b.env.Svc.GetQuote(t.Context(), id)
	opp, _ := b.env.Svc.GetOpportunity(t.Context(), o.ID)
	contact, _ := b.env.Svc.GetContact(t.Context(), b.contact.ID)
	if q.Status != crm.QuoteAccepted || opp.StateID != b.states["Ganado"].ID || !opp.Won() || contact.ClientID == "" {
		t.Fatalf("after accepting: quote %s, opportunity in %s, contact's client %q", q.Status, opp.StateID, contact.ClientID)
	}
	page := c.Get(t, res.Location()).Body
	for _, s := range []string{"Presupuesto " + q.Number + " aceptado: la oportunidad está ganada.", "José Pérez es cliente.",
		`class="badge client" data-kind="client">Cliente</span>`, "Ganado", "data-locked", "Aceptado"} {
		if !strings.Contains(page, s) {
			t.Errorf("the opportunity page after accepting lacks %q", s)
		}
	}
	if strings.Contains(page, `/accept"`) {
		t.Errorf("a won opportunity's page offers to accept a quote")
	}
	qp := c.Get(t, first).Body
	if strings.Contains(qp, "data-quote") || !strings.Contains(qp, `<td class="num" data-sum="total">4.235,00`+"\u00a0€") {
		t.Errorf("an accepted quote's page is not read-only with its totals")
	}
	res = c.PostForm(t, second+"/accept", nil)
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, "No se puede aceptar este presupuesto.") {
		t.Errorf("accepting a second quote: %d, want 409 with the refusal", res.Status)
	}
	res = c.PostForm(t, first, quoteForm(q.Version, [5]string{"Otra", "1", "1", "0", "21"}))
	if res.Status != http.StatusConflict {
		t.Errorf("changing an accepted quote: %d, want 409", res.Status)
	}
	res = c.PostForm(t, first, quoteForm(1, [5]string{"Otra", "1", "1", "0", "21"}))
	if res.Status != http.StatusConflict || strings.Contains(res.Body, "Otra") || !strings.Contains(res.Body, "Tienda online") {
		t.Errorf("a form filled before the quote was accepted: %d, want 409 showing the accepted lines, not the typed ones", res.Status)
	}
}

// TestQuoteInEnglish: a user whose language is English reads amounts and
// types them the English way: the form is filled with 3500.00, the totals
// written €4,235.00, and 1,234.5 is read as 1234.50.
func TestQuoteInEnglish(t *testing.T) {
	b := newBoard(t)
	o := b.opportunity(t, crm.Opportunity{Description: "Shop", ApproxAmountCents: 350000})
	u, err := b.env.Svc.CreateUser(t.Context(), crm.User{Name: "Jane", Email: "jane@example.com", Role: crm.RoleStaff, Active: true, Lang: crm.LangEN})
	if err != nil {
		t.Fatal(err)
	}
	c := b.env.SignIn(t, u)
	opp := c.Get(t, "/app/opportunities/"+o.ID).Body
	for _, s := range []string{"€3,500.00", `value="3500.00"`, "New quote", "Change state"} {
		if !strings.Contains(opp, s) {
			t.Errorf("the English opportunity page lacks %q", s)
		}
	}
	path := newQuote(t, c, o)
	page := c.Get(t, path).Body
	for _, s := range []string{`value="3500.00"`, `<output data-sum="total">€4,235.00</output>`, "Unit price (€)", `<html lang="en">`} {
		if !strings.Contains(page, s) {
			t.Errorf("the English quote page lacks %q", s)
		}
	}
	q, err := b.env.Svc.GetQuote(t.Context(), quoteIDRE.FindStringSubmatch(path)[1])
	if err != nil {
		t.Fatal(err)
	}
	if res := c.PostForm(t, path, quoteForm(q.Version, [5]string{"Design", "1.5", "1,234.5", "0", "21"})); res.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.Status, res.Body)
	}
	if q, _ = b.env.Svc.GetQuote(t.Context(), q.ID); q.Lines[0].QuantityMilli != 1500 || q.Lines[0].UnitPriceCents != 123450 {
		t.Errorf("1.5 × 1,234.5 typed in English was read as %+v", q.Lines[0])
	}
}
