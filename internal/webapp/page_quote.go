package webapp

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"POST /app/opportunities/{id}/quotes", signedIn, (*app).createQuote},
		route{"GET /app/quotes/{id}", signedIn, (*app).quote},
		route{"POST /app/quotes/{id}", signedIn, (*app).saveQuote},
		route{"POST /app/quotes/{id}/accept", signedIn, (*app).acceptQuote},
	)
}

// quoteView is the quote page's data: the quote, its opportunity and
// contact, and its lines as the form shows them, with the server's
// figures for each.
type quoteView struct {
	Quote      crm.Quote
	Opp        crm.Opportunity
	Contact    crm.Contact
	Rows       []quoteRow
	Status     string // the status chosen in the form
	ValidUntil string // as typed
	Version    int    // the quote's version the form was filled from
	Errors     map[string]string
	Problem    string // a catalog key saying why a change failed
	Message    string // the domain's words on it, when they help
	Notice     string // a catalog key saying what the last change did
	Totals     quoteTotals
}

// quoteTotals are the sums of the lines shown, as crm.QuoteTotals makes
// them; Known is false when a line cannot be read (its figures unknown).
type quoteTotals struct {
	Subtotal, Tax, Total int64
	Known                bool
}

// Editable reports whether the quote may change: an accepted quote is
// final (crm.UpdateQuote).
func (v quoteView) Editable() bool { return v.Quote.Status != crm.QuoteAccepted }

// CanAccept reports whether the quote may be accepted (crm.AcceptQuote):
// it is not accepted, its opportunity has no accepted quote and is not won.
func (v quoteView) CanAccept() bool {
	return v.Editable() && v.Opp.AcceptedQuote() == "" && !v.Opp.Won()
}

// ContactName names the quote's contact as lists do.
func (v quoteView) ContactName() string { return contactName(v.Contact) }

// Statuses are the statuses the form offers; accepting is a button of
// its own.
func (v quoteView) Statuses() []crm.QuoteStatus {
	return []crm.QuoteStatus{crm.QuoteDraft, crm.QuoteSent, crm.QuoteRejected}
}

// quoteRow is one line of the form: what was typed, the server's figures
// for it (Known when the line reads) and its field errors.
type quoteRow struct {
	Index                                                   int
	InterestID, Description, Quantity, Price, Discount, Tax string
	Remove                                                  bool
	Net, TaxCents, Total                                    int64
	Known                                                   bool
	Errors                                                  map[string]string
}

// Blank reports whether the row is left empty (no description and no
// price): it is not a line. static/quote.js has the same rule.
func (r quoteRow) Blank() bool {
	return strings.TrimSpace(r.Description) == "" && strings.TrimSpace(r.Price) == ""
}

// Number is the row's number as people count (1 for the first).
func (r quoteRow) Number() int { return r.Index + 1 }

// Counted reports whether the row is a line of the totals.
func (r quoteRow) Counted() bool { return !r.Blank() && !r.Remove }

// maxQuoteRows bounds the rows a form may send: the domain's 100 lines
// and a few blank ones.
const maxQuoteRows = 110

// rowOfLine is a quote's line as a row of the form.
func rowOfLine(lang string, i int, l crm.QuoteLine) quoteRow {
	return quoteRow{Index: i, InterestID: l.InterestID, Description: l.Description,
		Quantity: writeDecimal(lang, l.QuantityMilli, 3, 0), Price: writeDecimal(lang, l.UnitPriceCents, 2, 2),
		Discount: writeDecimal(lang, l.DiscountBP, 2, 0), Tax: writeDecimal(lang, l.TaxBP, 2, 0),
		Net: l.NetCents, TaxCents: l.TaxCents, Total: l.TotalCents, Known: true}
}

// blankRow is the empty row the form ends with, to add a line: one unit
// at the default tax.
func blankRow(lang string, i int) quoteRow {
	return quoteRow{Index: i, Quantity: "1", Discount: "0", Tax: writeDecimal(lang, crm.DefaultTaxBP, 2, 0)}
}

// read turns the row into a quote line, computed as the domain computes
// it, with an error for each number that does not read. Empty discount
// and tax are 0; an empty quantity is an error (the domain wants one).
func (r *quoteRow) read(p *Page) (crm.QuoteLine, bool) {
	r.Errors = map[string]string{}
	l := crm.QuoteLine{Description: r.Description, InterestID: r.InterestID}
	num := func(field, s string, scale int, empty bool, out *int64) {
		s = strings.TrimSpace(s)
		if s == "" && empty {
			return
		}
		v, ok := readDecimal(p.Lang, s, scale)
		if !ok {
			r.Errors[field] = p.T("quote.err." + field)
			return
		}
		*out = v
	}
	num("quantity", r.Quantity, 3, false, &l.QuantityMilli)
	num("price", r.Price, 2, true, &l.UnitPriceCents)
	num("discount", r.Discount, 2, true, &l.DiscountBP)
	num("tax", r.Tax, 2, true, &l.TaxBP)
	if len(r.Errors) > 0 {
		return l, false
	}
	l.Compute()
	r.Net, r.TaxCents, r.Total, r.Known = l.NetCents, l.TaxCents, l.TotalCents, true
	return l, true
}

