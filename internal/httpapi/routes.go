package httpapi

import "github.com/embudo/embudo/internal/crm"

// access says who may call a route.
type access int

const (
	public access = iota // no token
	staff                // any active user
	admin                // active admins only
)

// route registers pattern with the authentication its access needs, and
// idempotency-key handling for POST.
func (a *API) route(pattern string, who access, h handlerFunc) {
	a.registered[pattern] = [...]string{"public", "staff", "admin"}[who]
	a.mux.Handle(pattern, a.wrap(who, h))
}

func (a *API) routes() {
	a.route("GET /healthz", public, a.healthz)
	a.route("GET /openapi.json", public, a.openapi)

	a.route("GET /v1/contacts", staff, a.listContacts)
	a.route("POST /v1/contacts", staff, a.createContact)
	a.route("GET /v1/contacts/{id}", staff, a.getContact)
	a.route("PATCH /v1/contacts/{id}", staff, a.patchContact)
	a.route("DELETE /v1/contacts/{id}", staff, a.deleteContact)

	a.route("POST /v1/contacts/{id}/convert", staff, a.convertContact)
	a.route("POST /v1/contacts:import", staff, a.importContacts)
	a.route("GET /v1/reports/sources", staff, a.reportSources)

	a.route("GET /v1/opportunities", staff, a.listOpportunities)
	a.route("POST /v1/opportunities", staff, a.createOpportunity)
	a.route("GET /v1/opportunities/tabs", staff, a.opportunityTabs)
	a.route("POST /v1/opportunities:bulk-state", staff, a.bulkState)
	a.route("GET /v1/opportunities/{id}", staff, a.getOpportunity)
	a.route("PATCH /v1/opportunities/{id}", staff, a.patchOpportunity)
	a.route("DELETE /v1/opportunities/{id}", staff, a.deleteOpportunity)
	a.route("GET /v1/opportunities/{id}/quotes", staff, a.listQuotes)
	a.route("POST /v1/opportunities/{id}/quotes", staff, a.createQuote)

	a.route("GET /v1/quotes/{id}", staff, a.getQuote)
	a.route("PATCH /v1/quotes/{id}", staff, a.patchQuote)
	a.route("POST /v1/quotes/{id}/accept", staff, a.acceptQuote)

	for _, k := range []crm.PartyKind{crm.PartyClient, crm.PartySupplier} {
		base := "/v1/" + string(k) + "s"
		a.route("GET "+base, staff, a.listParties(k))
		a.route("POST "+base, staff, a.createParty(k))
		a.route("GET "+base+"/{id}", staff, a.getParty(k))
		a.route("PATCH "+base+"/{id}", staff, a.patchParty(k))
	}

	for _, p := range []struct {
		base string
		kind crm.ParentKind
	}{{"/v1/contacts", crm.ParentContact}, {"/v1/opportunities", crm.ParentOpportunity}, {"/v1/clients", crm.ParentClient},
		{"/v1/suppliers", crm.ParentSupplier}, {"/v1/quotes", crm.ParentQuote}} {
		a.route("GET "+p.base+"/{id}/notes", staff, a.listNotes(p.kind))
		a.route("POST "+p.base+"/{id}/notes", staff, a.createNote(p.kind))
	}
	a.route("GET /v1/notes/{id}", staff, a.getNote)
	a.route("PATCH /v1/notes/{id}", staff, a.patchNote)
	a.route("DELETE /v1/notes/{id}", staff, a.deleteNote)
	a.route("GET /v1/reminders", staff, a.reminders)
	for _, p := range []struct {
		base string
		kind crm.ParentKind
	}{{"/v1/contacts", crm.ParentContact}, {"/v1/opportunities", crm.ParentOpportunity}} {
		a.route("GET "+p.base+"/{id}/files", staff, a.listFiles(p.kind))
		a.route("POST "+p.base+"/{id}/files", staff, a.createFile(p.kind))
	}
	a.route("GET /v1/files/{id}", staff, a.getFile)
	a.route("DELETE /v1/files/{id}", staff, a.deleteFile)
	a.route("POST /v1/files/{id}/complete", staff, a.completeFile)
	a.route("GET /v1/contacts/{id}/timeline", staff, a.timeline)
	a.route("GET /v1/contacts/{id}/leads", staff, a.contactLeads)

	a.route("GET /v1/sources", staff, a.listSources)
	a.route("POST /v1/sources", admin, a.createSource)
	a.route("GET /v1/sources/{id}", staff, a.getSource)
	a.route("PATCH /v1/sources/{id}", admin, a.patchSource)
	a.route("DELETE /v1/sources/{id}", admin, a.deleteSource)

	a.route("GET /v1/interests", staff, a.listInterests)
	a.route("POST /v1/interests", admin, a.createInterest)
	a.route("GET /v1/interests/{id}", staff, a.getInterest)
	a.route("PATCH /v1/interests/{id}", admin, a.patchInterest)
	a.route("DELETE /v1/interests/{id}", admin, a.deleteInterest)

	a.route("GET /v1/agents", staff, a.listAgents)
	a.route("POST /v1/agents", admin, a.createAgent)
	a.route("GET /v1/agents/{id}", staff, a.getAgent)
	a.route("PATCH /v1/agents/{id}", admin, a.patchAgent)
	a.route("DELETE /v1/agents/{id}", admin, a.deleteAgent)

	a.route("GET /v1/states", staff, a.listStates)
	a.route("POST /v1/states", admin, a.createState)
	a.route("GET /v1/states/{id}", staff, a.getState)
	a.route("PATCH /v1/states/{id}", admin, a.patchState)
	a.route("DELETE /v1/states/{id}", admin, a.deleteState)

	a.route("GET /v1/inbound/rejected", admin, a.listRejectedEmails)
	a.route("GET /v1/users", admin, a.listUsers)
	a.route("POST /v1/users", admin, a.createUser)
	a.route("GET /v1/users/{id}", admin, a.getUser)
	a.route("PATCH /v1/users/{id}", admin, a.patchUser)
	a.route("DELETE /v1/users/{id}", admin, a.deleteUser)
	a.route("POST /v1/users/{id}/tokens", admin, a.createToken)
	a.route("GET /v1/users/{id}/tokens", admin, a.listTokens)
	a.route("DELETE /v1/users/{id}/tokens/{tokenId}", admin, a.revokeToken)

	a.route("GET /v1/notification-settings", admin, a.listSettings)
	a.route("GET /v1/notification-settings/{key}", admin, a.getSetting)
	a.route("PATCH /v1/notification-settings/{key}", admin, a.patchSetting)
}

// Routes lists every route pattern with its access ("public", "staff",
// "admin"), for the authorization tests and the OpenAPI check.
func (a *API) Routes() map[string]string {
	return a.registered
}
