package webapp_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// clickToLoad clicks what sel finds, waits for the page the click loads
// (a link, or a form's POST and its redirect), then for want on it: a wait
// for want alone could find it on the page the click leaves, and the next
// step would then act on a node the new page removes.
func clickToLoad(ctx context.Context, sel, want string) error {
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		return err
	}
	return chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(want)))
}

// browserSignIn opens path signed out in the browser, asks for a sign-in
// link on the page it is sent to, opens the link from the outbox and
// waits for the page first asked for to show sel.
func browserSignIn(t *testing.T, ctx context.Context, env *webtest.Env, email, path, sel string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+path),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.Submit(chromedp.CSS("#email")),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(env.SignInLink(t, email)), chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatal(err)
	}
	where, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if where != env.URL+path {
		t.Fatalf("signed in at %s, want %s", where, env.URL+path)
	}
}

// figuresJS reads the figures a quote's form shows: each row's net, tax
// and total, then the subtotal, taxes and total.
const figuresJS = `Array.from(document.querySelectorAll("form[data-quote] [data-out], form[data-quote] [data-sum]")).map(e => e.textContent)`

// figures reads the quote form's figures in the browser.
func figures(t *testing.T, ctx context.Context) []string {
	t.Helper()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](figuresJS))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// recompute makes static/quote.js work out the form's figures again, as
// it does on every keystroke.
func recompute(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("form[data-quote]").dispatchEvent(new Event("input", {bubbles: true}))`)); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserQuoteTotalsAgree: the live totals of static/quote.js agree
// with the domain's, to the cent, on lines with discounts and taxes as the
// domain has them: halves rounded away from zero (a credit line too), a
// 100 % discount, thousandths of a unit, hundredths of a percent, figures
// whose products pass 2^53. First over lines the server computed (the
// script's figures replace the server's, which must not change); then over
// numbers typed as the user's language writes them, which the script reads and
// works out and the server reads and saves: the page after saving shows
// what the script showed before. In Spanish and in English.
func TestBrowserQuoteTotalsAgree(t *testing.T) {
	t.Run("es", func(t *testing.T) {
		quoteTotalsAgree(t, crm.LangES, [][5]string{
			{"Medio céntimo", "1", "0,05", "50", "21"},
			{"Abono", "1", "-0,05", "50", "21 %"},
			{"Regalo", "3", "19,99", "100", "21"},
			{"Milésimas", "0,125", "33,33", "12,5", "4"},
			{"Grande", "1.000.000", "99.999.999,99", "0,01", "21"},
			{"Miles", "2", "1.500", "", "21"},
			{"Punto decimal", "1.5", "12.50", "0", "10"},
		})
	})
	t.Run("en", func(t *testing.T) {
		quoteTotalsAgree(t, crm.LangEN, [][5]string{
			{"Half a cent", "1", "0.05", "50", "21"},
			{"Credit", "1", "-0.05", "50", "21 %"},
			{"Gift", "3", "19.99", "100", "21"},
			{"Thousandths", "0.125", "33.33", "12.5", "4"},
			{"Large", "1,000,000", "99,999,999.99", "0.01", "21"},
			{"Thousands", "2", "1,500", "", "21"},
			{"Decimal comma", "1,5", "12,50", "0", "10"},
		})
	})
}

// quoteTotalsAgree is TestBrowserQuoteTotalsAgree for a user of lang, who
// types the seven lines of typed: the 5th is 1,000,000 units at
// 99,999,999.99, the 6th 1,500.00 a unit, the 7th 1.5 units at 12.50.
func quoteTotalsAgree(t *testing.T, lang string, typed [][5]string) {
	env := webtest.New(t)
	ctx := webtest.Browser(t)
	u, err := env.Svc.CreateUser(t.Context(), crm.User{Name: "Lucía", Email: "lucia@example.com", Role: crm.RoleStaff, Active: true, Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	c, err := env.Svc.CreateContact(t.Context(), env.Admin, crm.Contact{Name: "Lucía", Company: "Redondeos SL"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := env.Svc.CreateOpportunity(t.Context(), env.Admin, crm.Opportunity{ContactID: c.ID, Description: "Sumas", ApproxAmountCents: 100})
	if err != nil {
		t.Fatal(err)
	}
	stored := []crm.QuoteLine{
		{Description: "Medio céntimo", QuantityMilli: 1000, UnitPriceCents: 5, DiscountBP: 5000, TaxBP: 2100},
		{Description: "Abono", QuantityMilli: 1000, UnitPriceCents: -5, DiscountBP: 5000, TaxBP: 2100},
		{Description: "Regalo", QuantityMilli: 3000, UnitPriceCents: 1999, DiscountBP: 10000, TaxBP: 2100},
		{Description: "Milésimas", QuantityMilli: 125, UnitPriceCents: 3333, DiscountBP: 1250, TaxBP: 400},
		{Description: "Grande", QuantityMilli: 1_000_000_000, UnitPriceCents: 9_999_999_999, DiscountBP: 1, TaxBP: 2100},
		{Description: "Tres decimales", QuantityMilli: 2333, UnitPriceCents: 1, DiscountBP: 3333, TaxBP: 1000},
		{Description: "Horas", QuantityMilli: 7500, UnitPriceCents: 4550, DiscountBP: 1000, TaxBP: 1000},
	}
	q, err := env.Svc.CreateQuote(t.Context(), env.Admin, o.ID, crm.Quote{Lines: stored})
	if err != nil {
		t.Fatal(err)
	}
	browserSignIn(t, ctx, env, u.Email, "/app/quotes/"+q.ID, "form[data-quote]")

	server := figures(t, ctx)
	if want := 3*(len(stored)+1) + 3; len(server) != want { // the lines, the blank row, the sums
		t.Fatalf("%d figures on the page, want %d: %q", len(server), want, server)
	}
	recompute(t, ctx)
	if script := figures(t, ctx); !slices.Equal(script, server) {
		t.Fatalf("the script's figures differ from the server's:\nscript %q\nserver %q", script, server)
	}

	// The same kinds of lines typed as a user of lang types them.
	set := `(function(rows){const trs=document.querySelectorAll("form[data-quote] tr[data-line]");
		const names=["description","quantity","price","discount","tax"];
		rows.forEach((r,i)=>names.forEach((n,j)=>{trs[i].querySelector('[data-field="'+n+'"]').value=r[j];}));
		return true;})(` + jsRows(typed) + `)`
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](set)); err != nil {
		t.Fatal(err)
	}
	recompute(t, ctx)
	script := figures(t, ctx)
	for _, f := range script {
		if f == "—" {
			t.Fatalf("the script could not read a typed line: %q", script)
		}
	}
	err = clickToLoad(ctx, "#save-quote", `p.notice[role="status"]`)
	if err != nil {
		t.Fatal(err)
	}
	saved := figures(t, ctx)
	if !slices.Equal(saved, script) {
		t.Fatalf("the saved figures differ from the script's:\nsaved  %q\nscript %q", saved, script)
	}
	got, err := env.Svc.GetQuote(t.Context(), q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lines[4].QuantityMilli != 1_000_000_000 || got.Lines[5].UnitPriceCents != 150000 || got.Lines[6].QuantityMilli != 1500 || got.Lines[6].UnitPriceCents != 1250 {
		t.Fatalf("the typed numbers were read as %+v", got.Lines)
	}
}

// jsRows writes rows as a JavaScript array literal of strings.
func jsRows(rows [][5]string) string {
	var b strings.Builder
	b.WriteString("[")
	for i, r := range rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("[")
		for j, s := range r {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`)
		}
		b.WriteString("]")
	}
	b.WriteString("]")
	return b.String()
}

