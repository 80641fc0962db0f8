package perf

import (
	"fmt"
	"testing"
)

// bigTable is the contacts table of the read targets: a page and a search
// answer in under 10 ms at p99 with this many contacts.
const bigTable = 100_000

func contactJSON(i int) string {
	return fmt.Sprintf(`{"name":"Contacto %d","surname":"Pérez","email":"c%d@example.com","phone":"+34 7%08d","company":"ACME"}`, i, i, i)
}

// contactScenarios are the contact requests, each on a table of
// bigTable contacts (200 on DynamoDB).
var contactScenarios = []scenario{
	{"CreateContact", bigTable, func(b *testing.B, r *rig) func(int) {
		return func(i int) { r.serve(b, "POST", "/v1/contacts", contactJSON(i), 201) }
	}},
	{"GetContact", bigTable, func(b *testing.B, r *rig) func(int) {
		r.serve(b, "GET", "/v1/contacts/"+r.ids[0], "", 200) // warm the token cache
		return func(i int) { r.serve(b, "GET", "/v1/contacts/"+r.ids[i*7919%len(r.ids)], "", 200) }
	}},
	{"ListContacts50", bigTable, func(b *testing.B, r *rig) func(int) {
		r.serve(b, "GET", "/v1/contacts?limit=1", "", 200)
		return func(int) { r.serve(b, "GET", "/v1/contacts?limit=50", "", 200) }
	}},
	{"SearchContacts", bigTable, func(b *testing.B, r *rig) func(int) {
		r.serve(b, "GET", "/v1/contacts?limit=1", "", 200)
		return func(int) { r.serve(b, "GET", "/v1/contacts?q=jos&limit=50", "", 200) }
	}},
	{"PatchContact", bigTable, func(b *testing.B, r *rig) func(int) {
		r.serve(b, "GET", "/v1/contacts/"+r.ids[0], "", 200)
		return func(i int) {
			r.serve(b, "PATCH", "/v1/contacts/"+r.ids[i*7919%len(r.ids)], fmt.Sprintf(`{"company":"ACME %d"}`, i), 200)
		}
	}},
}

// BenchmarkContacts: the contact requests through the API handler on the
// SQLite store as `embudo serve` runs it (change feed included), on a
// table of 100,000 contacts; p50 and p99 of each request.
func BenchmarkContacts(b *testing.B) {
	runScenarios(b, contactScenarios, newRig)
}
