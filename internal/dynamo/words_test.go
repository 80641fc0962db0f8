package dynamo_test

import (
	"maps"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
)

// TestWordItemsAreTheSearchWords: after creates, updates, deletes and lead
// merges (one filling a surname and company, one into a contact holding
// another surname and the same company), the table holds exactly one word
// item (PK WORD#<initial>, SK <word>#<contact ID>) per search word of each
// contact: none missing, none left over from a field the merge did not
// write or a word the contact lost, so the search reads nothing stray.
func TestWordItemsAreTheSearchWords(t *testing.T) {
	ctx, tbl := t.Context(), dynamotest.New(t)
	s := dynamo.New(tbl.Client, tbl.Name)
	at := time.Now().UTC().Truncate(time.Millisecond)
	create := func(c crm.Contact) crm.Contact {
		t.Helper()
		c.ID, c.Version, c.CreatedAt, c.UpdatedAt = crm.NewID(at), 1, at, at
		if err := s.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	ana := create(crm.Contact{Name: "Ana"})
	bea := create(crm.Contact{Name: "Bea", Surname: "Soto", Company: "Soto SL"})
	jose := create(crm.Contact{Name: "José", Surname: "Pérez Álvarez", Company: "Talleres Pérez, S.L."})
	gone := create(crm.Contact{Name: "Gonzalo", Surname: "Ido"})
	also := create(crm.Contact{Name: "Olga"})

	err := s.Commit(ctx, crm.Batch{Merges: []crm.ContactMerge{
		{ContactID: ana.ID, Fill: crm.Contact{Surname: "Ruiz", Company: "Ruiz y Gil"}, UpdatedAt: at},
		{ContactID: bea.ID, Fill: crm.Contact{Surname: "Rubio Gómez", Company: "Soto SL", JobTitle: "CEO"}, UpdatedAt: at},
	}})
	if err != nil {
		t.Fatalf("merges: %v", err)
	}
	next := jose
	next.Surname, next.Company, next.Version = "Gil", "Talleres Gil", 2
	if err := s.UpdateContact(ctx, jose, next); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteContact(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, crm.Batch{Contacts: []crm.Write[crm.Contact]{{Old: also, Delete: true}}}); err != nil {
		t.Fatal(err)
	}

	b, err := s.GetContact(ctx, bea.ID)
	if err != nil || b.Surname != "Soto" || b.Company != "Soto SL" || b.JobTitle != "CEO" || b.Version != 2 {
		t.Fatalf("the merge into a contact holding a surname: %+v %v", b, err)
	}
	want := map[string]bool{}
	for _, id := range []string{ana.ID, bea.ID, jose.ID} {
		c, err := s.GetContact(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.SearchWords() {
			_, n := utf8.DecodeRuneInString(w)
			want["WORD#"+w[:n]+" "+w+"#"+id] = true
		}
	}
	got := map[string]bool{}
	out, err := tbl.Client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(tbl.Name),
		FilterExpression: aws.String("#t = :w"), ExpressionAttributeNames: map[string]string{"#t": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":w": &types.AttributeValueMemberS{Value: "WORD"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range out.Items {
		if len(m) != 3 {
			t.Errorf("a word item has more than its key and type: %v", slices.Sorted(maps.Keys(m)))
		}
		got[m["PK"].(*types.AttributeValueMemberS).Value+" "+m["SK"].(*types.AttributeValueMemberS).Value] = true
	}
	if !maps.Equal(got, want) {
		t.Fatalf("word items:\n got %v\nwant %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
}

// TestCopyWritesWordItems: a copy into a table (ItemsOf) writes each
// contact's word items with it, so a copied CRM is searchable by name.
func TestCopyWritesWordItems(t *testing.T) {
	at := time.Now().UTC()
	c := crm.Contact{ID: crm.NewID(at), Name: "José", Surname: "Pérez Álvarez", Company: "Talleres Pérez",
		CreatedAt: at, UpdatedAt: at, Version: 1}
	groups, err := dynamo.ItemsOf(crm.Snapshot{Contacts: []crm.Contact{c}}, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range groups {
		for _, m := range g.Items {
			if ty, _ := m["type"].(*types.AttributeValueMemberS); ty != nil && ty.Value == "WORD" {
				got = append(got, m["SK"].(*types.AttributeValueMemberS).Value)
			}
		}
	}
	want := []string{"jose#" + c.ID, "perez#" + c.ID, "alvarez#" + c.ID, "talleres#" + c.ID}
	if !slices.Equal(got, want) {
		t.Fatalf("word items of a copy: %q, want %q", got, want)
	}
}

// TestRefusedCreationLeavesNoWordsOrLinks: a new contact's word items and
// interest links are written just before its transaction; when the
// transaction is refused (its e-mail taken, an interest that does not
// exist, a lead delivered twice) they are deleted, so the table holds
// only those of the contacts that exist, and neither the name search nor
// the interest's list finds a contact that was never made.
func TestRefusedCreationLeavesNoWordsOrLinks(t *testing.T) {
	ctx, tbl := t.Context(), dynamotest.New(t)
	s := dynamo.New(tbl.Client, tbl.Name)
	at := time.Now().UTC().Truncate(time.Millisecond)
	in := crm.Interest{ID: crm.NewID(at), Name: "Reformas", Version: 1, CreatedAt: at, UpdatedAt: at}
	if err := s.CreateInterest(ctx, in); err != nil {
		t.Fatal(err)
	}
	contact := func(name, email string, interests ...string) crm.Contact {
		return crm.Contact{ID: crm.NewID(at), Name: name, Email: email, InterestIDs: interests, Version: 1, CreatedAt: at, UpdatedAt: at}
	}
	ana := contact("Ana Ruiz", "ana@example.com", in.ID)
	if err := s.CreateContact(ctx, ana); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateContact(ctx, contact("Anabel Soto", "ana@example.com", in.ID)); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("a second contact with the e-mail: %v, want a conflict", err)
	}
	if err := s.CreateContact(ctx, contact("Berta Gil", "", in.ID, "01NOSUCHINTEREST0000000000")); crm.ErrorCode(err) != crm.CodeInvalid {
		t.Fatalf("a contact with an interest that does not exist: %v, want invalid", err)
	}
	lead := func(c crm.Contact) crm.Batch {
		return crm.Batch{TrustRefs: true, Contacts: []crm.Write[crm.Contact]{{New: c}},
			Leads: []crm.KeyedLead{{Key: "src#json#abc", Record: crm.LeadRecord{ID: crm.NewID(at), Format: crm.FormatJSON, ContactID: c.ID, ReceivedAt: at}}}}
	}
	carla := contact("Carla Mora", "carla@example.com", in.ID)
	if err := s.Commit(ctx, lead(carla)); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, lead(contact("Carlota Mora", "carlota@example.com", in.ID))); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("a lead delivered twice: %v, want a conflict", err)
	}

	out, err := tbl.Client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(tbl.Name),
		FilterExpression: aws.String("#t IN (:w, :l)"), ExpressionAttributeNames: map[string]string{"#t": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":w": &types.AttributeValueMemberS{Value: "WORD"},
			":l": &types.AttributeValueMemberS{Value: "INTEREST_LINK"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range out.Items {
		got = append(got, m["SK"].(*types.AttributeValueMemberS).Value)
	}
	want := []string{"CONTACT#" + ana.ID, "CONTACT#" + carla.ID, "ana#" + ana.ID, "carla#" + carla.ID, "mora#" + carla.ID, "ruiz#" + ana.ID}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("word items and interest links:\n got %q\nwant %q", got, want)
	}
	for q, ids := range map[string][]string{"ana": {ana.ID}, "car": {carla.ID}, "soto": nil, "gil": nil} {
		p, err := s.ListContacts(ctx, crm.ContactFilter{Query: q}, crm.ListOptions{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, c := range p.Items {
			found = append(found, c.ID)
		}
		if !slices.Equal(found, ids) {
			t.Errorf("q=%s finds %v, want %v", q, found, ids)
		}
	}
}
