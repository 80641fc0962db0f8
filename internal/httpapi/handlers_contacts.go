package httpapi

import (
	"context"
	"net/http"

	"github.com/embudo/embudo/internal/crm"
)

var contactRes = resource[crm.Contact, contactFields, contactResponse]{
	path:     "/v1/contacts",
	defaults: func() crm.Contact { return crm.Contact{} },
	fields:   contactFieldsOf,
	apply:    func(f contactFields, c *crm.Contact) { f.applyTo(c) },
	response: contactToResponse,
	id:       func(c crm.Contact) string { return c.ID },
	version:  func(c crm.Contact) int { return c.Version },
}

func (a *API) createContact(w http.ResponseWriter, r *http.Request, u crm.User) error {
	return contactRes.create(w, r, func(ctx context.Context, c crm.Contact) (crm.Contact, error) {
		return a.svc.CreateContact(ctx, u, c)
	})
}

func (a *API) getContact(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return contactRes.get(w, r, a.svc.GetContact)
}

func (a *API) patchContact(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return contactRes.patch(w, r, a.svc.UpdateContact)
}

func (a *API) deleteContact(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return contactRes.remove(w, r, a.svc.DeleteContact)
}

func (a *API) listContacts(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	q := r.URL.Query()
	o, err := listOptions(q, "sourceId", "agentId", "interestId", "kind", "email", "phone", "q")
	if err != nil {
		return err
	}
	f := crm.ContactFilter{
		SourceID: q.Get("sourceId"), AgentID: q.Get("agentId"), InterestID: q.Get("interestId"),
		Kind: crm.ContactKind(q.Get("kind")), Email: q.Get("email"), Phone: q.Get("phone"), Query: q.Get("q"),
	}
	p, err := a.svc.ListContacts(r.Context(), f, o)
	if err != nil {
		return err
	}
	contactRes.list(w, p)
	return nil
}