// readQuoteForm reads the rows of a posted quote form; lines are the rows
// that count, in order, and rowOf[i] is the row of lines[i]. ok is false
// when a number of a counted row does not read.
func readQuoteForm(p *Page, f url.Values) (rows []quoteRow, lines []crm.QuoteLine, rowOf []int, ok bool) {
	n, err := strconv.Atoi(f.Get("lines"))
	if err != nil || n < 0 {
		n = 0
	}
	n = min(n, maxQuoteRows)
	ok = true
	for i := range n {
		k := "line." + strconv.Itoa(i) + "."
		r := quoteRow{Index: i, InterestID: f.Get(k + "interestId"), Description: f.Get(k + "description"), Quantity: f.Get(k + "quantity"),
			Price: f.Get(k + "price"), Discount: f.Get(k + "discount"), Tax: f.Get(k + "tax"), Remove: f.Get(k+"remove") != ""}
		if r.Counted() {
			l, good := r.read(p)
			ok = ok && good
			lines, rowOf = append(lines, l), append(rowOf, i)
		}
		rows = append(rows, r)
	}
	return rows, lines, rowOf, ok
}

// totalsOf sums the rows that count, as the domain sums lines.
func totalsOf(rows []quoteRow) quoteTotals {
	var ls []crm.QuoteLine
	for _, r := range rows {
		if !r.Counted() {
			continue
		}
		if !r.Known {
			return quoteTotals{}
		}
		ls = append(ls, crm.QuoteLine{NetCents: r.Net, TaxCents: r.TaxCents, TotalCents: r.Total})
	}
	t := quoteTotals{Known: true}
	t.Subtotal, t.Tax, t.Total = crm.QuoteTotals(ls)
	return t
}

// createQuote makes a quote of the opportunity, pre-filled from it as the
// domain pre-fills one (its interest or description, one unit at its
// approximate amount), and opens it.
func (a *app) createQuote(w http.ResponseWriter, r *http.Request, p *Page) {
	q, err := a.svc.CreateQuote(r.Context(), p.User, r.PathValue("id"), crm.Quote{})
	var e *crm.Error
	switch {
	case err == nil:
		http.Redirect(w, r, "/app/quotes/"+q.ID+"?created=1", http.StatusSeeOther)
	case errors.As(err, &e) && e.Code == crm.CodeConflict: // too many quotes
		a.showOpportunity(w, r, p, r.PathValue("id"), http.StatusConflict, opportunityView{Problem: "error.conflict", Message: e.Message})
	default:
		a.fail(w, r, p, err)
	}
}

// quote shows a quote: its lines in a form with live totals while it may
// change, read-only once accepted.
func (a *app) quote(w http.ResponseWriter, r *http.Request, p *Page) {
	v := quoteView{}
	switch q := r.URL.Query(); {
	case q.Has("created"):
		v.Notice = "quote.created"
	case q.Has("saved"):
		v.Notice = "quote.saved"
	}
	a.showQuote(w, r, p, http.StatusOK, v)
}

// showQuote reads the quote of the path, its opportunity and contact into
// v and renders it with status. Rows not typed (v.Rows nil), and those of
// an accepted quote, come from the quote as stored, with a blank row to add
// a line while it may change.
func (a *app) showQuote(w http.ResponseWriter, r *http.Request, p *Page, status int, v quoteView) {
	p.Nav = "pipeline"
	ctx := r.Context()
	var err error
	if v.Quote, err = a.svc.GetQuote(ctx, r.PathValue("id")); err != nil {
		a.fail(w, r, p, err)
		return
	}
	if v.Opp, err = a.svc.GetOpportunity(ctx, v.Quote.OpportunityID); err != nil && crm.ErrorCode(err) != crm.CodeNotFound {
		a.fail(w, r, p, err)
		return
	}
	if v.Contact, err = a.svc.GetContact(ctx, v.Quote.ContactID); err != nil && crm.ErrorCode(err) != crm.CodeNotFound {
		a.fail(w, r, p, err)
		return
	}
	if v.Rows == nil || !v.Editable() { // an accepted quote shows what it holds, whatever was typed
		v.Rows = nil
		for i, l := range v.Quote.Lines {
			v.Rows = append(v.Rows, rowOfLine(p.Lang, i, l))
		}
		if v.Editable() {
			v.Rows = append(v.Rows, blankRow(p.Lang, len(v.Rows)))
		}
		v.Status, v.ValidUntil, v.Version = string(v.Quote.Status), v.Quote.ValidUntil, v.Quote.Version
	}
	if v.Problem == "quote.stale" {
		v.Version = v.Quote.Version
	}
	v.Totals = totalsOf(v.Rows)
	a.render(w, r, p, status, "quote", v)
}

