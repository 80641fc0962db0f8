package dynamo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
)

var ctx = context.Background()

func newService(t testing.TB) (*crm.Service, *dynamotest.Table) {
	t.Helper()
	tbl := dynamotest.New(t)
	svc := crm.NewService(dynamo.New(tbl.Client, tbl.Name), crm.Config{})
	if err := svc.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	return svc, tbl
}

var actor = crm.User{ID: crm.NewID(time.Now()), Role: crm.RoleAdmin, Active: true}

func mustCode(t *testing.T, err error, want crm.Code) *crm.Error {
	t.Helper()
	if got := crm.ErrorCode(err); got != want {
		t.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
	e, _ := err.(*crm.Error)
	return e
}

func TestContactUniquenessAcrossEmailAndPhone(t *testing.T) {
	svc, _ := newService(t)
	a, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "José", Surname: "Pérez", Email: " Jose@Example.com ", Phone: "+34 600 12 34 56"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Email != "jose@example.com" || a.Phone != "+34600123456" {
		t.Fatalf("not normalised: %q %q", a.Email, a.Phone)
	}
	_, err = svc.CreateContact(ctx, actor, crm.Contact{Name: "Otro", Email: "JOSE@example.com"})
	e := mustCode(t, err, crm.CodeConflict)
	if e.ExistingID != a.ID || e.Fields["email"] == "" {
		t.Fatalf("conflict does not name the existing contact: %+v", e)
	}
	_, err = svc.CreateContact(ctx, actor, crm.Contact{Name: "Otro", Mobile: "600123456"})
	e = mustCode(t, err, crm.CodeConflict)
	if e.ExistingID != a.ID || e.Fields["mobile"] == "" {
		t.Fatalf("phone conflict: %+v", e)
	}
	// Changing the e-mail frees the old one and claims the new one.
	if _, err := svc.UpdateContact(ctx, a.ID, a.Version, func(c *crm.Contact) error { c.Email = "pepe@example.com"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Nuevo", Email: "jose@example.com"}); err != nil {
		t.Fatalf("old e-mail not freed: %v", err)
	}
	_, err = svc.CreateContact(ctx, actor, crm.Contact{Name: "Nuevo", Email: "pepe@example.com"})
	mustCode(t, err, crm.CodeConflict)
	// Deleting frees the phone.
	if err := svc.DeleteContact(ctx, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Tercero", Phone: "600 123 456"}); err != nil {
		t.Fatalf("phone not freed by delete: %v", err)
	}
	_, err = svc.GetContact(ctx, a.ID)
	mustCode(t, err, crm.CodeNotFound)
}

func TestContactUpdateIsGuardedByVersion(t *testing.T) {
	svc, _ := newService(t)
	c, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.UpdateContact(ctx, c.ID, 1, func(c *crm.Contact) error { c.Company = "ACME"; return nil })
	if err != nil || u.Version != 2 || u.Company != "ACME" {
		t.Fatalf("update: %+v %v", u, err)
	}
	_, err = svc.UpdateContact(ctx, c.ID, 1, func(c *crm.Contact) error { c.Company = "Other"; return nil })
	mustCode(t, err, crm.CodePreconditionFailed)
	got, _ := svc.GetContact(ctx, c.ID)
	if got.Company != "ACME" {
		t.Fatalf("stale update was written: %q", got.Company)
	}
	// A write racing between read and write is caught by the store condition.
	st := svc.Store()
	err = st.UpdateContact(ctx, c, crm.Contact{ID: c.ID, Name: "Ana", Version: 2})
	mustCode(t, err, crm.CodePreconditionFailed)
	err = st.DeleteContact(ctx, c)
	mustCode(t, err, crm.CodePreconditionFailed)
	_, err = svc.UpdateContact(ctx, crm.NewID(time.Now()), 0, func(*crm.Contact) error { return nil })
	mustCode(t, err, crm.CodeNotFound)
}

func TestContactReferencesMustExist(t *testing.T) {
	svc, _ := newService(t)
	missing := crm.NewID(time.Now())
	for field, c := range map[string]crm.Contact{
		"sourceId":    {Name: "A", SourceID: missing},
		"agentId":     {Name: "A", AgentID: missing},
		"interestIds": {Name: "A", InterestIDs: []string{missing}},
	} {
		_, err := svc.CreateContact(ctx, actor, c)
		e := mustCode(t, err, crm.CodeInvalid)
		if e.Fields[field] == "" {
			t.Errorf("%s: error does not name the field: %+v", field, e)
		}
	}
	p, err := svc.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{})
	if err != nil || len(p.Items) != 0 {
		t.Fatalf("a failed create wrote something: %+v %v", p.Items, err)
	}
}

func TestListContactsByEveryFilter(t *testing.T) {
	svc, _ := newService(t)
	src, _ := svc.CreateSource(ctx, crm.Source{Name: "Google Ads"})
	ag, _ := svc.CreateAgent(ctx, crm.Agent{Code: "A1", Name: "Agente"})
	in, _ := svc.CreateInterest(ctx, crm.Interest{Name: "Hosting"})
	jose, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "José", Surname: "Pérez", Email: "jose@example.com",
		Phone: "600123456", SourceID: src.ID, AgentID: ag.ID, InterestIDs: []string{in.ID}})
	if err != nil {
		t.Fatal(err)
	}
	maria, _ := svc.CreateContact(ctx, actor, crm.Contact{Name: "María", Surname: "José", Mobile: "+34 611 22 33 44", SourceID: src.ID})
	client, _ := svc.CreateContact(ctx, actor, crm.Contact{Name: "Josefa", ClientID: crm.NewID(time.Now())})
	for name, tc := range map[string]struct {
		f    crm.ContactFilter
		want []string
	}{
		"all newest first":          {crm.ContactFilter{}, []string{client.ID, maria.ID, jose.ID}},
		"q accent-folded":           {crm.ContactFilter{Query: "jose"}, []string{jose.ID, client.ID}},
		"q upper with surname":      {crm.ContactFilter{Query: "JOSÉ PÉ"}, []string{jose.ID}},
		"q surname is not a prefix": {crm.ContactFilter{Query: "perez"}, nil},
		"email any case":            {crm.ContactFilter{Email: "JOSE@EXAMPLE.COM"}, []string{jose.ID}},
		"phone other format":        {crm.ContactFilter{Phone: "+34 600 12 34 56"}, []string{jose.ID}},
		"mobile by phone":           {crm.ContactFilter{Phone: "611223344"}, []string{maria.ID}},
		"source":                    {crm.ContactFilter{SourceID: src.ID}, []string{maria.ID, jose.ID}},
		"agent":                     {crm.ContactFilter{AgentID: ag.ID}, []string{jose.ID}},
		"interest":                  {crm.ContactFilter{InterestID: in.ID}, []string{jose.ID}},
		"kind client":               {crm.ContactFilter{Kind: crm.KindClient}, []string{client.ID}},
		"kind none":                 {crm.ContactFilter{Kind: crm.KindNone}, []string{maria.ID, jose.ID}},
		"source and q":              {crm.ContactFilter{SourceID: src.ID, Query: "mar"}, []string{maria.ID}},
		"unknown email":             {crm.ContactFilter{Email: "nobody@example.com"}, nil},
	} {
		p, err := svc.ListContacts(ctx, tc.f, crm.ListOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, c := range p.Items {
			got = append(got, c.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: got %v, want %v", name, got, tc.want)
		}
	}
	// Removing the interest removes the link.
	if _, err := svc.UpdateContact(ctx, jose.ID, 0, func(c *crm.Contact) error { c.InterestIDs = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	p, _ := svc.ListContacts(ctx, crm.ContactFilter{InterestID: in.ID}, crm.ListOptions{})
	if len(p.Items) != 0 {
		t.Fatalf("interest link not removed: %v", p.Items)
	}
}

func TestListContactsPagesWithCursor(t *testing.T) {
	svc, _ := newService(t)
	var want []string
	for i := 0; i < 7; i++ {
		c, err := svc.CreateContact(ctx, actor, crm.Contact{Name: fmt.Sprintf("Contacto %d", i), ClientID: map[bool]string{true: crm.NewID(time.Now())}[i%2 == 0]})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			want = append([]string{c.ID}, want...)
		}
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := svc.ListContacts(ctx, crm.ContactFilter{Kind: crm.KindClient}, crm.ListOptions{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Items {
			got = append(got, c.ID)
		}
		if p.NextCursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		cursor = p.NextCursor
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("paged %v, want %v", got, want)
	}
	for _, bad := range []string{"x", "eyJwIjoiYWxsIn0", cursor + "A"} {
		_, err := svc.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{Cursor: bad})
		mustCode(t, err, crm.CodeInvalid)
	}
	// A cursor of one access path is refused on another.
	p, _ := svc.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{Limit: 1})
	_, err := svc.ListContacts(ctx, crm.ContactFilter{Query: "c"}, crm.ListOptions{Cursor: p.NextCursor})
	mustCode(t, err, crm.CodeInvalid)
}
