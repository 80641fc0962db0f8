package httpapi_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/httpapi"
)

// badCase is one bad request and the problem it must get.
type badCase struct {
	name    string
	body    any      // JSON-encoded unless a string
	headers []string // extra headers
	status  int      // 400 unless set
	code    crm.Code // invalid unless set
	fields  []string // fields the problem must name
}

// writeEndpoint is a POST or PATCH route made concrete, with the bad
// requests only it can get.
type writeEndpoint struct {
	path     string
	valid    any  // a body the route accepts
	noEmpty  bool // an empty body is a valid request (issue a token without a name)
	noBody   bool // the route takes no body (accept a quote): only its headers can be bad
	specific []badCase
}

func long(n int) string { return strings.Repeat("a", n) }

// fixture is one of each entity, for the routes that need an ID.
type fixture struct {
	contact, source, interest, agent, state, user string
	// defaultState is the seeded default state (where opportunity starts);
	// opportunity is on contact, quote on opportunity.
	defaultState, opportunity, quote, client, supplier string
	// note is a team note by staff on contact that reminds everyone (so a
	// change to private alone is refused).
	note string
	// file is a file on contact whose bytes are uploaded, not yet
	// completed: completing it is the valid request.
	file string
}

func newFixture(e *env) fixture {
	e.t.Helper()
	f := fixture{
		contact:  id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Existing", "email": "existing@example.com", "phone": "600111222"})),
		source:   id(e.created("/v1/sources", map[string]any{"name": "Existing"})),
		interest: id(e.created("/v1/interests", map[string]any{"name": "Existing"})),
		agent:    id(e.created("/v1/agents", map[string]any{"code": "EX", "name": "Existing"})),
		state:    id(e.created("/v1/states", map[string]any{"name": "Existing"})),
		user:     id(e.created("/v1/users", map[string]any{"name": "Existing", "email": "existing-user@example.com"})),
	}
	f.opportunity = id(e.createdAs(e.staffToken, "/v1/opportunities", map[string]any{"contactId": f.contact, "description": "Existing"}))
	f.quote = id(e.createdAs(e.staffToken, "/v1/opportunities/"+f.opportunity+"/quotes", map[string]any{}))
	f.client = id(e.createdAs(e.staffToken, "/v1/clients", map[string]any{"name": "Existing client"}))
	f.supplier = id(e.createdAs(e.staffToken, "/v1/suppliers", map[string]any{"name": "Existing supplier"}))
	f.note = id(e.createdAs(e.staffToken, "/v1/contacts/"+f.contact+"/notes", map[string]any{"text": "Existing", "avisoAt": "2030-01-01", "remindAll": true}))
	file := e.createdAs(e.staffToken, "/v1/contacts/"+f.contact+"/files", map[string]any{"name": "existing.txt", "contentType": "text/plain", "size": 8})
	if code := upload(e.t, file, []byte("existing")); code != http.StatusOK {
		e.t.Fatalf("upload of the fixture's file: status %d", code)
	}
	f.file = id(file)
	for _, st := range e.listAll(adminToken, "/v1/states") {
		if st["default"] == true {
			f.defaultState = id(st)
		}
	}
	if f.defaultState == "" {
		e.t.Fatal("no default state")
	}
	return f
}

