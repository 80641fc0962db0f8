package webapp

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"GET /app/opportunities/{id}", signedIn, (*app).opportunity},
		route{"POST /app/opportunities/{id}", signedIn, (*app).saveOpportunity},
		route{"POST /app/opportunities/{id}/state", signedIn, (*app).moveOpportunity},
	)
	addParentPage(crm.ParentOpportunity, parentPage{
		path: opportunityPath,
		show: func(a *app, w http.ResponseWriter, r *http.Request, p *Page, id string, status int, note noteForm) {
			a.showOpportunity(w, r, p, id, status, opportunityView{Note: note})
		},
	})
}

// opportunityPath is an opportunity's page: where notification e-mails
// link (internal/notify: APP_URL + /opportunities/{id}).
func opportunityPath(id string) string { return "/app/opportunities/" + url.PathEscape(id) }

// opportunityView is the opportunity page's data: the opportunity with its
// state, contact and quotes, and its two forms (the main fields; the
// state) with what was typed and their field errors.
type opportunityView struct {
	Opp        crm.Opportunity
	State      crm.State   // its state ("" ID when the state is gone)
	States     []crm.State // every state, in order: the targets of a move
	Contact    crm.Contact // its contact (zero when gone)
	Lists      catalogLists
	Quotes     []crm.Quote // oldest first
	Assignee   string      // the assigned user's name ("" for none)
	Edit       oppForm
	Errors     map[string]string // the main fields form's, by input name
	Move       oppMoveForm
	MoveErrors map[string]string // the state form's, by input name
	Problem    string            // a catalog key saying why a change failed
	Message    string            // the domain's words on it, when they help
	Notice     string            // a catalog key saying what the last change did
	Accepted   crm.Quote         // the quote just accepted (Notice "opportunity.accepted")
	Note       noteForm          // the notes block's form (what was typed when refused)
	Blocks     blocks            // the notes, files and timeline blocks
}

// Locked reports whether the opportunity's main fields are locked: it is
// in a closed (won or lost) state, as crm.CheckLocked has it.
func (v opportunityView) Locked() bool { return v.State.Closed() }

// CanAccept reports whether a quote of the opportunity may be accepted:
// none is accepted yet and the opportunity is not won (crm.AcceptQuote
// refuses otherwise).
func (v opportunityView) CanAccept() bool { return v.Opp.AcceptedQuote() == "" && !v.Opp.Won() }

// ContactName names the opportunity's contact as lists do.
func (v opportunityView) ContactName() string { return contactName(v.Contact) }

// oppForm is the main fields form as typed.
type oppForm struct {
	Description, Observations, InterestID, AgentID, ApproxAmount, ExpectedCloseDate string
	Version                                                                         int
}

// oppFormOf fills the form from the opportunity.
func oppFormOf(lang string, o crm.Opportunity) oppForm {
	return oppForm{Description: o.Description, Observations: o.Observations, InterestID: o.InterestID, AgentID: o.AgentID,
		ApproxAmount: writeDecimal(lang, o.ApproxAmountCents, 2, 2), ExpectedCloseDate: o.ExpectedCloseDate, Version: o.Version}
}

// oppMoveForm is the state form as typed.
type oppMoveForm struct {
	StateID, LostReason string
	Version             int
}

// oppInputs maps the domain's field names to the inputs of the
// main fields form, where they differ.
var oppInputs = map[string]string{"approxAmountCents": "approxAmount"}

// opportunity shows an opportunity: its data, its contact, its quotes and
// the forms that change it.
func (a *app) opportunity(w http.ResponseWriter, r *http.Request, p *Page) {
	q := r.URL.Query()
	v := opportunityView{}
	switch {
	case q.Has("saved"):
		v.Notice = "opportunity.saved"
	case q.Has("moved"):
		v.Notice = "opportunity.moved"
	case q.Get("accepted") != "":
		if qt, err := a.svc.GetQuote(r.Context(), q.Get("accepted")); err == nil && qt.OpportunityID == r.PathValue("id") && qt.Status == crm.QuoteAccepted {
			v.Notice, v.Accepted = "opportunity.accepted", qt
		}
	}
	a.showOpportunity(w, r, p, r.PathValue("id"), http.StatusOK, v)
}