// TestBrowserQuoteJourney walks the quote journey in Chromium: a link to
// an opportunity followed signed out signs in and lands on it; a new
// quote starts pre-filled from it; a second line typed in the blank row
// changes the totals as it is typed; saving keeps the figures the page
// showed; accepting wins the opportunity, and the contact's page shows the
// contact as a client.
func TestBrowserQuoteJourney(t *testing.T) {
	env := webtest.New(t)
	ctx := webtest.Browser(t)
	in, err := env.Svc.CreateInterest(t.Context(), crm.Interest{Name: "Tienda online"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := env.Svc.CreateContact(t.Context(), env.Admin, crm.Contact{Name: "José", Surname: "Pérez", Company: "Talleres Pérez"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := env.Svc.CreateOpportunity(t.Context(), env.Admin, crm.Opportunity{ContactID: c.ID, Description: "Tienda y pasarela de pago",
		ApproxAmountCents: 350000, InterestID: in.ID})
	if err != nil {
		t.Fatal(err)
	}
	browserSignIn(t, ctx, env, env.Admin.Email, "/app/opportunities/"+o.ID, "#new-quote")

	if err := clickToLoad(ctx, "#new-quote", "form[data-quote]"); err != nil {
		t.Fatal(err)
	}
	total := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-sum="total"]`)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := total(); got != "4.235,00\u00a0€" {
		t.Fatalf("the pre-filled quote's total is %q, want 4.235,00 €", got)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#l1-description"), "Formación"),
		chromedp.Clear(chromedp.CSS("#l1-quantity")),
		chromedp.SendKeys(chromedp.CSS("#l1-quantity"), "2,5"),
		chromedp.SendKeys(chromedp.CSS("#l1-price"), "45,5"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// 2.5 × 45.50 = 113.75 net, 21 % tax 23.89: 4,235.00 + 137.64
	if got := total(); got != "4.372,64\u00a0€" {
		t.Fatalf("after typing a second line the total is %q, want 4.372,64 €", got)
	}
	err = chromedp.Do(ctx,
		chromedp.Clear(chromedp.CSS("#l1-discount")),
		chromedp.SendKeys(chromedp.CSS("#l1-discount"), "10"),
		chromedp.Clear(chromedp.CSS("#l1-tax")),
		chromedp.SendKeys(chromedp.CSS("#l1-tax"), "10"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// 102.375 → 102.38 net, 10 % tax 10.24: 4,235.00 + 112.62
	if got := total(); got != "4.347,62\u00a0€" {
		t.Fatalf("after typing the discount and tax the total is %q, want 4.347,62 €", got)
	}
	shown := figures(t, ctx)
	err = clickToLoad(ctx, "#save-quote", `p.notice[role="status"]`)
	if err != nil {
		t.Fatal(err)
	}
	if saved := figures(t, ctx); !slices.Equal(saved[:6], shown[:6]) || !slices.Equal(saved[len(saved)-3:], shown[len(shown)-3:]) {
		t.Fatalf("the saved quote shows %q, the page showed %q before saving", saved, shown)
	}

	err = clickToLoad(ctx, "#accept-quote", `[data-kind="client"]`)
	if err != nil {
		t.Fatal(err)
	}
	notice, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`p.notice[role="status"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(notice, "la oportunidad está ganada") || !strings.Contains(notice, "José Pérez es cliente.") {
		t.Fatalf("after accepting the page says %q", notice)
	}
	state, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("[data-state-name]")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(state, "Ganado") {
		t.Fatalf("the accepted quote's opportunity is in %q, want Ganado", state)
	}
	err = clickToLoad(ctx, "a[data-contact]", ".badge.client")
	if err != nil {
		t.Fatal(err)
	}
	where, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if where != env.URL+"/app/contacts/"+c.ID {
		t.Fatalf("the contact link went to %s", where)
	}
}
