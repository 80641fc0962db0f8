package httpapi_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/httpapi"
)

// routeCase is who may call a route, and a body that the route accepts.
type routeCase struct {
	access string // "public", "staff" or "admin"
	body   any
	// bodyFor builds the body from the IDs matrixTargets created, keyed by
	// collection ("contacts", "opportunities", ...), when it needs them.
	bodyFor func(idOf map[string]string) any
}

// routeMatrix is the access every route must have. Staff read the catalogs
// (sources, interests, agents, states) to fill in contacts; only admins
// change them, and only admins see users and notification settings.
var routeMatrix = map[string]routeCase{
	"GET /healthz":      {access: "public"},
	"GET /openapi.json": {access: "public"},

	"GET /v1/contacts":         {access: "staff"},
	"POST /v1/contacts":        {access: "staff", body: map[string]any{"name": "Matrix"}},
	"GET /v1/contacts/{id}":    {access: "staff"},
	"PATCH /v1/contacts/{id}":  {access: "staff", body: map[string]any{"company": "Acme"}},
	"DELETE /v1/contacts/{id}": {access: "staff"},

	"POST /v1/contacts/{id}/convert": {access: "staff", body: map[string]any{"to": "client"}},
	"POST /v1/contacts:import": {access: "staff", body: map[string]any{"rows": []any{
		map[string]any{"line": 2, "name": "Matrix import", "email": "matrix-import@example.com"},
	}}},
	"GET /v1/reports/sources": {access: "staff"},

	"GET /v1/opportunities": {access: "staff"},
	"POST /v1/opportunities": {access: "staff", bodyFor: func(idOf map[string]string) any {
		return map[string]any{"contactId": idOf["buyer"], "description": "Matrix"}
	}},
	"GET /v1/opportunities/tabs": {access: "staff"},
	"POST /v1/opportunities:bulk-state": {access: "staff", bodyFor: func(idOf map[string]string) any {
		return map[string]any{"ids": []string{idOf["opportunities"]}, "stateId": idOf["openState"]}
	}},
	"GET /v1/opportunities/{id}":         {access: "staff"},
	"PATCH /v1/opportunities/{id}":       {access: "staff", body: map[string]any{"observations": "Matrix"}},
	"DELETE /v1/opportunities/{id}":      {access: "staff"},
	"GET /v1/opportunities/{id}/quotes":  {access: "staff"},
	"POST /v1/opportunities/{id}/quotes": {access: "staff", body: map[string]any{}},

	"GET /v1/quotes/{id}":         {access: "staff"},
	"PATCH /v1/quotes/{id}":       {access: "staff", body: map[string]any{"status": "sent"}},
	"POST /v1/quotes/{id}/accept": {access: "staff"},

	"GET /v1/clients":          {access: "staff"},
	"POST /v1/clients":         {access: "staff", body: map[string]any{"name": "Matrix"}},
	"GET /v1/clients/{id}":     {access: "staff"},
	"PATCH /v1/clients/{id}":   {access: "staff", body: map[string]any{"observations": "Matrix"}},
	"GET /v1/suppliers":        {access: "staff"},
	"POST /v1/suppliers":       {access: "staff", body: map[string]any{"name": "Matrix"}},
	"GET /v1/suppliers/{id}":   {access: "staff"},
	"PATCH /v1/suppliers/{id}": {access: "staff", body: map[string]any{"observations": "Matrix"}},

	"GET /v1/contacts/{id}/notes":       {access: "staff"},
	"POST /v1/contacts/{id}/notes":      {access: "staff", body: map[string]any{"text": "Matrix"}},
	"GET /v1/opportunities/{id}/notes":  {access: "staff"},
	"POST /v1/opportunities/{id}/notes": {access: "staff", body: map[string]any{"text": "Matrix", "avisoAt": "2030-01-02"}},
	"GET /v1/clients/{id}/notes":        {access: "staff"},
	"POST /v1/clients/{id}/notes":       {access: "staff", body: map[string]any{"text": "Matrix", "visibility": "private"}},
	"GET /v1/suppliers/{id}/notes":      {access: "staff"},
	"POST /v1/suppliers/{id}/notes":     {access: "staff", body: map[string]any{"text": "Matrix", "remindAll": true, "avisoAt": "2030-01-02T10:00:00Z"}},
	"GET /v1/quotes/{id}/notes":         {access: "staff"},
	"POST /v1/quotes/{id}/notes":        {access: "staff", body: map[string]any{"text": "Matrix"}},
	// The note of the matrix is a team note by the staff user: its author
	// and any admin may change and delete it.
	"GET /v1/notes/{id}":    {access: "staff"},
	"PATCH /v1/notes/{id}":  {access: "staff", body: map[string]any{"text": "Matrix", "avisoAt": "2030-01-03"}},
	"DELETE /v1/notes/{id}": {access: "staff"},
	"GET /v1/reminders":     {access: "staff"},

	"GET /v1/contacts/{id}/timeline": {access: "staff"},
	"GET /v1/contacts/{id}/leads":    {access: "staff"},

	// The file of the matrix is complete (on the opportunity), so that it
	// reads; completing it again is a success that changes nothing.
	"GET /v1/contacts/{id}/files":       {access: "staff"},
	"POST /v1/contacts/{id}/files":      {access: "staff", body: map[string]any{"name": "matrix.pdf", "contentType": "application/pdf", "size": 10}},
	"GET /v1/opportunities/{id}/files":  {access: "staff"},
	"POST /v1/opportunities/{id}/files": {access: "staff", body: map[string]any{"name": "matrix.txt", "size": 1}},
	"GET /v1/files/{id}":                {access: "staff"},
	"POST /v1/files/{id}/complete":      {access: "staff"},
	"DELETE /v1/files/{id}":             {access: "staff"},

	"GET /v1/sources":         {access: "staff"},
	"POST /v1/sources":        {access: "admin", body: map[string]any{"name": "Matrix"}},
	"GET /v1/sources/{id}":    {access: "staff"},
	"PATCH /v1/sources/{id}":  {access: "admin", body: map[string]any{"costCents": 100}},
	"DELETE /v1/sources/{id}": {access: "admin"},

	"GET /v1/interests":         {access: "staff"},
	"POST /v1/interests":        {access: "admin", body: map[string]any{"name": "Matrix"}},
	"GET /v1/interests/{id}":    {access: "staff"},
	"PATCH /v1/interests/{id}":  {access: "admin", body: map[string]any{"observations": "x"}},
	"DELETE /v1/interests/{id}": {access: "admin"},

	"GET /v1/agents":         {access: "staff"},
	"POST /v1/agents":        {access: "admin", body: map[string]any{"code": "MX", "name": "Matrix"}},
	"GET /v1/agents/{id}":    {access: "staff"},
	"PATCH /v1/agents/{id}":  {access: "admin", body: map[string]any{"name": "Renamed"}},
	"DELETE /v1/agents/{id}": {access: "admin"},

	"GET /v1/states":         {access: "staff"},
	"POST /v1/states":        {access: "admin", body: map[string]any{"name": "Matrix"}},
	"GET /v1/states/{id}":    {access: "staff"},
	"PATCH /v1/states/{id}":  {access: "admin", body: map[string]any{"color": "#123456"}},
	"DELETE /v1/states/{id}": {access: "admin"},

	"GET /v1/inbound/rejected":   {access: "admin"},
	"GET /v1/users":              {access: "admin"},
	"POST /v1/users":             {access: "admin", body: map[string]any{"name": "Matrix", "email": "matrix@example.com"}},
	"GET /v1/users/{id}":         {access: "admin"},
	"PATCH /v1/users/{id}":       {access: "admin", body: map[string]any{"name": "Renamed"}},
	"DELETE /v1/users/{id}":      {access: "admin"},
	"POST /v1/users/{id}/tokens": {access: "admin", body: map[string]any{"name": "matrix"}},
	"GET /v1/users/{id}/tokens":  {access: "admin"},

	"DELETE /v1/users/{id}/tokens/{tokenId}": {access: "admin"},

	"GET /v1/notification-settings":         {access: "admin"},
	"GET /v1/notification-settings/{key}":   {access: "admin"},
	"PATCH /v1/notification-settings/{key}": {access: "admin", body: map[string]any{"enabled": false}},
}

func TestRouteMatrixCoversEveryRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	got := httpapi.New(e.svc, httpapi.Options{}).Routes()
	for pattern, access := range got {
		c, ok := routeMatrix[pattern]
		if !ok {
			t.Errorf("route %q (%s) is not in the authorization matrix: add it", pattern, access)
			continue
		}
		if c.access != access {
			t.Errorf("route %q is registered as %q, want %q", pattern, access, c.access)
		}
	}
	for pattern := range routeMatrix {
		if _, ok := got[pattern]; !ok {
			t.Errorf("route %q of the matrix is not registered", pattern)
		}
	}
}

// matrixTarget is one route made concrete: the request to send.
type matrixTarget struct {
	pattern, method, path string
	access                string
	body                  any
}

// matrixTargets creates one of each entity in e and returns every route with
// its path parameters replaced by their IDs, deletes last so that every other
// route finds its entity.
func matrixTargets(t *testing.T, e *env) []matrixTarget {
	t.Helper()
	contact := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Target"})
	source := e.created("/v1/sources", map[string]any{"name": "Target"})
	interest := e.created("/v1/interests", map[string]any{"name": "Target"})
	agent := e.created("/v1/agents", map[string]any{"code": "TGT", "name": "Target"})
	state := e.created("/v1/states", map[string]any{"name": "Target"})
	user := e.created("/v1/users", map[string]any{"name": "Target", "email": "target@example.com"})
	token := e.created("/v1/users/"+id(user)+"/tokens", map[string]any{"name": "target"})
	// Opportunities have a contact of their own, so that the contact above
	// can be deleted; the bulk move takes it to a seeded state, so that the
	// state above holds nothing and can be deleted.
	buyer := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Buyer"})
	opp := e.createdAs(e.staffToken, "/v1/opportunities", map[string]any{"contactId": id(buyer), "description": "Target"})
	quote := e.createdAs(e.staffToken, "/v1/opportunities/"+id(opp)+"/quotes", map[string]any{})
	client := e.createdAs(e.staffToken, "/v1/clients", map[string]any{"name": "Target client"})
	supplier := e.createdAs(e.staffToken, "/v1/suppliers", map[string]any{"name": "Target supplier"})
	// A team note by staff, on the client (which no route deletes), so
	// that staff (its author) and admins alike may change and delete it.
	note := e.createdAs(e.staffToken, "/v1/clients/"+id(client)+"/notes", map[string]any{"text": "Target", "avisoAt": "2030-01-01"})
	file := e.attach(e.staffToken, "/v1/opportunities/"+id(opp), "matrix.txt", "text/plain", []byte("matrix"))
	openState := ""
	for _, st := range e.listAll(adminToken, "/v1/states") {
		if st["outcome"] == "open" && st["default"] == false && id(st) != id(state) {
			openState = id(st)
			break
		}
	}
	if openState == "" {
		t.Fatal("no open state besides the default among the seeded states")
	}
	idOf := map[string]string{
		"contacts": id(contact), "sources": id(source), "interests": id(interest),
		"agents": id(agent), "states": id(state), "users": id(user),
		"opportunities": id(opp), "quotes": id(quote), "clients": id(client), "suppliers": id(supplier),
		"openState": openState, "buyer": id(buyer), "notes": id(note), "files": id(file),
	}
	routes := httpapi.New(e.svc, httpapi.Options{}).Routes()
	var out []matrixTarget
	for _, pattern := range slices.Sorted(maps.Keys(routes)) {
		method, path, _ := strings.Cut(pattern, " ")
		parts := strings.Split(path, "/")
		for i, p := range parts {
			switch p {
			case "{id}":
				v, ok := idOf[parts[i-1]]
				if !ok {
					t.Fatalf("no entity for the {id} of %q: add one to matrixTargets", pattern)
				}
				parts[i] = v
			case "{key}":
				parts[i] = crm.NotifyNewContactAgent
			case "{tokenId}":
				parts[i] = id(token)
			default:
				if strings.HasPrefix(p, "{") {
					t.Fatalf("no value for %s in %q: add one to matrixTargets", p, pattern)
				}
			}
		}
		if pattern == "POST /v1/contacts/{id}/convert" {
			// Converting makes the contact its client's main contact, which
			// cannot be deleted: the buyer is converted instead.
			parts[3] = id(buyer)
		}
		c := routeMatrix[pattern]
		access := c.access
		if access == "" {
			access = "admin" // unknown to the matrix (reported by TestRouteMatrixCoversEveryRoute): be strict
		}
		body := c.body
		if c.bodyFor != nil {
			body = c.bodyFor(idOf)
		}
		out = append(out, matrixTarget{pattern: pattern, method: method, path: strings.Join(parts, "/"), access: access, body: body})
	}
	slices.SortStableFunc(out, func(a, b matrixTarget) int {
		return boolInt(a.method == http.MethodDelete) - boolInt(b.method == http.MethodDelete)
	})
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	unauthenticated := []struct {
		name    string
		headers []string
	}{
		{"no token", nil},
		{"unknown token", []string{"Authorization", "Bearer emb_this-token-was-never-issued-0000000000000"}},
		{"basic scheme with a real token", []string{"Authorization", "Basic " + adminToken}},
		{"scheme without token", []string{"Authorization", "Bearer"}},
		{"blank token", []string{"Authorization", "Bearer    "}},
		{"token without scheme", []string{"Authorization", adminToken}},
	}
	for _, u := range unauthenticated {
		t.Run(u.name, func(t *testing.T) {
			e := newEnv(t)
			for _, tg := range matrixTargets(t, e) {
				before := e.snapshot()
				res := e.do(tg.method, tg.path, "", tg.body, u.headers...)
				if tg.access == "public" {
					if res.Status != http.StatusOK {
						t.Errorf("%s: status %d, want 200 for a public route: %s", tg.pattern, res.Status, res.Body)
					}
					continue
				}
				t.Run(tg.pattern, func(t *testing.T) {
					wantProblem(t, res, http.StatusUnauthorized, crm.CodeUnauthorized)
					if h := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
						t.Errorf("WWW-Authenticate %q, want a Bearer challenge", h)
					}
					e.unchanged(t, before)
				})
			}
		})
	}

	t.Run("staff", func(t *testing.T) {
		e := newEnv(t)
		for _, tg := range matrixTargets(t, e) {
			before := e.snapshot()
			res := e.staff_(tg.method, tg.path, tg.body)
			t.Run(tg.pattern, func(t *testing.T) {
				if tg.access == "admin" {
					wantProblem(t, res, http.StatusForbidden, crm.CodeForbidden)
					e.unchanged(t, before)
					return
				}
				if res.Status < 200 || res.Status > 299 {
					t.Errorf("%s %s: status %d, want success for staff: %s", tg.method, tg.path, res.Status, res.Body)
				}
			})
		}
	})

	t.Run("admin", func(t *testing.T) {
		e := newEnv(t)
		for _, tg := range matrixTargets(t, e) {
			res := e.admin_(tg.method, tg.path, tg.body)
			t.Run(tg.pattern, func(t *testing.T) {
				if res.Status < 200 || res.Status > 299 {
					t.Errorf("%s %s: status %d, want success for an admin: %s", tg.method, tg.path, res.Status, res.Body)
				}
			})
		}
	})
}

