package webapp

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"GET /app/contacts", signedIn, (*app).contactList},
		route{"GET /app/contacts/new", signedIn, (*app).newContact},
		route{"POST /app/contacts", signedIn, (*app).createContact},
		route{"GET /app/contacts/{id}/edit", signedIn, (*app).editContact},
		route{"POST /app/contacts/{id}", signedIn, (*app).updateContact},
	)
}

// contactsPage is how many contacts the list shows at once.
const contactsPage = 50

// contactsQuery is what the contact list shows: the words searched and
// the filters.
type contactsQuery struct {
	Q, Source, Interest, Agent, Kind string
}

// readContactsQuery reads the search and the filters from a query.
func readContactsQuery(v url.Values) contactsQuery {
	return contactsQuery{Q: v.Get("q"), Source: v.Get("source"), Interest: v.Get("interest"), Agent: v.Get("agent"), Kind: v.Get("kind")}
}

// filter is the domain's filter of q.
func (q contactsQuery) filter() crm.ContactFilter {
	return crm.ContactFilter{Query: q.Q, SourceID: q.Source, InterestID: q.Interest, AgentID: q.Agent, Kind: crm.ContactKind(q.Kind)}
}

// Filtered reports whether anything narrows the list.
func (q contactsQuery) Filtered() bool {
	return q.Q != "" || q.Source != "" || q.Interest != "" || q.Agent != "" || q.Kind != ""
}

// values is the query of the list showing q (from cursor when not "").
func (q contactsQuery) values(cursor string) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": q.Q, "source": q.Source, "interest": q.Interest, "agent": q.Agent, "kind": q.Kind, "cursor": cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// contactsView is the contact list's data.
type contactsView struct {
	Query   contactsQuery
	Items   []contactRow
	MoreURL string // the next page ("" for none)
	Lists   catalogLists
	Errors  map[string]string // a search or filter refused, by its input's name
}

// contactRow is a contact as the list shows it (flat, as the blocks'
// items are: see noteItem).
type contactRow struct {
	ID, Name         string
	Company          string // "" when it is the name the contact goes by
	Email, Phone     string // the phone, else the mobile
	Source, Agent    string // their names
	Created          string // the day it was created
	Client, Supplier bool
}

// contactList lists the contacts, newest first, 50 at a time, narrowed
// by the any-word search (q: every word starts a word of the name,
// surname or company, any case or accent, as the API's search) and the
// source, interest, agent and kind filters.
func (a *app) contactList(w http.ResponseWriter, r *http.Request, p *Page) {
	p.Nav = "contacts"
	ctx := r.Context()
	q := r.URL.Query()
	v := contactsView{Query: readContactsQuery(q)}
	var err error
	if v.Lists, err = a.lists(ctx); err != nil {
		a.fail(w, r, p, err)
		return
	}
	pg, err := a.svc.ListContacts(ctx, v.Query.filter(), crm.ListOptions{Limit: contactsPage, Cursor: q.Get("cursor")})
	var e *crm.Error
	if errors.As(err, &e) && e.Code == crm.CodeInvalid {
		v.Errors = contactsQueryErrors(p, e.Fields)
		a.render(w, r, p, http.StatusBadRequest, "contacts", v)
		return
	}
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	f := formats{lang: p.Lang, tz: a.svc.TimeZone()}
	for _, c := range pg.Items {
		row := contactRow{ID: c.ID, Name: contactName(c), Company: c.Company, Email: c.Email, Phone: c.Phone,
			Source: v.Lists.SourceName(c.SourceID), Agent: v.Lists.AgentName(c.AgentID), Created: f.date(c.CreatedAt),
			Client: c.ClientID != "", Supplier: c.SupplierID != ""}
		if row.Company == row.Name {
			row.Company = ""
		}
		if row.Phone == "" {
			row.Phone = c.Mobile
		}
		v.Items = append(v.Items, row)
	}
	if pg.NextCursor != "" {
		v.MoreURL = "/app/contacts?" + v.Query.values(pg.NextCursor).Encode()
	}
	a.render(w, r, p, http.StatusOK, "contacts", v)
}