// lineField is a domain field of a quote line ("lines[2].unitPriceCents").
var lineField = regexp.MustCompile(`^lines\[(\d+)\]\.(\w+)$`)

// rowInputs are the form's inputs of a line, by the domain's field name.
var rowInputs = map[string]string{"description": "description", "interestId": "description", "quantity": "quantity",
	"unitPriceCents": "price", "discountPct": "discount", "taxPct": "tax"}

// saveQuote saves the lines, status and validity of a quote, if nobody
// changed it since the form was filled; "add" instead shows the form
// again with one more empty row, saving nothing.
func (a *app) saveQuote(w http.ResponseWriter, r *http.Request, p *Page) {
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, p, crm.InvalidField("form", "cannot be read"))
		return
	}
	f := r.PostForm
	v := quoteView{Status: f.Get("status"), ValidUntil: f.Get("validUntil"), Version: versionField(f), Errors: map[string]string{}}
	rows, lines, rowOf, ok := readQuoteForm(p, f)
	v.Rows = rows
	if f.Has("add") {
		v.Rows = append(v.Rows, blankRow(p.Lang, len(v.Rows)))
		a.showQuote(w, r, p, http.StatusOK, v)
		return
	}
	if !ok {
		a.showQuote(w, r, p, http.StatusBadRequest, v)
		return
	}
	if len(lines) == 0 {
		v.Errors["lines"] = p.T("quote.err.lines")
		a.showQuote(w, r, p, http.StatusBadRequest, v)
		return
	}
	id := r.PathValue("id")
	_, err := a.svc.UpdateQuote(r.Context(), p.User, id, v.Version, func(q *crm.Quote) error {
		q.Lines, q.Status, q.ValidUntil = lines, crm.QuoteStatus(v.Status), v.ValidUntil
		return nil
	})
	var e *crm.Error
	switch {
	case err == nil:
		http.Redirect(w, r, "/app/quotes/"+id+"?saved=1", http.StatusSeeOther)
	case !errors.As(err, &e):
		a.fail(w, r, p, err)
	case e.Code == crm.CodeInvalid:
		for k, msg := range e.Fields {
			m := lineField.FindStringSubmatch(k)
			if m == nil {
				v.Errors[k] = domainFieldText(p, "quote.field.", k, msg)
				continue
			}
			i, _ := strconv.Atoi(m[1])
			in, known := rowInputs[m[2]]
			if i >= len(rowOf) || !known {
				v.Errors["lines"] = msg
				continue
			}
			v.Rows[rowOf[i]].Errors[in] = domainFieldText(p, "quote.field.", in, msg)
		}
		a.showQuote(w, r, p, http.StatusBadRequest, v)
	case e.Code == crm.CodePreconditionFailed:
		v.Problem = "quote.stale"
		a.showQuote(w, r, p, http.StatusConflict, v)
	case e.Code == crm.CodeConflict:
		v.Problem, v.Message = "error.conflict", e.Message
		a.showQuote(w, r, p, http.StatusConflict, quoteView{Problem: v.Problem, Message: v.Message})
	default:
		a.fail(w, r, p, err)
	}
}

// acceptQuote accepts a quote: the domain marks it accepted, wins its
// opportunity and makes the contact a client, at once; the opportunity's
// page then says so. A refusal (another quote accepted, the opportunity
// won already, no won state) is shown on the quote's page.
func (a *app) acceptQuote(w http.ResponseWriter, r *http.Request, p *Page) {
	q, _, err := a.svc.AcceptQuote(r.Context(), p.User, r.PathValue("id"))
	var e *crm.Error
	switch {
	case err == nil:
		http.Redirect(w, r, opportunityPath(q.OpportunityID)+"?accepted="+q.ID, http.StatusSeeOther)
	case errors.As(err, &e) && e.Code == crm.CodeConflict:
		a.showQuote(w, r, p, http.StatusConflict, quoteView{Problem: "quote.acceptRefused", Message: e.Message})
	default:
		a.fail(w, r, p, err)
	}
}
