package dynamotest_test

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamotest"
)

// The capture layer runs transactions itself (see TransactWriteItems); a
// failed one must leave no trace and report which action failed, exactly
// as DynamoDB does.
func TestFailedTransactionIsUndoneAndNamesTheAction(t *testing.T) {
	c, svc := capturing(t)
	a, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Email: "ana@example.com", Phone: "600000001"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Bea", Email: "bea@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	src, _ := svc.CreateSource(ctx, crm.Source{Name: "Feria"})
	var recs []dynamotest.Record
	c.OnChange = func(r []dynamotest.Record) { recs = append(recs, r...) }

	// The contact put, the release of ana@ and the phone change succeed
	// before the claim of bea@ fails: all of it must be undone.
	_, err = svc.UpdateContact(ctx, a.ID, 0, func(c *crm.Contact) error {
		c.Email, c.Phone, c.SourceID = "BEA@example.com", "600000002", src.ID
		return nil
	})
	e, _ := err.(*crm.Error)
	if crm.ErrorCode(err) != crm.CodeConflict || e.ExistingID != b.ID || e.Fields["email"] == "" {
		t.Fatalf("conflict not reported as DynamoDB would: %v", err)
	}
	if len(recs) != 0 {
		t.Fatalf("a cancelled transaction produced %d change records", len(recs))
	}
	got, _ := svc.GetContact(ctx, a.ID)
	if got.Email != "ana@example.com" || got.Phone != "+34600000001" || got.SourceID != "" || got.Version != 1 {
		t.Fatalf("contact not restored: %+v", got)
	}
	// Its claims are intact: ana@ and the old phone are still taken, the
	// new phone is still free.
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "X", Email: "ana@example.com"}); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("claim of ana@ lost: %v", err)
	}
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "X", Phone: "600000001"}); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("claim of the old phone lost: %v", err)
	}
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Y", Phone: "600000002"}); err != nil {
		t.Fatalf("claim of the new phone left behind: %v", err)
	}
	// A reference check that fails is reported on its field.
	_, err = svc.CreateContact(ctx, actor, crm.Contact{Name: "Z", Email: "z@example.com", AgentID: crm.NewID(got.CreatedAt)})
	if e, _ := err.(*crm.Error); crm.ErrorCode(err) != crm.CodeInvalid || e.Fields["agentId"] == "" {
		t.Fatalf("missing agent: %v", err)
	}
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Z", Email: "z@example.com"}); err != nil {
		t.Fatalf("the e-mail claim of a cancelled create was left behind: %v", err)
	}
}