// contactsQueryErrors puts the domain's problems with a search (named by
// the API's parameters) next to the list's inputs; a bad cursor is the
// list's own ("more" of a list that changed its filters).
func contactsQueryErrors(p *Page, fields map[string]string) map[string]string {
	inputs := map[string]string{"q": "q", "sourceId": "source", "interestId": "interest", "agentId": "agent", "kind": "kind", "cursor": "list"}
	out := map[string]string{}
	for k, msg := range fieldProblems(p, fields) {
		if in, ok := inputs[k]; ok {
			out[in] = msg
		} else {
			out["list"] = msg
		}
	}
	if _, ok := out["list"]; ok {
		out["list"] = p.T("contacts.badCursor")
	}
	return out
}

// newContact shows the empty contact form.
func (a *app) newContact(w http.ResponseWriter, r *http.Request, p *Page) {
	a.showContactForm(w, r, p, http.StatusOK, contactForm{Lang: crm.LangES})
}

// createContact creates the contact the form describes and shows its
// page; one refused for its fields shows the form again with each error
// next to its field (400), and one with the e-mail or phone of another
// contact links to that one (409).
func (a *app) createContact(w http.ResponseWriter, r *http.Request, p *Page) {
	f := readContactForm(r)
	var c crm.Contact
	f.apply(&c)
	c, err := a.svc.CreateContact(r.Context(), p.User, c)
	if err != nil {
		a.contactRefused(w, r, p, f, err)
		return
	}
	http.Redirect(w, r, contactPath(c.ID), http.StatusSeeOther)
}

// editContact shows the contact form filled with the contact.
func (a *app) editContact(w http.ResponseWriter, r *http.Request, p *Page) {
	c, err := a.svc.GetContact(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	a.showContactForm(w, r, p, http.StatusOK, contactFormOf(c))
}

// updateContact saves the form onto the contact, if nobody changed it
// since the form was shown (its version), and shows its page; refused,
// the form is shown again as createContact's is, or saying that someone
// changed the contact meanwhile (409, with what was typed kept).
func (a *app) updateContact(w http.ResponseWriter, r *http.Request, p *Page) {
	f := readContactForm(r)
	f.ID = r.PathValue("id")
	_, err := a.svc.UpdateContact(r.Context(), f.ID, f.Version, func(c *crm.Contact) error {
		f.apply(c)
		return nil
	})
	if err != nil {
		a.contactRefused(w, r, p, f, err)
		return
	}
	http.Redirect(w, r, contactPath(f.ID), http.StatusSeeOther)
}

// contactRefused shows the contact form again after err: field errors
// next to their fields (400), the contact the e-mail or phone belongs to
// (409), someone's change meanwhile (409); any other error is the error
// page.
func (a *app) contactRefused(w http.ResponseWriter, r *http.Request, p *Page, f contactForm, err error) {
	var e *crm.Error
	if !errors.As(err, &e) {
		a.fail(w, r, p, err)
		return
	}
	switch {
	case e.Code == crm.CodeInvalid && len(e.Fields) > 0:
		f.Errors = fieldProblems(p, e.Fields)
		a.showContactForm(w, r, p, http.StatusBadRequest, f)
	case e.Code == crm.CodeConflict && e.ExistingID != "":
		f.Duplicate.ID = e.ExistingID
		if c, err := a.svc.GetContact(r.Context(), e.ExistingID); err == nil {
			f.Duplicate.Name = contactName(c)
		}
		if f.Duplicate.Name == "" {
			f.Duplicate.Name = e.ExistingID
		}
		a.showContactForm(w, r, p, http.StatusConflict, f)
	case e.Code == crm.CodePreconditionFailed:
		f.Problem = "contacts.form.stale"
		if c, err := a.svc.GetContact(r.Context(), f.ID); err == nil {
			f.Version = c.Version // saving again overwrites the change, knowingly
		}
		a.showContactForm(w, r, p, http.StatusConflict, f)
	default:
		a.fail(w, r, p, err)
	}
}

// contactFormView is the contact form page's data: the form and the lists
// its choices come from.
type contactFormView struct {
	contactForm
	Inputs []formInput
	Lists  catalogLists
}

// showContactForm renders the contact form (new or edit) with status.
func (a *app) showContactForm(w http.ResponseWriter, r *http.Request, p *Page, status int, f contactForm) {
	p.Nav = "contacts"
	lists, err := a.lists(r.Context())
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	a.render(w, r, p, status, "contact_form", contactFormView{contactForm: f, Inputs: f.inputs(p), Lists: lists})
}
