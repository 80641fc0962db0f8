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
