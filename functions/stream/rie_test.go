package main

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/emulate"
	"github.com/embudo/embudo/internal/rietest"
)

// The IDs and data the sample stream events use (events/README.md): the
// stores must hold them for the function to find the agent it e-mails.
const (
	sampleActorID   = "01KJHRF7H0E31JWBX8SG7772RH" // Marta Ruiz, who created the contact
	sampleAgentID   = "01KJMAVYH0JC1WP6TA6GMEEK6J" // Bruno Díaz, the agent
	sampleContactID = "01KJPX8NH0RSBQFEKSZW8ECXTP" // Lucía Fernández
	sampleAgentMail = "bruno.diaz@example.com"
)

var sampleTime = time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)

// TestEventsUnderEmulator runs the built bootstrap under aws-lambda-rie
// against minidyn (the table of template.yaml), the SES v2 emulator and a
// Scheduler endpoint that records what it is asked, and invokes it with
// every events/stream-*.json.
func TestEventsUnderEmulator(t *testing.T) {
	bootstrap := rietest.Build(t, ".")
	ses := emulate.StartSES(t)
	ctx := context.Background()

	dbURL, client, table := emulate.Table(t, "../../template.yaml")
	store := dynamo.New(client, table)
	svc := crm.NewService(store, crm.Config{})
	if err := svc.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	// What the event's change happened to: the user who made it, the agent
	// it names, and the contact itself (the stream follows the write).
	at := sampleTime
	if err := store.CreateUser(ctx, crm.User{ID: sampleActorID, Name: "Marta Ruiz", Email: "marta.ruiz@example.com", Role: crm.RoleStaff,
		Active: true, Lang: crm.LangES, CreatedAt: at, UpdatedAt: at, Version: 1}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateAgent(ctx, crm.Agent{ID: sampleAgentID, Code: "BRUNO", Name: "Bruno Díaz", Email: sampleAgentMail, Active: true,
		CreatedAt: at, UpdatedAt: at, Version: 1}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateContact(ctx, crm.Contact{ID: sampleContactID, Name: "Lucía", Surname: "Fernández", Company: "Cerámicas del Sur S.L.",
		Email: "lucia.fernandez@example.com", Phone: "+34611223344", AgentID: sampleAgentID, Lang: crm.LangES,
		CreatedBy: sampleActorID, UpdatedBy: sampleActorID, CreatedAt: at, UpdatedAt: at, Version: 1}); err != nil {
		t.Fatal(err)
	}

	scheduler := emulate.StartRecorder(t, `{"ScheduleArn":"arn:aws:scheduler:us-east-1:123456789012:schedule/embudo-reminders/test"}`)

	emu := rietest.Start(t, bootstrap, []string{
		"TABLE_NAME=" + table,
		"DYNAMODB_ENDPOINT=" + dbURL,
		"SENDER_EMAIL=Embudo <no-reply@embudo.example>",
		"SES_ENDPOINT=" + ses.URL,
		"SCHEDULER_ENDPOINT=" + scheduler.URL,
		"SCHEDULE_GROUP=embudo-reminders",
		"SCHEDULER_ROLE_ARN=arn:aws:iam::123456789012:role/embudo-scheduler",
		"REMINDER_FUNCTION_ARN=arn:aws:lambda:us-east-1:123456789012:function:embudo-reminder",
		"APP_URL=https://crm.example.com",
	})

	expectations := map[string]func(t *testing.T, payload []byte, ev events.DynamoDBEvent){
		"stream-contact-assigned.json": func(t *testing.T, payload []byte, ev events.DynamoDBEvent) {
			// The event is the item the store writes for this contact.
			sameAsStored(t, client, table, ev.Records[0])
			for round := 1; round <= 2; round++ { // the second is Lambda delivering the batch again
				invokeStream(t, emu, payload)
				got := ses.Emails(t)
				if len(got) != 1 {
					t.Fatalf("after delivery %d the SES emulator holds %d e-mails, want exactly 1: %+v", round, len(got), got)
				}
				m := got[0]
				if len(m.Destination.To) != 1 || !strings.Contains(m.Destination.To[0], "<"+sampleAgentMail+">") {
					t.Errorf("e-mail to %q, want the agent %s", m.Destination.To, sampleAgentMail)
				}
				if m.Subject != "Nuevo contacto a tu cargo: Lucía Fernández" {
					t.Errorf("subject %q", m.Subject)
				}
				if !strings.Contains(m.Body.Text, "Marta Ruiz") || !strings.Contains(m.Body.Text, "https://crm.example.com/contacts/"+sampleContactID) ||
					m.Body.HTML == "" {
					t.Errorf("the e-mail does not name who assigned it or link to the contact:\n%s", m.Body.Text)
				}
			}
			// And the change is in the contact's timeline, once.
			p, err := svc.Timeline(ctx, crm.User{ID: sampleActorID}, sampleContactID, crm.ListOptions{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) != 1 || p.Items[0].Kind != crm.TimelineCreated {
				t.Errorf("timeline %+v, want the one created entry", p.Items)
			}
		},
	}

	rietest.EachEvent(t, "stream-*.json", expectations, func(t *testing.T, check func(*testing.T, []byte, events.DynamoDBEvent), payload []byte) {
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(payload, &ev); err != nil || len(ev.Records) == 0 {
			t.Fatalf("the event is not a DynamoDB stream event (%v)", err)
		}
		check(t, payload, ev)
	})

	if calls := scheduler.Calls(); len(calls) != 0 {
		t.Errorf("a contact change called the Scheduler: %v", calls)
	}
}

// invokeStream invokes the function with an event and requires the
// response Lambda reads as "every record succeeded".
func invokeStream(t *testing.T, emu *rietest.Emulator, payload []byte) {
	t.Helper()
	var res map[string]json.RawMessage
	out := emu.CallJSON(t, payload, &res)
	// ReportBatchItemFailures: the key present, and no failure in it.
	failures, ok := res["batchItemFailures"]
	if !ok || (string(failures) != "[]" && string(failures) != "null") {
		t.Fatalf("response %s, want {\"batchItemFailures\":[]}", out)
	}
}

// sameAsStored checks that the event's new image is the item the store
// holds for that key: the sample keeps the real item layout. Both sides go
// through the same JSON form, every conversion checked, and neither may be
// empty (an image that failed to convert must not equal one that did too).
func sameAsStored(t *testing.T, db *dynamodb.Client, table string, rec events.DynamoDBEventRecord) {
	t.Helper()
	// asJSON turns an item into plain JSON values for comparison.
	asJSON := func(what string, item map[string]types.AttributeValue) map[string]any {
		j, err := attributevalue.MarshalMapJSON(item)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var out map[string]any
		if err := json.Unmarshal(j, &out); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(out) == 0 {
			t.Fatalf("%s is empty", what)
		}
		return out
	}
	// fromEvent reads an image of the event as the SDK's attribute values.
	fromEvent := func(what string, m map[string]events.DynamoDBAttributeValue) map[string]types.AttributeValue {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		av, err := attributevalue.UnmarshalMapJSON(b)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return av
	}
	key := fromEvent("the event's Keys", rec.Change.Keys)
	if len(key) == 0 {
		t.Fatal("the event has no Keys")
	}
	res, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: key})
	if err != nil || len(res.Item) == 0 {
		t.Fatalf("the event's item is not stored (%v)", err)
	}
	stored := asJSON("the stored item", res.Item)
	img := asJSON("the event's NewImage", fromEvent("the event's NewImage", rec.Change.NewImage))
	if !reflect.DeepEqual(img, stored) {
		t.Errorf("the event's NewImage is not the item the store writes:\n event  %v\n stored %v", img, stored)
	}
}
