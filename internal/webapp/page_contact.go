package webapp

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"GET /app/contacts/{id}", signedIn, (*app).contactPage},
		route{"POST /app/contacts/{id}/convert", signedIn, (*app).convertContact},
		route{"POST /app/contacts/{id}/opportunities", signedIn, (*app).createContactOpportunity},
	)
	addParentPage(crm.ParentContact, parentPage{
		path: contactPath,
		show: func(a *app, w http.ResponseWriter, r *http.Request, p *Page, id string, status int, note noteForm) {
			a.showContact(w, r, p, id, status, contactState{Note: note})
		},
	})
}

// contactPath is a contact's page: where notification e-mails link
// (internal/notify: APP_URL + /contacts/{id}).
func contactPath(id string) string { return "/app/contacts/" + url.PathEscape(id) }

// contactState is what a contact's page shows besides the contact: the
// forms' values and errors after a refused POST, and what just happened.
type contactState struct {
	Note      noteForm
	Opp       newOpportunityForm
	Converted string // client or supplier: the conversion just made
	Problem   string // a catalog key saying why the last action failed
}

// newOpportunityForm is the "new opportunity" form of a contact's page.
type newOpportunityForm struct {
	Description, InterestID, Amount string
	Errors                          map[string]string
}

// contactView is a contact's page's data.
type contactView struct {
	contactState
	Contact       crm.Contact
	Name          string
	Lists         catalogLists
	Client        crm.Party // the client it became (ID "" for none)
	Supplier      crm.Party
	Opportunities []contactOpportunity
	MoreOpps      string // the next opportunities ("" for none)
	Blocks        blocks
}

// contactOpportunity is an opportunity of the contact as the page lists
// it (flat, as the blocks' items are: see noteItem).
type contactOpportunity struct {
	ID, Description string
	Number          int64
	State           string // its state's name
	Closed          bool   // its state is closed: the lock is shown
	Interest        string // its interest's name
	Created         string // the day it was opened
	Amount          int64  // its quotes' amount, else the approximate one (cents)
}

// contactPage shows a contact: its data, interests, client or supplier,
// opportunities (with "new opportunity"), notes, files and timeline.
func (a *app) contactPage(w http.ResponseWriter, r *http.Request, p *Page) {
	st := contactState{Converted: r.URL.Query().Get("converted")}
	if st.Converted != string(crm.PartyClient) && st.Converted != string(crm.PartySupplier) {
		st.Converted = ""
	}
	a.showContact(w, r, p, r.PathValue("id"), http.StatusOK, st)
}

// showContact renders the page of contact id with st and status.
func (a *app) showContact(w http.ResponseWriter, r *http.Request, p *Page, id string, status int, st contactState) {
	p.Nav = "contacts"
	ctx := r.Context()
	c, err := a.svc.GetContact(ctx, id)
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	v := contactView{contactState: st, Contact: c, Name: contactName(c)}
	q := r.URL.Query()
	var (
		wg                       sync.WaitGroup
		errB, errL, errO, errP   error
		opps                     crm.Page[crm.Opportunity]
		states                   []crm.State
		oppCursor                = q.Get("opportunities")
		oppFilter                = crm.OpportunityFilter{ContactID: c.ID}
		readBlocks               = readBlockCursors(q)
		clientParty, supplierPty crm.Party
	)
	wg.Go(func() { v.Blocks, errB = a.blocks(ctx, p, crm.ParentContact, c.ID, c.ID, readBlocks, st.Note) })
	wg.Go(func() { v.Lists, errL = a.lists(ctx) })
	wg.Go(func() {
		opps, errO = a.svc.ListOpportunities(ctx, oppFilter, crm.ListOptions{Limit: blockPage, Cursor: oppCursor})
		if crm.ErrorCode(errO) == crm.CodeInvalid && oppCursor != "" {
			opps, errO = a.svc.ListOpportunities(ctx, oppFilter, crm.ListOptions{Limit: blockPage})
		}
		if errO == nil {
			states, errO = a.svc.PipelineStates(ctx)
		}
	})
	wg.Go(func() { clientParty, supplierPty, errP = a.parties(ctx, c) })
	wg.Wait()
	for _, err := range []error{errB, errL, errO, errP} {
		if err != nil {
			a.fail(w, r, p, err)
			return
		}
	}
	v.Client, v.Supplier = clientParty, supplierPty
	f := formats{lang: p.Lang, tz: a.svc.TimeZone()}
	for _, o := range opps.Items {
		co := contactOpportunity{ID: o.ID, Description: o.Description, Number: o.Number, Interest: v.Lists.InterestName(o.InterestID),
			Created: f.date(o.CreatedAt), Amount: pipelineItem{Opportunity: o}.Amount()}
		for _, s := range states {
			if s.ID == o.StateID {
				co.State, co.Closed = s.Name, s.Closed()
			}
		}
		v.Opportunities = append(v.Opportunities, co)
	}
	if opps.NextCursor != "" {
		v.MoreOpps = contactPath(c.ID) + "?" + url.Values{"opportunities": {opps.NextCursor}}.Encode() + "#opportunities"
	}
	a.render(w, r, p, status, "contact", v)
}

