package reply

import (
	"context"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

type keep struct{ got []crm.Email }

func (k *keep) Send(_ context.Context, e crm.Email) error { k.got = append(k.got, e); return nil }

// Mailer signs the reply address of the e-mail's record for its
// recipient, and leaves an e-mail about nothing as it is.
func TestMailer(t *testing.T) {
	k := &keep{}
	tok := &Tokens{Key: []byte("0123456789abcdef0123456789abcdef"), Domain: "in.acme.example"}
	m := Mailer{Mailer: k, Tokens: tok}
	opp, user := "01KJPX8NH0RSBQFEKSZW8ECXTP", "01KJHRF7H0E31JWBX8SG7772RH"
	_ = m.Send(context.Background(), crm.Email{To: "a@b.es", About: crm.EmailAbout{Kind: crm.ParentOpportunity, ID: opp, UserID: user}})
	_ = m.Send(context.Background(), crm.Email{To: "a@b.es"})
	if !strings.HasPrefix(k.got[0].ReplyTo, "n+") || !strings.HasSuffix(k.got[0].ReplyTo, "@in.acme.example") || k.got[1].ReplyTo != "" {
		t.Fatalf("reply addresses %q, %q", k.got[0].ReplyTo, k.got[1].ReplyTo)
	}
	ref, err := tok.ParseReply(k.got[0].ReplyTo)
	if err != nil || ref.Kind != crm.ParentOpportunity || ref.ID != opp || tok.Verify(ref, user, nil) != nil {
		t.Fatalf("the address does not name the opportunity for its user: %+v %v", ref, err)
	}
	if (Mailer{Mailer: k}).Send(context.Background(), crm.Email{About: crm.EmailAbout{Kind: crm.ParentContact, ID: opp, UserID: user}}); k.got[2].ReplyTo != "" {
		t.Fatal("a reply address without tokens")
	}
}