func TestDeactivatedUserTokenStopsWorking(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"DELETE", "PATCH active=false"} {
		t.Run(how, func(t *testing.T) {
			e := newEnv(t)
			u := e.created("/v1/users", map[string]any{"name": "Leaving", "email": "leaving@example.com"})
			tok := e.created("/v1/users/"+id(u)+"/tokens", map[string]any{"name": "laptop"})
			secret, _ := tok["token"].(string)
			wantStatus(t, e.do(http.MethodGet, "/v1/contacts", secret, nil), http.StatusOK)

			if how == "DELETE" {
				wantStatus(t, e.admin_(http.MethodDelete, "/v1/users/"+id(u), nil), http.StatusNoContent)
			} else {
				wantStatus(t, e.admin_(http.MethodPatch, "/v1/users/"+id(u), map[string]any{"active": false}), http.StatusOK)
			}

			res := e.do(http.MethodGet, "/v1/contacts", secret, nil)
			wantProblem(t, res, http.StatusUnauthorized, crm.CodeUnauthorized)
			if res.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			// The user is kept, inactive, and can get no new token.
			got := e.admin_(http.MethodGet, "/v1/users/"+id(u), nil)
			wantStatus(t, got, http.StatusOK)
			if got.json(t)["active"] != false {
				t.Errorf("deactivated user reads as %s", got.Body)
			}
			wantProblem(t, e.admin_(http.MethodPost, "/v1/users/"+id(u)+"/tokens", map[string]any{}), http.StatusConflict, crm.CodeConflict)
			// Reactivated, the old token works again.
			wantStatus(t, e.admin_(http.MethodPatch, "/v1/users/"+id(u), map[string]any{"active": true}), http.StatusOK)
			wantStatus(t, e.do(http.MethodGet, "/v1/contacts", secret, nil), http.StatusOK)
		})
	}
}

func TestIssuedTokenWorksAndIsShownOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.created("/v1/users", map[string]any{"name": "New", "email": "new@example.com", "role": "staff"})
	res := e.admin_(http.MethodPost, "/v1/users/"+id(u)+"/tokens", map[string]any{"name": "cli"})
	wantStatus(t, res, http.StatusCreated)
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("token response Cache-Control %q, want no-store", cc)
	}
	body := res.json(t)
	secret, _ := body["token"].(string)
	if len(secret) < 40 || body["userId"] != id(u) || body["name"] != "cli" {
		t.Fatalf("token response %s", res.Body)
	}

	// It authenticates as that user, with that user's role.
	wantStatus(t, e.do(http.MethodPost, "/v1/contacts", secret, map[string]any{"name": "By token"}), http.StatusCreated)
	wantProblem(t, e.do(http.MethodGet, "/v1/users", secret, nil), http.StatusForbidden, crm.CodeForbidden)
	// Any letter case of the scheme is the same scheme.
	wantStatus(t, e.do(http.MethodGet, "/v1/contacts", "", nil, "Authorization", "bearer "+secret), http.StatusOK)

	// Only the SHA-256 of the secret is stored.
	hash := crm.HashToken(secret)
	out, err := e.tbl.Client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(e.tbl.Name),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "TOKEN#" + hash},
			"SK": &types.AttributeValueMemberS{Value: "TOKEN"},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Item) == 0 {
		t.Fatalf("no token item under TOKEN#<sha256>")
	}
	var item map[string]any
	if err := attributevalue.UnmarshalMap(out.Item, &item); err != nil {
		t.Fatal(err)
	}
	for name, v := range item {
		if strings.Contains(strings.ToLower(fmtAny(v)), strings.ToLower(secret)) {
			t.Errorf("the token item keeps the secret in %q", name)
		}
	}
	for _, s := range e.snapshot() {
		if strings.Contains(s, secret) {
			t.Errorf("an item keeps the secret: %s", s)
		}
	}
	// Nothing shows it again.
	for _, p := range []string{"/v1/users/" + id(u), "/v1/users"} {
		if r := e.admin_(http.MethodGet, p, nil); strings.Contains(string(r.Body), secret) {
			t.Errorf("GET %s shows the token again", p)
		}
	}
}

func fmtAny(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestAdminCannotDemoteOrDeactivateThemselves(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	self := "/v1/users/" + e.admin.ID
	cases := []struct {
		name         string
		method, path string
		body         any
	}{
		{"demote", http.MethodPatch, self, map[string]any{"role": "staff"}},
		{"deactivate by patch", http.MethodPatch, self, map[string]any{"active": false}},
		{"deactivate by delete", http.MethodDelete, self, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.snapshot()
			wantProblem(t, e.admin_(c.method, c.path, c.body), http.StatusConflict, crm.CodeConflict)
			e.unchanged(t, before)
			wantStatus(t, e.admin_(http.MethodGet, "/v1/users", nil), http.StatusOK)
		})
	}
	// Another admin may demote them, and they may rename themselves.
	wantStatus(t, e.admin_(http.MethodPatch, self, map[string]any{"name": "Boss"}), http.StatusOK)
	other := e.created("/v1/users", map[string]any{"name": "Second", "email": "second@example.com", "role": "admin"})
	wantStatus(t, e.admin_(http.MethodPatch, "/v1/users/"+id(other), map[string]any{"role": "staff"}), http.StatusOK)
}