// fileCases are the bad bodies of a new file, on a contact or an opportunity.
func fileCases() []badCase {
	fb := func(change map[string]any) map[string]any {
		b := map[string]any{"name": "oferta.pdf", "contentType": "application/pdf", "size": 1000}
		for k, v := range change {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	return []badCase{
		{name: "empty object", body: map[string]any{}, fields: []string{"name", "size"}},
		{name: "name missing", body: fb(map[string]any{"name": nil}), fields: []string{"name"}},
		{name: "name blank", body: fb(map[string]any{"name": " "}), fields: []string{"name"}},
		{name: "name is a number", body: fb(map[string]any{"name": 1}), fields: []string{"name"}},
		{name: "name ../x", body: fb(map[string]any{"name": "../x"}), fields: []string{"name"}},
		{name: "name in a folder", body: fb(map[string]any{"name": "a/b.pdf"}), fields: []string{"name"}},
		{name: "name with a backslash", body: fb(map[string]any{"name": `a\b.pdf`}), fields: []string{"name"}},
		{name: "name ..", body: fb(map[string]any{"name": ".."}), fields: []string{"name"}},
		{name: "name over 255", body: fb(map[string]any{"name": long(256)}), fields: []string{"name"}},
		{name: "name with NUL", body: fb(map[string]any{"name": "a\x00b"}), fields: []string{"name"}},
		{name: "contentType not a media type", body: fb(map[string]any{"contentType": "pdf"}), fields: []string{"contentType"}},
		{name: "contentType with two lines", body: fb(map[string]any{"contentType": "text/plain\r\nX: y"}), fields: []string{"contentType"}},
		{name: "contentType is a list", body: fb(map[string]any{"contentType": []string{"text/plain"}}), fields: []string{"contentType"}},
		{name: "size missing", body: fb(map[string]any{"size": nil}), fields: []string{"size"}},
		{name: "size 0", body: fb(map[string]any{"size": 0}), fields: []string{"size"}},
		{name: "size negative", body: fb(map[string]any{"size": -5}), fields: []string{"size"}},
		{name: "size 25 MiB + 1", body: fb(map[string]any{"size": 25<<20 + 1}), fields: []string{"size"}},
		{name: "size is a fraction", body: fb(map[string]any{"size": 10.5}), fields: []string{"size"}},
		{name: "size is a string", body: fb(map[string]any{"size": "1000"}), fields: []string{"size"}},
		{name: "status is not writable", body: fb(map[string]any{"status": "complete"}), fields: []string{"status"}},
		{name: "parentId is not writable", body: fb(map[string]any{"parentId": unknownID()}), fields: []string{"parentId"}},
		{name: "uploadedBy is not writable", body: fb(map[string]any{"uploadedBy": unknownID()}), fields: []string{"uploadedBy"}},
		{name: "version is not writable", body: fb(map[string]any{"version": 2}), fields: []string{"version"}},
	}
}

// quoteLine is a valid quote line with the given fields changed.
func quoteLine(change map[string]any) map[string]any {
	l := map[string]any{"description": "Instalación", "quantity": 1, "unitPriceCents": 10000, "discountPct": 0, "taxPct": 21}
	for k, v := range change {
		if v == nil {
			delete(l, k)
		} else {
			l[k] = v
		}
	}
	return l
}

// withLine is a quote body of one line with the given fields changed.
func withLine(change map[string]any) map[string]any {
	return map[string]any{"lines": []any{quoteLine(change)}}
}

// manyLines is a quote body of n valid lines.
func manyLines(n int) map[string]any {
	lines := make([]any, n)
	for i := range lines {
		lines[i] = quoteLine(nil)
	}
	return map[string]any{"lines": lines}
}

// quoteLineCases are the bad quote bodies, for generating and editing alike.
func quoteLineCases(f fixture) []badCase {
	return []badCase{
		{name: "lines is an object", body: map[string]any{"lines": quoteLine(nil)}, fields: []string{"lines"}},
		{name: "a line is a number", body: map[string]any{"lines": []any{1}}, fields: []string{"lines"}},
		{name: "empty lines", body: map[string]any{"lines": []any{}}, fields: []string{"lines"}},
		{name: "101 lines", body: manyLines(101), fields: []string{"lines"}},
		{name: "quantity with 4 decimals", body: withLine(map[string]any{"quantity": 1.2345}), fields: []string{"lines[0].quantity"}},
		{name: "quantity 0", body: withLine(map[string]any{"quantity": 0}), fields: []string{"lines[0].quantity"}},
		{name: "quantity negative", body: withLine(map[string]any{"quantity": -1}), fields: []string{"lines[0].quantity"}},
		{name: "quantity over a million", body: withLine(map[string]any{"quantity": 1000001}), fields: []string{"lines[0].quantity"}},
		{name: "quantity is true", body: withLine(map[string]any{"quantity": true}), fields: []string{"lines.quantity"}},
		{name: "quantity is a word", body: withLine(map[string]any{"quantity": "uno"}), fields: []string{"lines.quantity"}},
		{name: "taxPct 101", body: withLine(map[string]any{"taxPct": 101}), fields: []string{"lines[0].taxPct"}},
		{name: "taxPct with 3 decimals", body: withLine(map[string]any{"taxPct": 21.001}), fields: []string{"lines[0].taxPct"}},
		{name: "discountPct negative", body: withLine(map[string]any{"discountPct": -5}), fields: []string{"lines[0].discountPct"}},
		{name: "discountPct over 100", body: withLine(map[string]any{"discountPct": 100.01}), fields: []string{"lines[0].discountPct"}},
		{name: "unitPriceCents is a fraction", body: withLine(map[string]any{"unitPriceCents": 10.5}), fields: []string{"lines.unitPriceCents"}},
		{name: "unitPriceCents over 10^10", body: withLine(map[string]any{"unitPriceCents": 10_000_000_001}), fields: []string{"lines[0].unitPriceCents"}},
		{name: "line without description", body: withLine(map[string]any{"description": nil}), fields: []string{"lines[0].description"}},
		{name: "line description over 500", body: withLine(map[string]any{"description": long(501)}), fields: []string{"lines[0].description"}},
		{name: "second line bad", body: map[string]any{"lines": []any{quoteLine(nil), quoteLine(map[string]any{"taxPct": 101})}}, fields: []string{"lines[1].taxPct"}},
		{name: "line interestId not an ID", body: withLine(map[string]any{"interestId": "nope"}), fields: []string{"lines[0].interestId"}},
		{name: "line interestId of nothing", body: withLine(map[string]any{"interestId": unknownID()}), fields: []string{"lines[0].interestId"}},
		{name: "unknown line field", body: withLine(map[string]any{"price": 3}), fields: []string{"lines.price"}},
		{name: "status is a number", body: map[string]any{"status": 3}, fields: []string{"status"}},
		{name: "unknown status", body: map[string]any{"status": "won"}, fields: []string{"status"}},
		{name: "validUntil not a date", body: map[string]any{"validUntil": "31/12/2026"}, fields: []string{"validUntil"}},
		{name: "number is not writable", body: map[string]any{"number": "2026-0099"}, fields: []string{"number"}},
		{name: "totalCents is not writable", body: map[string]any{"totalCents": 1}, fields: []string{"totalCents"}},
		{name: "opportunityId is not writable", body: map[string]any{"opportunityId": f.opportunity}, fields: []string{"opportunityId"}},
	}
}

// partyCases are the bad client and supplier bodies, for POST and PATCH.
func partyCases() []badCase {
	return []badCase{
		{name: "name is a number", body: map[string]any{"name": 3}, fields: []string{"name"}},
		{name: "name blank", body: map[string]any{"name": "  "}, fields: []string{"name"}},
		{name: "name over 200", body: map[string]any{"name": long(crm.MaxNameLen + 1)}, fields: []string{"name"}},
		{name: "legalName over 200", body: map[string]any{"name": "A", "legalName": long(crm.MaxNameLen + 1)}, fields: []string{"legalName"}},
		{name: "taxId over 32", body: map[string]any{"name": "A", "taxId": long(33)}, fields: []string{"taxId"}},
		{name: "observations over 10000", body: map[string]any{"name": "A", "observations": long(10001)}, fields: []string{"observations"}},
		{name: "bad e-mail", body: map[string]any{"name": "A", "email": "x@"}, fields: []string{"email"}},
		{name: "bad phone", body: map[string]any{"name": "A", "phone": "abc"}, fields: []string{"phone"}},
		{name: "bad mobile", body: map[string]any{"name": "A", "mobile": "123"}, fields: []string{"mobile"}},
		{name: "web not http", body: map[string]any{"name": "A", "web": "ftp://example.com"}, fields: []string{"web"}},
		{name: "agentId not an ID", body: map[string]any{"name": "A", "agentId": "nope"}, fields: []string{"agentId"}},
		{name: "agentId of nothing", body: map[string]any{"name": "A", "agentId": unknownID()}, fields: []string{"agentId"}},
		{name: "unknown field", body: map[string]any{"name": "A", "nmae": "B"}, fields: []string{"nmae"}},
		{name: "code is not writable", body: map[string]any{"name": "A", "code": "C99999"}, fields: []string{"code"}},
		{name: "mainContactId is not writable", body: map[string]any{"name": "A", "mainContactId": unknownID()}, fields: []string{"mainContactId"}},
	}
}

// opportunityCases are the bad opportunity bodies, for POST and PATCH.
func opportunityCases(f fixture) []badCase {
	o := func(change map[string]any) map[string]any {
		b := map[string]any{"contactId": f.contact, "description": "A"}
		for k, v := range change {
			b[k] = v
		}
		return b
	}
	return []badCase{
		{name: "description is a number", body: o(map[string]any{"description": 3}), fields: []string{"description"}},
		{name: "contactId is a number", body: o(map[string]any{"contactId": 3}), fields: []string{"contactId"}},
		{name: "approxAmountCents is a string", body: o(map[string]any{"approxAmountCents": "100"}), fields: []string{"approxAmountCents"}},
		{name: "approxAmountCents is a fraction", body: o(map[string]any{"approxAmountCents": 1.5}), fields: []string{"approxAmountCents"}},
		{name: "approxAmountCents negative", body: o(map[string]any{"approxAmountCents": -1}), fields: []string{"approxAmountCents"}},
		{name: "description blank", body: o(map[string]any{"description": " "}), fields: []string{"description"}},
		{name: "description over 500", body: o(map[string]any{"description": long(501)}), fields: []string{"description"}},
		{name: "observations over 10000", body: o(map[string]any{"observations": long(10001)}), fields: []string{"observations"}},
		{name: "lostReason over 500", body: o(map[string]any{"lostReason": long(501)}), fields: []string{"lostReason"}},
		{name: "lostReason while open", body: o(map[string]any{"lostReason": "precio"}), fields: []string{"lostReason"}},
		{name: "currency not ISO", body: o(map[string]any{"currency": "euro"}), fields: []string{"currency"}},
		{name: "expectedCloseDate not a date", body: o(map[string]any{"expectedCloseDate": "31/12/2026"}), fields: []string{"expectedCloseDate"}},
		{name: "contactId not an ID", body: o(map[string]any{"contactId": "nope"}), fields: []string{"contactId"}},
		{name: "contactId of nothing", body: o(map[string]any{"contactId": unknownID()}), fields: []string{"contactId"}},
		{name: "stateId not an ID", body: o(map[string]any{"stateId": "nope"}), fields: []string{"stateId"}},
		{name: "stateId of nothing", body: o(map[string]any{"stateId": unknownID()}), fields: []string{"stateId"}},
		{name: "agentId of nothing", body: o(map[string]any{"agentId": unknownID()}), fields: []string{"agentId"}},
		{name: "assigneeId of nothing", body: o(map[string]any{"assigneeId": unknownID()}), fields: []string{"assigneeId"}},
		{name: "assigneeId is an agent, not a user", body: o(map[string]any{"assigneeId": f.agent}), fields: []string{"assigneeId"}},
		{name: "interestId of nothing", body: o(map[string]any{"interestId": unknownID()}), fields: []string{"interestId"}},
		{name: "interestId not an ID", body: o(map[string]any{"interestId": "nope"}), fields: []string{"interestId"}},
		{name: "unknown field", body: o(map[string]any{"descripton": "x"}), fields: []string{"descripton"}},
		{name: "id is not writable", body: o(map[string]any{"id": unknownID()}), fields: []string{"id"}},
		{name: "number is not writable", body: o(map[string]any{"number": 7}), fields: []string{"number"}},
		{name: "sourceId is not writable", body: o(map[string]any{"sourceId": f.source}), fields: []string{"sourceId"}},
		{name: "amountCents is not writable", body: o(map[string]any{"amountCents": 100}), fields: []string{"amountCents"}},
		{name: "closedAt is not writable", body: o(map[string]any{"closedAt": "2026-01-01T00:00:00Z"}), fields: []string{"closedAt"}},
		{name: "quoteIds is not writable", body: o(map[string]any{"quoteIds": []string{f.quote}}), fields: []string{"quoteIds"}},
	}
}

// noteCases are the bad note bodies, for POST and PATCH alike.
func noteCases(f fixture) []badCase {
	n := func(change map[string]any) map[string]any {
		b := map[string]any{"text": "Llamar el lunes"}
		for k, v := range change {
			b[k] = v
		}
		return b
	}
	return []badCase{
		{name: "text is a number", body: n(map[string]any{"text": 3}), fields: []string{"text"}},
		{name: "text over 20000", body: n(map[string]any{"text": long(20001)}), fields: []string{"text"}},
		{name: "text over 20000 characters of two bytes", body: n(map[string]any{"text": strings.Repeat("ñ", 20001)}), fields: []string{"text"}},
		{name: "text with NUL", body: n(map[string]any{"text": "a\x00b"}), fields: []string{"text"}},
		{name: "visibility secret", body: n(map[string]any{"visibility": "secret"}), fields: []string{"visibility"}},
		{name: "visibility in capitals", body: n(map[string]any{"visibility": "PRIVATE"}), fields: []string{"visibility"}},
		{name: "visibility is a boolean", body: n(map[string]any{"visibility": true}), fields: []string{"visibility"}},
		{name: "remindAll on a private note", body: n(map[string]any{"visibility": "private", "remindAll": true, "avisoAt": "2030-01-01"}), fields: []string{"remindAll"}},
		{name: "remindAll is a string", body: n(map[string]any{"remindAll": "yes"}), fields: []string{"remindAll"}},
		{name: "avisoAt mañana", body: n(map[string]any{"avisoAt": "mañana"}), fields: []string{"avisoAt"}},
		{name: "avisoAt a day that does not exist", body: n(map[string]any{"avisoAt": "2030-02-30"}), fields: []string{"avisoAt"}},
		{name: "avisoAt day first", body: n(map[string]any{"avisoAt": "01/12/2030"}), fields: []string{"avisoAt"}},
		{name: "avisoAt a time without zone", body: n(map[string]any{"avisoAt": "2030-12-01T16:30:00"}), fields: []string{"avisoAt"}},
		{name: "avisoAt is a number", body: n(map[string]any{"avisoAt": 1893456000}), fields: []string{"avisoAt"}},
		{name: "interestId not an ID", body: n(map[string]any{"interestId": "nope"}), fields: []string{"interestId"}},
		{name: "interestId of nothing", body: n(map[string]any{"interestId": unknownID()}), fields: []string{"interestId"}},
		{name: "interestId is a list", body: n(map[string]any{"interestId": []string{f.interest}}), fields: []string{"interestId"}},
		{name: "unknown field", body: n(map[string]any{"texto": "x"}), fields: []string{"texto"}},
		{name: "id is not writable", body: n(map[string]any{"id": unknownID()}), fields: []string{"id"}},
		{name: "createdBy is not writable", body: n(map[string]any{"createdBy": f.user}), fields: []string{"createdBy"}},
		{name: "notifiedAt is not writable", body: n(map[string]any{"notifiedAt": "2030-01-01T08:00:00Z"}), fields: []string{"notifiedAt"}},
		{name: "parentId is not writable", body: n(map[string]any{"parentId": f.client}), fields: []string{"parentId"}},
		{name: "contactId is not writable", body: n(map[string]any{"contactId": f.contact}), fields: []string{"contactId"}},
		{name: "version is not writable", body: n(map[string]any{"version": 9}), fields: []string{"version"}},
	}
}

// notePostCases are the bad bodies of a new note.
func notePostCases(f fixture) []badCase {
	return append(noteCases(f),
		badCase{name: "missing text", body: map[string]any{"visibility": "team"}, fields: []string{"text"}},
		badCase{name: "empty object", body: map[string]any{}, fields: []string{"text"}},
		badCase{name: "text blank", body: map[string]any{"text": " \n\t "}, fields: []string{"text"}},
	)
}

// contactCases are the bad contact bodies, for POST and PATCH alike.
func contactCases(nobody string) []badCase {
	many := make([]string, crm.MaxInterests+1)
	for i := range many {
		many[i] = unknownID()
	}
	return []badCase{
		{name: "name is a number", body: map[string]any{"name": 3}, fields: []string{"name"}},
		{name: "interestIds is a string", body: map[string]any{"name": "A", "interestIds": "a"}, fields: []string{"interestIds"}},
		{name: "interestIds has a number", body: map[string]any{"name": "A", "interestIds": []any{1}}, fields: []string{"interestIds"}},
		{name: "marketingConsent is a string", body: map[string]any{"name": "A", "marketingConsent": "yes"}, fields: []string{"marketingConsent"}},
		{name: "address is a string", body: map[string]any{"name": "A", "address": "Calle Mayor 1"}, fields: []string{"address"}},
		{name: "address.city is a number", body: map[string]any{"name": "A", "address": map[string]any{"city": 3}}, fields: []string{"address.city"}},
		{name: "attribution.gclid is a number", body: map[string]any{"name": "A", "attribution": map[string]any{"gclid": 1}}, fields: []string{"attribution.gclid"}},
		{name: "unknown field", body: map[string]any{"name": "A", "nmae": "B"}, fields: []string{"nmae"}},
		{name: "unknown nested field", body: map[string]any{"name": "A", "address": map[string]any{"town": "Madrid"}}, fields: []string{"address.town"}},
		{name: "id is not writable", body: map[string]any{"name": "A", "id": unknownID()}, fields: []string{"id"}},
		{name: "createdBy is not writable", body: map[string]any{"name": "A", "createdBy": nobody}, fields: []string{"createdBy"}},
		{name: "version is not writable", body: map[string]any{"name": "A", "version": 7}, fields: []string{"version"}},
		{name: "clientId is not writable", body: map[string]any{"name": "A", "clientId": unknownID()}, fields: []string{"clientId"}},
		{name: "name blank", body: map[string]any{"name": "   "}, fields: []string{"name"}},
		{name: "name over 200", body: map[string]any{"name": long(crm.MaxNameLen + 1)}, fields: []string{"name"}},
		{name: "surname over 200", body: map[string]any{"name": "A", "surname": long(crm.MaxNameLen + 1)}, fields: []string{"surname"}},
		{name: "observations over 10000", body: map[string]any{"name": "A", "observations": long(10001)}, fields: []string{"observations"}},
		{name: "address.city over 200", body: map[string]any{"name": "A", "address": map[string]any{"city": long(201)}}, fields: []string{"address.city"}},
		{name: "attribution.landingPage over 2000", body: map[string]any{"name": "A", "attribution": map[string]any{"landingPage": "https://x.example/" + long(crm.MaxURLLen)}}, fields: []string{"attribution.landingPage"}},
		{name: "too many interests", body: map[string]any{"name": "A", "interestIds": many}, fields: []string{"interestIds"}},
		{name: "name with NUL", body: map[string]any{"name": "A\x00B"}, fields: []string{"name"}},
		{name: "bad e-mail", body: map[string]any{"name": "A", "email": "not-an-email"}, fields: []string{"email"}},
		{name: "bad phone", body: map[string]any{"name": "A", "phone": "abc"}, fields: []string{"phone"}},
		{name: "bad mobile", body: map[string]any{"name": "A", "mobile": "123"}, fields: []string{"mobile"}},
		{name: "web not http", body: map[string]any{"name": "A", "web": "ftp://example.com"}, fields: []string{"web"}},
		{name: "unknown lang", body: map[string]any{"name": "A", "lang": "fr"}, fields: []string{"lang"}},
		{name: "country not ISO", body: map[string]any{"name": "A", "address": map[string]any{"country": "Spain"}}, fields: []string{"address.country"}},
		{name: "sourceId of nothing", body: map[string]any{"name": "A", "sourceId": unknownID()}, fields: []string{"sourceId"}},
		{name: "sourceId not an ID", body: map[string]any{"name": "A", "sourceId": "nope"}, fields: []string{"sourceId"}},
		{name: "agentId of nothing", body: map[string]any{"name": "A", "agentId": unknownID()}, fields: []string{"agentId"}},
		{name: "interestIds of nothing", body: map[string]any{"name": "A", "interestIds": []string{unknownID()}}, fields: []string{"interestIds"}},
	}
}

func writeEndpoints(e *env, f fixture) map[string]writeEndpoint {
	contactPost := append(contactCases(f.user),
		badCase{name: "missing name", body: map[string]any{"surname": "Pérez"}, fields: []string{"name"}},
		badCase{name: "empty object", body: map[string]any{}, fields: []string{"name"}},
		badCase{name: "e-mail of another contact", body: map[string]any{"name": "A", "email": "EXISTING@example.com"}, status: 409, code: crm.CodeConflict, fields: []string{"email"}},
		badCase{name: "phone of another contact", body: map[string]any{"name": "A", "mobile": "+34 600 111 222"}, status: 409, code: crm.CodeConflict, fields: []string{"mobile"}},
	)
	contactPatch := append(contactCases(f.user),
		badCase{name: "name cleared", body: map[string]any{"name": ""}, fields: []string{"name"}},
	)
	return map[string]writeEndpoint{
		"POST /v1/contacts":       {path: "/v1/contacts", valid: map[string]any{"name": "Valid"}, specific: contactPost},
		"PATCH /v1/contacts/{id}": {path: "/v1/contacts/" + f.contact, valid: map[string]any{"company": "Acme"}, specific: contactPatch},

		"POST /v1/opportunities": {path: "/v1/opportunities", valid: map[string]any{"contactId": f.contact, "description": "Valid"},
			specific: append(opportunityCases(f),
				badCase{name: "missing contactId", body: map[string]any{"description": "A"}, fields: []string{"contactId"}},
				badCase{name: "missing description", body: map[string]any{"contactId": f.contact}, fields: []string{"description"}},
				badCase{name: "empty object", body: map[string]any{}, fields: []string{"contactId", "description"}},
			)},
		"PATCH /v1/opportunities/{id}": {path: "/v1/opportunities/" + f.opportunity, valid: map[string]any{"observations": "Valid"},
			specific: append(opportunityCases(f),
				badCase{name: "description cleared", body: map[string]any{"description": ""}, fields: []string{"description"}},
				badCase{name: "contactId cleared", body: map[string]any{"contactId": ""}, fields: []string{"contactId"}},
				badCase{name: "stale If-Match", body: map[string]any{"observations": "x"}, headers: []string{"If-Match", `"1"`}, status: 412, code: crm.CodePreconditionFailed},
			)},
		"POST /v1/opportunities:bulk-state": {path: "/v1/opportunities:bulk-state", valid: map[string]any{"ids": []string{f.opportunity}, "stateId": f.state},
			specific: bulkCases(f)},
		"POST /v1/opportunities/{id}/quotes": {path: "/v1/opportunities/" + f.opportunity + "/quotes", valid: withLine(nil),
			noEmpty: true, // no body: one line pre-filled from the opportunity
			specific: append(quoteLineCases(f),
				badCase{name: "status accepted", body: map[string]any{"status": "accepted"}, fields: []string{"status"}},
			)},
		"PATCH /v1/quotes/{id}": {path: "/v1/quotes/" + f.quote, valid: map[string]any{"validUntil": "2026-12-31"},
			specific: append(quoteLineCases(f),
				badCase{name: "accepted with other changes", body: map[string]any{"status": "accepted", "validUntil": "2027-01-31"}, fields: []string{"status"}},
				badCase{name: "stale If-Match", body: map[string]any{"status": "sent"}, headers: []string{"If-Match", `"1"`}, status: 412, code: crm.CodePreconditionFailed},
			)},
		"POST /v1/quotes/{id}/accept": {path: "/v1/quotes/" + f.quote + "/accept", noBody: true},

		"POST /v1/contacts:import": {path: "/v1/contacts:import", valid: map[string]any{"rows": []any{importRow(nil)}}, specific: importCases()},

		"POST /v1/contacts/{id}/convert": {path: "/v1/contacts/" + f.contact + "/convert", valid: map[string]any{"to": "client"}, specific: []badCase{
			{name: "to partner", body: map[string]any{"to": "partner"}, fields: []string{"to"}},
			{name: "to in capitals", body: map[string]any{"to": "SUPPLIER"}, fields: []string{"to"}},
			{name: "to missing", body: map[string]any{}, fields: []string{"to"}},
			{name: "to is a number", body: map[string]any{"to": 1}, fields: []string{"to"}},
			{name: "to is a list", body: map[string]any{"to": []string{"client", "supplier"}}, fields: []string{"to"}},
			{name: "unknown field", body: map[string]any{"to": "supplier", "name": "X"}, fields: []string{"name"}},
		}},

		"POST /v1/clients": {path: "/v1/clients", valid: map[string]any{"name": "Valid"}, specific: append(partyCases(),
			badCase{name: "missing name", body: map[string]any{"taxId": "B12345678"}, fields: []string{"name"}},
			badCase{name: "e-mail of a contact", body: map[string]any{"name": "A", "email": "Existing@Example.com"}, status: 409, code: crm.CodeConflict, fields: []string{"email"}},
			badCase{name: "phone of a contact", body: map[string]any{"name": "A", "phone": "+34 600 111 222"}, status: 409, code: crm.CodeConflict, fields: []string{"phone"}},
		)},
		"PATCH /v1/clients/{id}": {path: "/v1/clients/" + f.client, valid: map[string]any{"observations": "Valid"}, specific: append(partyCases(),
			badCase{name: "name cleared", body: map[string]any{"name": ""}, fields: []string{"name"}},
			badCase{name: "stale If-Match", body: map[string]any{"observations": "x"}, headers: []string{"If-Match", `"1"`}, status: 412, code: crm.CodePreconditionFailed},
		)},
		"POST /v1/suppliers": {path: "/v1/suppliers", valid: map[string]any{"name": "Valid"}, specific: append(partyCases(),
			badCase{name: "missing name", body: map[string]any{"taxId": "B12345678"}, fields: []string{"name"}},
			badCase{name: "e-mail of a contact", body: map[string]any{"name": "A", "email": "existing@example.com"}, status: 409, code: crm.CodeConflict, fields: []string{"email"}},
		)},
		"PATCH /v1/suppliers/{id}": {path: "/v1/suppliers/" + f.supplier, valid: map[string]any{"observations": "Valid"}, specific: append(partyCases(),
			badCase{name: "name cleared", body: map[string]any{"name": ""}, fields: []string{"name"}},
		)},

		"POST /v1/contacts/{id}/notes":      {path: "/v1/contacts/" + f.contact + "/notes", valid: map[string]any{"text": "Valid"}, specific: notePostCases(f)},
		"POST /v1/opportunities/{id}/notes": {path: "/v1/opportunities/" + f.opportunity + "/notes", valid: map[string]any{"text": "Valid"}, specific: notePostCases(f)},
		"POST /v1/clients/{id}/notes":       {path: "/v1/clients/" + f.client + "/notes", valid: map[string]any{"text": "Valid"}, specific: notePostCases(f)},
		"POST /v1/suppliers/{id}/notes":     {path: "/v1/suppliers/" + f.supplier + "/notes", valid: map[string]any{"text": "Valid"}, specific: notePostCases(f)},
		"POST /v1/quotes/{id}/notes":        {path: "/v1/quotes/" + f.quote + "/notes", valid: map[string]any{"text": "Valid"}, specific: notePostCases(f)},
		"POST /v1/contacts/{id}/files": {path: "/v1/contacts/" + f.contact + "/files", valid: map[string]any{"name": "valid.pdf", "contentType": "application/pdf", "size": 1000},
			specific: fileCases()},
		"POST /v1/opportunities/{id}/files": {path: "/v1/opportunities/" + f.opportunity + "/files", valid: map[string]any{"name": "valid.txt", "size": 1},
			specific: fileCases()},
		"POST /v1/files/{id}/complete": {path: "/v1/files/" + f.file + "/complete", noBody: true},
		"PATCH /v1/notes/{id}": {path: "/v1/notes/" + f.note, valid: map[string]any{"text": "Valid"}, specific: append(noteCases(f),
			badCase{name: "text cleared", body: map[string]any{"text": ""}, fields: []string{"text"}},
			badCase{name: "made private while it reminds everyone", body: map[string]any{"visibility": "private"}, fields: []string{"remindAll"}},
			badCase{name: "avisoAt mañana alone", body: map[string]any{"avisoAt": "mañana"}, fields: []string{"avisoAt"}},
			badCase{name: "stale If-Match", body: map[string]any{"text": "x"}, headers: []string{"If-Match", `"1"`}, status: 412, code: crm.CodePreconditionFailed},
		)},

		"POST /v1/sources": {path: "/v1/sources", valid: map[string]any{"name": "Valid"}, specific: []badCase{
			{name: "name is a number", body: map[string]any{"name": 3}, fields: []string{"name"}},
			{name: "costCents is a string", body: map[string]any{"name": "A", "costCents": "x"}, fields: []string{"costCents"}},
			{name: "costCents is a fraction", body: map[string]any{"name": "A", "costCents": 1.5}, fields: []string{"costCents"}},
			{name: "costCents negative", body: map[string]any{"name": "A", "costCents": -1}, fields: []string{"costCents"}},
			{name: "missing name", body: map[string]any{"costCents": 100}, fields: []string{"name"}},
			{name: "name over 100", body: map[string]any{"name": long(101)}, fields: []string{"name"}},
			{name: "observations over 10000", body: map[string]any{"name": "A", "observations": long(10001)}, fields: []string{"observations"}},
			{name: "unknown field", body: map[string]any{"name": "A", "cost": 1}, fields: []string{"cost"}},
		}},
		"PATCH /v1/sources/{id}": {path: "/v1/sources/" + f.source, valid: map[string]any{"costCents": 5}, specific: []badCase{
			{name: "costCents is a string", body: map[string]any{"costCents": "x"}, fields: []string{"costCents"}},
			{name: "name cleared", body: map[string]any{"name": ""}, fields: []string{"name"}},
			{name: "name over 100", body: map[string]any{"name": long(101)}, fields: []string{"name"}},
			{name: "unknown field", body: map[string]any{"cost": 1}, fields: []string{"cost"}},
		}},

		"POST /v1/interests": {path: "/v1/interests", valid: map[string]any{"name": "Valid"}, specific: []badCase{
			{name: "name is a number", body: map[string]any{"name": 3}, fields: []string{"name"}},
			{name: "missing name", body: map[string]any{"observations": "x"}, fields: []string{"name"}},
			{name: "name over 100", body: map[string]any{"name": long(101)}, fields: []string{"name"}},
			{name: "name taken in another case", body: map[string]any{"name": "EXISTING"}, status: 409, code: crm.CodeConflict, fields: []string{"name"}},
			{name: "unknown field", body: map[string]any{"name": "A", "price": 1}, fields: []string{"price"}},
		}},
		"PATCH /v1/interests/{id}": {path: "/v1/interests/" + f.interest, valid: map[string]any{"observations": "x"}, specific: []badCase{
			{name: "observations is a list", body: map[string]any{"observations": []string{"x"}}, fields: []string{"observations"}},
			{name: "name cleared", body: map[string]any{"name": " "}, fields: []string{"name"}},
		}},

		"POST /v1/agents": {path: "/v1/agents", valid: map[string]any{"code": "VAL", "name": "Valid"}, specific: []badCase{
			{name: "code is a number", body: map[string]any{"code": 5, "name": "A"}, fields: []string{"code"}},
			{name: "active is a string", body: map[string]any{"code": "A1", "name": "A", "active": "yes"}, fields: []string{"active"}},
			{name: "missing code and name", body: map[string]any{}, fields: []string{"code", "name"}},
			{name: "code over 20", body: map[string]any{"code": long(21), "name": "A"}, fields: []string{"code"}},
			{name: "code with a space", body: map[string]any{"code": "A 1", "name": "A"}, fields: []string{"code"}},
			{name: "bad e-mail", body: map[string]any{"code": "A1", "name": "A", "email": "x@"}, fields: []string{"email"}},
			{name: "userId not an ID", body: map[string]any{"code": "A1", "name": "A", "userId": "nope"}, fields: []string{"userId"}},
			{name: "userId of nothing", body: map[string]any{"code": "A1", "name": "A", "userId": unknownID()}, fields: []string{"userId"}},
			{name: "code taken", body: map[string]any{"code": "ex", "name": "A"}, status: 409, code: crm.CodeConflict, fields: []string{"code"}},
		}},
		"PATCH /v1/agents/{id}": {path: "/v1/agents/" + f.agent, valid: map[string]any{"name": "Renamed"}, specific: []badCase{
			{name: "active is a string", body: map[string]any{"active": "no"}, fields: []string{"active"}},
			{name: "code cleared", body: map[string]any{"code": ""}, fields: []string{"code"}},
			{name: "userId of nothing", body: map[string]any{"userId": unknownID()}, fields: []string{"userId"}},
		}},

		"POST /v1/states": {path: "/v1/states", valid: map[string]any{"name": "Valid"}, specific: []badCase{
			{name: "order is a string", body: map[string]any{"name": "A", "order": "first"}, fields: []string{"order"}},
			{name: "default is a string", body: map[string]any{"name": "A", "default": "yes"}, fields: []string{"default"}},
			{name: "missing name", body: map[string]any{"order": 5}, fields: []string{"name"}},
			{name: "name over 50", body: map[string]any{"name": long(51)}, fields: []string{"name"}},
			{name: "order negative", body: map[string]any{"name": "A", "order": -1}, fields: []string{"order"}},
			{name: "color not hex", body: map[string]any{"name": "A", "color": "red"}, fields: []string{"color"}},
			{name: "unknown outcome", body: map[string]any{"name": "A", "outcome": "maybe"}, fields: []string{"outcome"}},
			{name: "default that is won", body: map[string]any{"name": "A", "default": true, "outcome": "won"}, fields: []string{"default"}},
		}},
		"PATCH /v1/states/{id}": {path: "/v1/states/" + f.state, valid: map[string]any{"color": "#abcdef"}, specific: []badCase{
			{name: "showTab is a number", body: map[string]any{"showTab": 1}, fields: []string{"showTab"}},
			{name: "name cleared", body: map[string]any{"name": ""}, fields: []string{"name"}},
			{name: "outcome unknown", body: map[string]any{"outcome": "closed"}, fields: []string{"outcome"}},
		}},

		"POST /v1/users": {path: "/v1/users", valid: map[string]any{"name": "Valid", "email": "valid@example.com"}, specific: []badCase{
			{name: "role is a number", body: map[string]any{"name": "A", "email": "a@example.com", "role": 1}, fields: []string{"role"}},
			{name: "active is a string", body: map[string]any{"name": "A", "email": "a@example.com", "active": "no"}, fields: []string{"active"}},
			{name: "missing name and e-mail", body: map[string]any{"role": "staff"}, fields: []string{"name", "email"}},
			{name: "name over 200", body: map[string]any{"name": long(201), "email": "a@example.com"}, fields: []string{"name"}},
			{name: "bad e-mail", body: map[string]any{"name": "A", "email": "a@b"}, fields: []string{"email"}},
			{name: "unknown role", body: map[string]any{"name": "A", "email": "a@example.com", "role": "root"}, fields: []string{"role"}},
			{name: "unknown lang", body: map[string]any{"name": "A", "email": "a@example.com", "lang": "fr"}, fields: []string{"lang"}},
			{name: "agentId not an ID", body: map[string]any{"name": "A", "email": "a@example.com", "agentId": "nope"}, fields: []string{"agentId"}},
			{name: "agentId of nothing", body: map[string]any{"name": "A", "email": "a@example.com", "agentId": unknownID()}, fields: []string{"agentId"}},
			{name: "e-mail taken in another case", body: map[string]any{"name": "A", "email": "Existing-User@Example.com"}, status: 409, code: crm.CodeConflict, fields: []string{"email"}},
		}},
		"PATCH /v1/users/{id}": {path: "/v1/users/" + f.user, valid: map[string]any{"name": "Renamed"}, specific: []badCase{
			{name: "role is a number", body: map[string]any{"role": 2}, fields: []string{"role"}},
			{name: "e-mail cleared", body: map[string]any{"email": ""}, fields: []string{"email"}},
			{name: "unknown role", body: map[string]any{"role": "owner"}, fields: []string{"role"}},
		}},
		"POST /v1/users/{id}/tokens": {path: "/v1/users/" + f.user + "/tokens", valid: map[string]any{"name": "laptop"}, noEmpty: true, specific: []badCase{
			{name: "name is a number", body: map[string]any{"name": 5}, fields: []string{"name"}},
			{name: "name over 100", body: map[string]any{"name": long(101)}, fields: []string{"name"}},
			{name: "unknown field", body: map[string]any{"name": "x", "expires": "never"}, fields: []string{"expires"}},
		}},

		"PATCH /v1/notification-settings/{key}": {path: "/v1/notification-settings/" + crm.NotifyNote, valid: map[string]any{"enabled": false}, specific: []badCase{
			{name: "enabled is a string", body: map[string]any{"enabled": "no"}, fields: []string{"enabled"}},
			{name: "overrides is a string", body: map[string]any{"overrides": "x"}, fields: []string{"overrides"}},
			{name: "override for an unknown language", body: map[string]any{"overrides": map[string]any{"fr": map[string]any{"subject": "x"}}}, fields: []string{"overrides.fr"}},
			{name: "override subject over 200", body: map[string]any{"overrides": map[string]any{"es": map[string]any{"subject": long(201)}}}, fields: []string{"overrides.es.subject"}},
			{name: "unknown override field", body: map[string]any{"overrides": map[string]any{"es": map[string]any{"subjet": "x"}}}, fields: []string{"overrides.es.subjet"}},
		}},
	}
}

// importRow is a valid row of a contacts import with the given fields
// changed (nil removes one).
func importRow(change map[string]any) map[string]any {
	r := map[string]any{"line": 2, "name": "Importada", "surname": "Pérez", "email": "importada@example.com",
		"phone": "611 222 333", "address": map[string]any{"city": "Madrid"}, "interests": []string{}, "marketingConsent": false}
	for k, v := range change {
		if v == nil {
			delete(r, k)
		} else {
			r[k] = v
		}
	}
	return r
}

// importCases are the bad contacts imports: what is wrong with the request
// itself (a bad row is answered 200 with the row rejected, not 400).
func importCases() []badCase {
	rows := func(rs ...any) map[string]any { return map[string]any{"rows": rs} }
	many := make([]any, crm.MaxImportRows+1)
	for i := range many {
		many[i] = importRow(map[string]any{"line": i + 2, "email": fmt.Sprintf("fila%d@example.com", i), "phone": nil})
	}
	return []badCase{
		{name: "rows missing", body: map[string]any{}, fields: []string{"rows"}},
		{name: "rows null", body: map[string]any{"rows": nil}, fields: []string{"rows"}},
		{name: "rows empty", body: rows(), fields: []string{"rows"}},
		{name: "rows is an object", body: map[string]any{"rows": importRow(nil)}, fields: []string{"rows"}},
		{name: "rows is a string", body: map[string]any{"rows": "name,email"}, fields: []string{"rows"}},
		{name: "a row is a number", body: rows(1), fields: []string{"rows"}},
		{name: "a row is a string", body: rows("Importada,importada@example.com"), fields: []string{"rows"}},
		{name: "a row is a list", body: rows([]any{"Importada", "importada@example.com"}), fields: []string{"rows"}},
		{name: "501 rows", body: map[string]any{"rows": many}, fields: []string{"rows"}},
		{name: "body is the rows alone", body: []any{importRow(nil)}, fields: []string{"body"}},
		{name: "unknown field in a row", body: rows(importRow(map[string]any{"nmae": "B"})), fields: []string{"rows.nmae"}},
		{name: "unknown field in the second row", body: rows(importRow(nil), importRow(map[string]any{"line": 3, "email": "otra@example.com", "phone": nil, "telefono": "600"})), fields: []string{"rows.telefono"}},
		{name: "unknown field in a row's address", body: rows(importRow(map[string]any{"address": map[string]any{"town": "Madrid"}})), fields: []string{"rows.address.town"}},
		{name: "sourceId is not an import field", body: rows(importRow(map[string]any{"sourceId": unknownID()})), fields: []string{"rows.sourceId"}},
		{name: "name is a number", body: rows(importRow(map[string]any{"name": 3})), fields: []string{"rows.name"}},
		{name: "email is a list", body: rows(importRow(map[string]any{"email": []string{"a@example.com"}})), fields: []string{"rows.email"}},
		{name: "phone is a number", body: rows(importRow(map[string]any{"phone": 611222333})), fields: []string{"rows.phone"}},
		{name: "line is a string", body: rows(importRow(map[string]any{"line": "2"})), fields: []string{"rows.line"}},
		{name: "line is a fraction", body: rows(importRow(map[string]any{"line": 2.5})), fields: []string{"rows.line"}},
		{name: "interests is a string", body: rows(importRow(map[string]any{"interests": "Cocinas"})), fields: []string{"rows.interests"}},
		{name: "interests has a number", body: rows(importRow(map[string]any{"interests": []any{1}})), fields: []string{"rows.interests"}},
		{name: "marketingConsent is a string", body: rows(importRow(map[string]any{"marketingConsent": "yes"})), fields: []string{"rows.marketingConsent"}},
		{name: "address is a string", body: rows(importRow(map[string]any{"address": "Calle Mayor 1"})), fields: []string{"rows.address"}},
		{name: "address.city is a number", body: rows(importRow(map[string]any{"address": map[string]any{"city": 28}})), fields: []string{"rows.address.city"}},
		{name: "source is an object", body: rows(importRow(map[string]any{"source": map[string]any{"name": "Feria"}})), fields: []string{"rows.source"}},
	}
}

// bulkCases are the bad bulk state changes. After the valid one the
// fixture's opportunity is in f.state, so each case below that names it
// would move it to the default state if it were not refused.
func bulkCases(f fixture) []badCase {
	unknown := make([]string, crm.MaxBulkMove+1)
	for i := range unknown {
		unknown[i] = unknownID()
	}
	to := f.defaultState
	return []badCase{
		{name: "ids missing", body: map[string]any{"stateId": to}, fields: []string{"ids"}},
		{name: "ids empty", body: map[string]any{"ids": []string{}, "stateId": to}, fields: []string{"ids"}},
		{name: "ids is a string", body: map[string]any{"ids": f.opportunity, "stateId": to}, fields: []string{"ids"}},
		{name: "ids has a number", body: map[string]any{"ids": []any{f.opportunity, 1}, "stateId": to}, fields: []string{"ids"}},
		{name: "100 ids", body: map[string]any{"ids": append([]string{f.opportunity}, unknown[1:]...), "stateId": to}, fields: []string{"ids"}},
		{name: "repeated id", body: map[string]any{"ids": []string{f.opportunity, f.opportunity}, "stateId": to}, fields: []string{"ids[1]"}},
		{name: "malformed id", body: map[string]any{"ids": []string{f.opportunity, "nope"}, "stateId": to}, fields: []string{"ids[1]"}},
		{name: "unknown id", body: map[string]any{"ids": []string{f.opportunity, unknown[0]}, "stateId": to}, fields: []string{"ids[1]"}},
		{name: "id of a contact", body: map[string]any{"ids": []string{f.contact, f.opportunity}, "stateId": to}, fields: []string{"ids[0]"}},
		{name: "stateId missing", body: map[string]any{"ids": []string{f.opportunity}}, fields: []string{"stateId"}},
		{name: "stateId not an ID", body: map[string]any{"ids": []string{f.opportunity}, "stateId": "nope"}, fields: []string{"stateId"}},
		{name: "stateId of nothing", body: map[string]any{"ids": []string{f.opportunity}, "stateId": unknownID()}, fields: []string{"stateId"}},
		{name: "stateId is a number", body: map[string]any{"ids": []string{f.opportunity}, "stateId": 1}, fields: []string{"stateId"}},
		{name: "unknown field", body: map[string]any{"ids": []string{f.opportunity}, "state": to}, fields: []string{"state"}},
	}
}

// commonCases are the bad requests every POST and PATCH must refuse.
func commonCases(w writeEndpoint, method string) []badCase {
	if w.noBody {
		return []badCase{
			{name: "Idempotency-Key over 255", headers: []string{"Idempotency-Key", long(256)}, fields: []string{"Idempotency-Key"}},
			{name: "Idempotency-Key not ASCII", headers: []string{"Idempotency-Key", "clé"}, fields: []string{"Idempotency-Key"}},
		}
	}
	huge := `{"name": "x", "observations": "` + long(httpapi.MaxBodyBytes) + `"}`
	cs := []badCase{
		{name: "malformed JSON", body: `{"name": "x",`, fields: []string{"body"}},
		{name: "not JSON", body: `name=x`, fields: []string{"body"}},
		{name: "JSON array", body: `[{"name": "x"}]`, fields: []string{"body"}},
		{name: "JSON string", body: `"x"`, fields: []string{"body"}},
		{name: "JSON null", body: `null`, fields: []string{"body"}},
		{name: "two objects", body: `{"name": "x"} {"name": "y"}`, fields: []string{"body"}},
		{name: "unknown field", body: map[string]any{"zzUnknown": 1}, fields: []string{"zzUnknown"}},
		{name: "text/plain", body: w.valid, headers: []string{"Content-Type", "text/plain"}, fields: []string{"Content-Type"}},
		{name: "form content type", body: w.valid, headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, fields: []string{"Content-Type"}},
		{name: "body over 1 MiB", body: huge, status: http.StatusRequestEntityTooLarge, code: crm.CodeTooLarge},
	}
	if !w.noEmpty {
		cs = append(cs, badCase{name: "empty body", body: "", fields: []string{"body"}})
	}
	if method == http.MethodPost {
		cs = append(cs,
			badCase{name: "Idempotency-Key over 255", body: w.valid, headers: []string{"Idempotency-Key", long(256)}, fields: []string{"Idempotency-Key"}},
			badCase{name: "Idempotency-Key not ASCII", body: w.valid, headers: []string{"Idempotency-Key", "clé"}, fields: []string{"Idempotency-Key"}},
		)
		key := []string{"Idempotency-Key", "bad-input-key"}
		cs = append(cs,
			badCase{name: "malformed JSON with Idempotency-Key", body: `{"name": `, headers: key, fields: []string{"body"}},
			badCase{name: "JSON array with Idempotency-Key", body: `[]`, headers: key, fields: []string{"body"}},
			badCase{name: "text/plain with Idempotency-Key", body: w.valid, headers: append([]string{"Content-Type", "text/plain"}, key...), fields: []string{"Content-Type"}},
			badCase{name: "body over 1 MiB with Idempotency-Key", body: huge, headers: key, status: http.StatusRequestEntityTooLarge, code: crm.CodeTooLarge},
		)
	}
	if method == http.MethodPatch {
		cs = append(cs,
			badCase{name: "If-Match not quoted", body: w.valid, headers: []string{"If-Match", "1"}, fields: []string{"If-Match"}},
			badCase{name: "If-Match not a version", body: w.valid, headers: []string{"If-Match", `"abc"`}, fields: []string{"If-Match"}},
		)
	}
	return cs
}

func TestBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	e0 := newEnv(t)
	var patterns []string
	for p := range httpapi.New(e0.svc, httpapi.Options{}).Routes() {
		if strings.HasPrefix(p, "POST ") || strings.HasPrefix(p, "PATCH ") {
			patterns = append(patterns, p)
		}
	}
	known := writeEndpoints(e0, fixture{})
	for _, p := range patterns {
		if _, ok := known[p]; !ok {
			t.Errorf("%s has no bad-input cases: add it to writeEndpoints", p)
		}
	}
	for _, pattern := range patterns {
		t.Run(pattern, func(t *testing.T) {
			e := newEnv(t)
			w, ok := writeEndpoints(e, newFixture(e))[pattern]
			if !ok {
				t.Fatalf("%s has no bad-input cases", pattern)
			}
			method, _, _ := strings.Cut(pattern, " ")
			// The valid body is valid: the failures below are the bad parts.
			if res := e.admin_(method, w.path, w.valid); res.Status >= 300 {
				t.Fatalf("the valid body fails: %d %s", res.Status, res.Body)
			}
			for _, c := range append(commonCases(w, method), w.specific...) {
				t.Run(c.name, func(t *testing.T) {
					before := e.snapshot()
					res := e.admin_(method, w.path, c.body, c.headers...)
					status, code := c.status, c.code
					if status == 0 {
						status, code = http.StatusBadRequest, crm.CodeInvalid
					}
					wantProblem(t, res, status, code, c.fields...)
					e.unchanged(t, before)
				})
			}
		})
	}
}

func TestBadIDsInThePath(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	routes := httpapi.New(e.svc, httpapi.Options{}).Routes()
	bodies := writeEndpoints(e, fixture{})
	for pattern := range routes {
		method, path, _ := strings.Cut(pattern, " ")
		if !strings.Contains(path, "{id}") {
			continue
		}
		path = strings.ReplaceAll(path, "{tokenId}", unknownID()) // well-formed, so that {id} is what is wrong
		var body any
		if w, ok := bodies[pattern]; ok {
			body = w.valid
		}
		for _, c := range []struct {
			name   string
			id     string
			status int
			code   crm.Code
		}{
			{"not an ID", "nope", 400, crm.CodeInvalid},
			{"too long", unknownID() + "0", 400, crm.CodeInvalid},
			{"overflowing ULID", "8" + strings.Repeat("Z", 25), 400, crm.CodeInvalid},
			{"nobody's ID", unknownID(), 404, crm.CodeNotFound},
		} {
			t.Run(pattern+"/"+c.name, func(t *testing.T) {
				before := e.snapshot()
				res := e.admin_(method, strings.Replace(path, "{id}", c.id, 1), body)
				var fields []string
				if c.status == 400 {
					fields = []string{"id"}
				}
				wantProblem(t, res, c.status, c.code, fields...)
				e.unchanged(t, before)
			})
		}
	}
	t.Run("unknown notification key", func(t *testing.T) {
		for _, m := range []string{http.MethodGet, http.MethodPatch} {
			before := e.snapshot()
			wantProblem(t, e.admin_(m, "/v1/notification-settings/new-lead", map[string]any{"enabled": false}), 404, crm.CodeNotFound)
			e.unchanged(t, before)
		}
	})
}

func TestBadContactListQueries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, n := range []string{"Ana", "Bea", "Carla"} {
		e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": n})
	}
	page := e.staff_(http.MethodGet, "/v1/contacts?limit=1", nil)
	wantStatus(t, page, http.StatusOK)
	allCursor, _ := page.json(t)["nextCursor"].(string)
	if allCursor == "" {
		t.Fatalf("no cursor after 1 of 3 contacts: %s", page.Body)
	}
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"p":"all","k":{"PK":"CONTACT#x","SK":"CONTACT","Secret":"y"}}`))
	cases := []struct {
		query string
		field string
	}{
		{"limit=0", "limit"},
		{"limit=-1", "limit"},
		{"limit=201", "limit"},
		{"limit=500", "limit"},
		{"limit=x", "limit"},
		{"limit=1.5", "limit"},
		{"limit=1&limit=2", "limit"},
		{"kind=foo", "kind"},
		{"kind=CLIENT", "kind"},
		{"email=bad", "email"},
		{"email=a@b", "email"},
		{"phone=abc", "phone"},
		{"phone=123", "phone"},
		{"sourceId=nope", "sourceId"},
		{"agentId=nope", "agentId"},
		{"interestId=nope", "interestId"},
		{"q=" + long(crm.MaxNameLen+1), "q"},
		{"nmae=Ana", "nmae"},
		{"sort=name", "sort"},
		{"cursor=not-a-cursor", "cursor"},
		{"cursor=" + url.QueryEscape("%%%"), "cursor"},
		{"cursor=" + forged, "cursor"},
		{"q=a&cursor=" + allCursor, "cursor"},
		{"cursor=" + long(3000), "cursor"},
	}
	for _, c := range cases {
		t.Run(c.query[:min(len(c.query), 40)], func(t *testing.T) {
			wantProblem(t, e.staff_(http.MethodGet, "/v1/contacts?"+c.query, nil), 400, crm.CodeInvalid, c.field)
		})
	}
	// The cursor works where it came from.
	wantStatus(t, e.staff_(http.MethodGet, "/v1/contacts?limit=1&cursor="+allCursor, nil), http.StatusOK)
}

func TestBadCatalogListQueries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, p := range []string{"/v1/sources", "/v1/interests", "/v1/agents", "/v1/states", "/v1/users", "/v1/notification-settings"} {
		for _, c := range []struct{ query, field string }{
			{"limit=500", "limit"}, {"limit=x", "limit"}, {"name=x", "name"}, {"cursor=nope", "cursor"},
		} {
			if c.field == "cursor" && (p == "/v1/states" || p == "/v1/notification-settings") {
				continue // short, unpaged lists
			}
			t.Run(p+"?"+c.query, func(t *testing.T) {
				wantProblem(t, e.admin_(http.MethodGet, p+"?"+c.query, nil), 400, crm.CodeInvalid, c.field)
			})
		}
	}
}

func TestBadReportQueries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantStatus(t, e.staff_(http.MethodGet, "/v1/reports/sources?from=2026-01&to=2026-03", nil), http.StatusOK)
	for _, c := range []struct{ query, field string }{
		{"from=2026-13", "from"},
		{"to=2026-13", "to"},
		{"from=2026-00&to=2026-03", "from"},
		{"from=26-01", "from"},
		{"to=26-01", "to"},
		{"from=2026-1&to=2026-03", "from"},
		{"from=2026-01-15&to=2026-03", "from"},
		{"from=2026/01&to=2026-03", "from"},
		{"from=enero&to=2026-03", "from"},
		{"from=2026-05&to=2026-01", "from"},
		{"from=2010-01&to=2026-01", "from"}, // more than 10 years
		{"month=2026-01", "month"},
		{"sourceId=" + unknownID(), "sourceId"},
		{"from=2026-01&to=2026-03&limit=10", "limit"},
		{"format=xml", "format"},
		{"format=CSV", "format"},
	} {
		t.Run(c.query, func(t *testing.T) {
			wantProblem(t, e.staff_(http.MethodGet, "/v1/reports/sources?"+c.query, nil), 400, crm.CodeInvalid, c.field)
		})
	}
	// A bad query is a problem in JSON even when CSV is asked for.
	res := e.staff_(http.MethodGet, "/v1/reports/sources?from=2026-13", nil, "Accept", "text/csv")
	wantProblem(t, res, 400, crm.CodeInvalid, "from")
}