// parties reads the client and the supplier a contact became (zero when
// none, or when the party is gone). Errors: internal.
func (a *app) parties(ctx context.Context, c crm.Contact) (client, supplier crm.Party, err error) {
	read := func(k crm.PartyKind, id string) (crm.Party, error) {
		if id == "" {
			return crm.Party{}, nil
		}
		pt, err := a.svc.GetParty(ctx, k, id)
		if crm.ErrorCode(err) == crm.CodeNotFound {
			return crm.Party{}, nil
		}
		return pt, err
	}
	if client, err = read(crm.PartyClient, c.ClientID); err != nil {
		return
	}
	supplier, err = read(crm.PartySupplier, c.SupplierID)
	return
}

// convertContact turns the contact into a client or a supplier (to=), as
// the domain's conversion does (a contact converted before keeps its
// party), and shows its page saying so.
func (a *app) convertContact(w http.ResponseWriter, r *http.Request, p *Page) {
	id := r.PathValue("id")
	k := crm.PartyKind(r.PostFormValue("to"))
	if _, _, err := a.svc.Convert(r.Context(), id, k); err != nil {
		a.fail(w, r, p, err)
		return
	}
	http.Redirect(w, r, contactPath(id)+"?"+url.Values{"converted": {string(k)}}.Encode(), http.StatusSeeOther)
}

// createContactOpportunity opens an opportunity for the contact (the
// domain gives it the default state, the contact's agent and source) and
// goes to its page; one refused for its fields shows the contact's page
// with the errors next to them.
func (a *app) createContactOpportunity(w http.ResponseWriter, r *http.Request, p *Page) {
	id := r.PathValue("id")
	form := newOpportunityForm{Description: r.PostFormValue("description"), InterestID: r.PostFormValue("interestId"),
		Amount: r.PostFormValue("approxAmount")}
	o := crm.Opportunity{ContactID: id, Description: form.Description, InterestID: form.InterestID}
	var err error
	if cents, ok := readDecimal(p.Lang, form.Amount, 2); ok || strings.TrimSpace(form.Amount) == "" {
		o.ApproxAmountCents = cents
		o, err = a.svc.CreateOpportunity(r.Context(), p.User, o)
	} else {
		err = crm.InvalidField("approxAmount", "must be an amount like 1500,00")
	}
	var e *crm.Error
	switch {
	case err == nil:
		http.Redirect(w, r, "/app/opportunities/"+url.PathEscape(o.ID), http.StatusSeeOther)
	case errors.As(err, &e) && e.Code == crm.CodeInvalid && e.Fields["contactId"] != "":
		a.fail(w, r, p, crm.NotFound("contact"))
	case errors.As(err, &e) && e.Code == crm.CodeInvalid && len(e.Fields) > 0:
		form.Errors = fieldProblems(p, e.Fields)
		if m, ok := form.Errors["approxAmountCents"]; ok {
			form.Errors["approxAmount"] = m
		}
		a.showContact(w, r, p, id, http.StatusBadRequest, contactState{Opp: form})
	default:
		a.fail(w, r, p, err)
	}
}
