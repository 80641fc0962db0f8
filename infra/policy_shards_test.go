package infra

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/httpapi"
)

// TestPolicyWebhookEarlierTable runs leads with opportunities into a table
// made before the tab counts were sharded (one CONFIG / STATE_COUNTS
// item): the webhook function adds the state's counter to the shards it
// picks, after checking the state (ConditionCheckItem on STATE#), and
// every request it makes is allowed; it still checks no source, agent or
// interest.
func TestPolicyWebhookEarlierTable(t *testing.T) {
	ctx := context.Background()
	table := dynamotest.New(t)
	seed := crm.NewService(dynamo.New(table.Client, table.Name), crm.Config{})
	if err := seed.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	table.AsEarlierTabCounts(t)
	if _, err := seed.CreateAgent(ctx, crm.Agent{Code: "BRUNO", Name: "Bruno", Active: true}); err != nil {
		t.Fatal(err)
	}
	src, err := seed.CreateSource(ctx, crm.Source{Name: "Zapier", Webhook: &crm.Webhook{Kind: crm.FormatJSON,
		Assignment: crm.AssignRoundRobin, CreateOpportunity: true}})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{API: table.Client}
	hooks := httpapi.NewHooks(crm.NewService(dynamo.New(rec, table.Name), crm.Config{NumberBlock: crm.InstanceNumberBlock}),
		httpapi.HookOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for i := range 6 {
		r := httptest.NewRequest("POST", "/hooks/"+src.Webhook.Token, strings.NewReader(fmt.Sprintf(`{"name":"Lead %d","email":"lead%d@example.com"}`, i, i)))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		hooks.ServeHTTP(w, r)
		if w.Code >= 300 {
			t.Fatalf("lead %d: %d %s", i, w.Code, w.Body)
		}
	}
	checked := false
	for _, a := range rec.accesses() {
		checked = checked || a.Action == "dynamodb:ConditionCheckItem"
	}
	if !checked {
		t.Fatal("no lead met a shard without its state's counter: the path is not covered")
	}
	checkAccesses(t, "WebhookFunction", rec.accesses(), []access{
		{"dynamodb:ConditionCheckItem", tableARN, []string{"SOURCE#x"}},
		{"dynamodb:ConditionCheckItem", tableARN, []string{"AGENT#x"}},
		{"dynamodb:ConditionCheckItem", tableARN, []string{"INTEREST#x"}},
		{"dynamodb:GetItem", tableARN, []string{"COUNTER"}},
	})
}