// showOpportunity reads opportunity id and what its page shows with it
// (its notes, files and contact's timeline blocks among them, at the
// cursors of the page's query) into v, and renders it with status. A form not typed
// (v.Errors or v.MoveErrors nil) is filled from the opportunity as
// stored; a typed one keeps what was typed, with the stored version when
// the form was stale, so that sending it again is a choice made after
// seeing the notice.
func (a *app) showOpportunity(w http.ResponseWriter, r *http.Request, p *Page, id string, status int, v opportunityView) {
	p.Nav = "pipeline"
	ctx := r.Context()
	var err error
	if v.Opp, err = a.svc.GetOpportunity(ctx, id); err != nil {
		a.fail(w, r, p, err)
		return
	}
	// The rest depends on the opportunity only: read it at once.
	var (
		wg                           sync.WaitGroup
		errS, errL, errC, errQ, errB error
		o                            = v.Opp
	)
	wg.Go(func() { v.States, errS = a.svc.PipelineStates(ctx) })
	wg.Go(func() { v.Lists, errL = a.lists(ctx) })
	wg.Go(func() {
		v.Contact, errC = a.svc.GetContact(ctx, o.ContactID)
		if crm.ErrorCode(errC) == crm.CodeNotFound {
			errC = nil
		}
	})
	wg.Go(func() { v.Quotes, errQ = a.svc.ListQuotes(ctx, o.ID) })
	wg.Go(func() {
		v.Blocks, errB = a.blocks(ctx, p, crm.ParentOpportunity, o.ID, o.ContactID, readBlockCursors(r.URL.Query()), v.Note)
	})
	wg.Go(func() {
		if o.AssigneeID == "" {
			return
		}
		if u, err := a.svc.GetUser(ctx, o.AssigneeID); err == nil {
			v.Assignee = u.Name
		}
	})
	wg.Wait()
	for _, err := range []error{errS, errL, errC, errQ, errB} {
		if err != nil {
			a.fail(w, r, p, err)
			return
		}
	}
	for _, st := range v.States {
		if st.ID == o.StateID {
			v.State = st
		}
	}
	if v.Errors == nil {
		v.Edit = oppFormOf(p.Lang, v.Opp)
	}
	if v.MoveErrors == nil {
		v.Move = oppMoveForm{StateID: v.Opp.StateID, LostReason: v.Opp.LostReason, Version: v.Opp.Version}
	}
	if v.Problem == "opportunity.stale" {
		v.Edit.Version, v.Move.Version = v.Opp.Version, v.Opp.Version
	}
	a.render(w, r, p, status, "opportunity", v)
}

