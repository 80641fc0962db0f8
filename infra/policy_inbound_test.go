package infra

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/inbound"
	"github.com/embudo/embudo/internal/inbound/inboundtest"
	"github.com/embudo/embudo/internal/inbound/reply"
)

// files is an inbound.Storage in memory.
type files struct {
	mu sync.Mutex
	n  int
}

func (f *files) Put(context.Context, string, string, []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	return nil
}

func (f *files) Delete(context.Context, string) error { return nil }

// TestPolicyInbound runs the inbound function's paths (every message of
// the corpus, each delivered twice, with its SES verdicts: new contacts,
// notes on known ones, forwards, rejections; a reply to a notification on
// an opportunity) and checks each request against its policy.
func TestPolicyInbound(t *testing.T) {
	ctx := context.Background()
	table := dynamotest.New(t)
	seed := crm.NewService(dynamo.New(table.Client, table.Name), crm.Config{})
	if err := seed.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	team, err := inboundtest.Team(ctx, seed)
	if err != nil {
		t.Fatal(err)
	}
	marta := team[inboundtest.MartaEmail]
	c, err := seed.CreateContact(ctx, marta, crm.Contact{Name: "Lucía", Email: "lucia@cliente.example"})
	if err != nil {
		t.Fatal(err)
	}
	opp, err := seed.CreateOpportunity(ctx, marta, crm.Opportunity{ContactID: c.ID, Description: "Tienda online"})
	if err != nil {
		t.Fatal(err)
	}

	rec := &recorder{API: table.Client}
	tokens := &reply.Tokens{Key: []byte("policy-test-key-0123456789abcdef"), Domain: inboundtest.Domain}
	h := &inbound.Handler{Svc: crm.NewService(dynamo.New(rec, table.Name), crm.Config{}), Files: &files{}, Tokens: tokens,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for range 2 {
		for _, k := range inboundtest.Cases {
			raw, err := inboundtest.Raw(k)
			if err != nil {
				t.Fatal(err)
			}
			v := inbound.Verdicts{SPF: "PASS", DKIM: "PASS", DMARC: "PASS", Spam: "PASS", Virus: "PASS"}
			if k.Verdicts != nil {
				v.DMARC, v.SPF = k.Verdicts["dmarc"], k.Verdicts["spf"]
			}
			res, err := h.Receive(ctx, inbound.Envelope{To: []string{inboundtest.InboundAddr}, Verdicts: v, RawKey: "inbound/x"}, raw)
			if err != nil || res.Outcome != k.Outcome {
				t.Fatalf("%s: %+v %v", k.File, res, err)
			}
		}
		addr := tokens.Address(crm.ParentOpportunity, opp.ID, marta.ID)
		reply := []byte("From: " + inboundtest.MartaEmail + "\r\nTo: " + addr + "\r\nSubject: Re: x\r\nMessage-ID: <policy-reply@x>\r\n\r\nVale.\r\n")
		if res, err := h.Receive(ctx, inbound.Envelope{To: []string{addr}}, reply); err != nil || res.Outcome != crm.OutcomeNoted {
			t.Fatalf("reply: %+v %v", res, err)
		}
	}
	denied := []access{
		{"dynamodb:Scan", tableARN, []string{"CONTACT#x"}},
		{"dynamodb:GetItem", tableARN, []string{"TOKEN#x"}},
		{"dynamodb:PutItem", tableARN, []string{"USER#x"}},
		{"dynamodb:PutItem", tableARN, []string{"OPPORTUNITY#x"}},
		{"dynamodb:UpdateItem", tableARN, []string{"CONTACT#x"}},
		{"dynamodb:DeleteItem", tableARN, []string{"NOTE#x"}},
		{"dynamodb:Query", tableARN + "/index/GSI1", []string{"CONTACT"}},
	}
	checkAccesses(t, "InboundFunction", rec.accesses(), denied)
}