// versionField reads the version a form was filled from (0: none given, so
// any; a form of the app always sends one).
func versionField(form url.Values) int {
	n, err := strconv.Atoi(form.Get("version"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// saveOpportunity changes the main fields of an opportunity, if nobody
// changed it since the form was filled, and shows it again; refused
// fields are shown next to their inputs, with what was typed.
func (a *app) saveOpportunity(w http.ResponseWriter, r *http.Request, p *Page) {
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, p, crm.InvalidField("form", "cannot be read"))
		return
	}
	f := r.PostForm
	v := opportunityView{Errors: map[string]string{}}
	v.Edit = oppForm{Description: f.Get("description"), Observations: f.Get("observations"), InterestID: f.Get("interestId"),
		AgentID: f.Get("agentId"), ApproxAmount: f.Get("approxAmount"), ExpectedCloseDate: f.Get("expectedCloseDate"), Version: versionField(f)}
	amount := int64(0)
	if s := strings.TrimSpace(v.Edit.ApproxAmount); s != "" {
		var ok bool
		if amount, ok = readDecimal(p.Lang, s, 2); !ok {
			v.Errors["approxAmount"] = p.T("opportunity.amountFormat")
		}
	}
	id := r.PathValue("id")
	if len(v.Errors) == 0 {
		_, err := a.svc.UpdateOpportunity(r.Context(), id, v.Edit.Version, func(o *crm.Opportunity) error {
			o.Description, o.Observations, o.InterestID, o.AgentID = v.Edit.Description, v.Edit.Observations, v.Edit.InterestID, v.Edit.AgentID
			o.ApproxAmountCents, o.ExpectedCloseDate = amount, v.Edit.ExpectedCloseDate
			return nil
		})
		if err == nil {
			http.Redirect(w, r, opportunityPath(id)+"?saved=1", http.StatusSeeOther)
			return
		}
		if !a.refused(w, r, p, err, &v, v.Errors, oppInputs) {
			return
		}
	}
	a.showOpportunity(w, r, p, r.PathValue("id"), statusOfRefusal(v), v)
}

// moveOpportunity moves an opportunity to another state, with the lost
// reason a lost state asks for, and shows it again.
func (a *app) moveOpportunity(w http.ResponseWriter, r *http.Request, p *Page) {
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, p, crm.InvalidField("form", "cannot be read"))
		return
	}
	f := r.PostForm
	v := opportunityView{MoveErrors: map[string]string{}}
	v.Move = oppMoveForm{StateID: f.Get("stateId"), LostReason: f.Get("lostReason"), Version: versionField(f)}
	target, err := a.svc.GetState(r.Context(), v.Move.StateID)
	switch code := crm.ErrorCode(err); {
	case v.Move.StateID == "" || code == crm.CodeNotFound || code == crm.CodeInvalid:
		v.MoveErrors["stateId"] = p.T("pipeline.move.pickState")
	case err != nil:
		a.fail(w, r, p, err)
		return
	case target.Outcome == crm.OutcomeLost && strings.TrimSpace(v.Move.LostReason) == "":
		v.MoveErrors["lostReason"] = p.T("pipeline.move.reasonRequired")
	}
	id := r.PathValue("id")
	if len(v.MoveErrors) == 0 {
		_, err := a.svc.UpdateOpportunity(r.Context(), id, v.Move.Version, func(o *crm.Opportunity) error {
			o.StateID, o.LostReason = target.ID, ""
			if target.Outcome == crm.OutcomeLost {
				o.LostReason = v.Move.LostReason
			}
			return nil
		})
		if err == nil {
			http.Redirect(w, r, opportunityPath(id)+"?moved=1", http.StatusSeeOther)
			return
		}
		if !a.refused(w, r, p, err, &v, v.MoveErrors, nil) {
			return
		}
	}
	a.showOpportunity(w, r, p, r.PathValue("id"), statusOfRefusal(v), v)
}

// refused sorts out an error of a change to an opportunity: invalid and
// conflict fields go next to their inputs (errs, by input name through
// inputs), a stale form becomes the page's problem (and the forms are
// filled afresh), anything else is the error page (and refused returns
// false: it has answered).
func (a *app) refused(w http.ResponseWriter, r *http.Request, p *Page, err error, v *opportunityView, errs map[string]string, inputs map[string]string) bool {
	var e *crm.Error
	if !errors.As(err, &e) {
		a.fail(w, r, p, err)
		return false
	}
	switch {
	case e.Code == crm.CodePreconditionFailed:
		v.Problem = "opportunity.stale"
		return true
	case (e.Code == crm.CodeInvalid || e.Code == crm.CodeConflict) && len(e.Fields) > 0:
		if e.Code == crm.CodeConflict {
			v.Problem, v.Message = "opportunity.locked", e.Message
		}
		for k, msg := range e.Fields {
			if in, ok := inputs[k]; ok {
				k = in
			}
			if e.Code == crm.CodeConflict {
				errs[k] = p.T("opportunity.fieldLocked")
			} else {
				errs[k] = domainFieldText(p, "opportunity.field.", k, msg)
			}
		}
		return true
	case e.Code == crm.CodeConflict:
		v.Problem, v.Message = "error.conflict", e.Message
		return true
	}
	a.fail(w, r, p, err)
	return false
}

// statusOfRefusal is the status of a page shown again after a refused
// change: 409 for a stale form or a lock, else 400 (bad fields).
func statusOfRefusal(v opportunityView) int {
	if v.Problem != "" {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// domainFieldText is the text shown next to an input the domain refused: the
// catalog's prefix+field ("opportunity.field.description") when it has
// one, else the domain's problem as fieldProblems writes it, both in the
// reader's language.
func domainFieldText(p *Page, prefix, field, domain string) string {
	if _, ok := catalog[prefix+field]; ok {
		return p.T(prefix + field)
	}
	return fieldProblems(p, map[string]string{field: domain})[field]
}
