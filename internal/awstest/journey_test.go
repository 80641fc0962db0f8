package awstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/client"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/emulate"
)

// mailWait bounds each wait for an e-mail: a stream batch waits a second
// for more records, and the machine may be loaded.
const mailWait = 90 * time.Second

const (
	adminMail = "admin@embudo.example"
	agentMail = "bruno.diaz@embudo.example"
	leadMail  = "lucia.fernandez@example.com"
)

// TestJourney follows a lead through the stack as template.yaml deploys
// it, in moto: the first admin, a source with a form webhook and an
// interest through the API function; a form post to the webhook function
// that creates a contact and an opportunity; their e-mails sent by the
// stream function from the records moto's stream holds; a team note with
// a reminder that arms a schedule in moto's Scheduler, which fires the
// reminder function; a file through a presigned URL into moto's S3; the
// source report. Then every record of the stream is delivered again:
// nothing is sent or counted twice.
func TestJourney(t *testing.T) {
	began := time.Now()
	r := newRig(t)
	ctx := context.Background()

	// The first admin, as `embudo admin bootstrap --table <TableName>` makes
	// it with the operator's credentials (the same use case, straight to
	// the table in moto).
	svc := crm.NewService(dynamo.New(r.db, r.stack.Outputs["TableName"]), crm.Config{})
	_, token, err := svc.BootstrapAdmin(ctx, adminMail, "", false)
	if err != nil {
		t.Fatalf("admin bootstrap: %v", err)
	}
	api := r.api(token)

	var agent, interest, source struct {
		ID      string
		Webhook struct{ URL string }
	}
	post(t, api, "/v1/agents", map[string]any{"code": "BRUNO", "name": "Bruno Díaz", "email": agentMail, "active": true}, &agent)
	post(t, api, "/v1/interests", map[string]any{"name": "Placas solares"}, &interest)
	post(t, api, "/v1/sources", map[string]any{"name": "Formulario web", "webhook": map[string]any{
		"kind": "form", "redirectUrl": "https://www.embudo.example/gracias", "allowedOrigins": []string{"https://www.embudo.example"},
		"createOpportunity": true, "assignment": "fixed", "defaultAgentId": agent.ID}}, &source)
	if !strings.HasPrefix(source.Webhook.URL, r.stack.Outputs["HooksUrl"]+"hooks/") {
		t.Fatalf("the webhook URL %q is not under the stack's HooksUrl %s", source.Webhook.URL, r.stack.Outputs["HooksUrl"])
	}
	r.mapping.WaitIdle(t, mailWait)
	setup := r.mail.all()

	// The lead: a form post to the webhook function, which creates the
	// contact and its opportunity; the stream function e-mails the agent.
	lead := postLead(t, r, source.Webhook.URL, url.Values{"nombre": {"Lucía"}, "apellidos": {"Fernández"}, "email": {leadMail},
		"telefono": {"611 22 33 44"}, "empresa": {"Cerámicas del Sur"}, "interes": {"Placas solares"}, "mensaje": {"¿Me llamáis por la tarde?"}},
		"Lucía Fernández", 1)
	if !strings.Contains(lead.newContact.Body.Text, "https://crm.embudo.example/contacts/") {
		t.Errorf("the new-contact e-mail does not link to the front end:\n%s", lead.newContact.Body.Text)
	}

	var contacts struct {
		Items []struct{ ID, Email, SourceID string }
	}
	get(t, api, "/v1/contacts?email="+url.QueryEscape(leadMail), &contacts)
	if len(contacts.Items) != 1 || contacts.Items[0].SourceID != source.ID {
		t.Fatalf("contacts with the lead's e-mail: %+v, want one from the source", contacts.Items)
	}
	var opps struct {
		Items []struct{ ID, ContactID, AgentID, SourceID string }
	}
	get(t, api, "/v1/opportunities?contactId="+contacts.Items[0].ID, &opps)
	if len(opps.Items) != 1 || opps.Items[0].AgentID != agent.ID {
		t.Fatalf("the lead's opportunities: %+v, want one of the agent", opps.Items)
	}
	opp := opps.Items[0]

	// A team note with a reminder the next day, 09:00 company time.
	madrid, _ := time.LoadLocation("Europe/Madrid")
	day := time.Now().In(madrid).AddDate(0, 0, 1).Format("2006-01-02")
	var note struct {
		ID      string
		AvisoAt time.Time
	}
	post(t, api, "/v1/opportunities/"+opp.ID+"/notes", map[string]any{"text": "Llamar para cerrar el precio", "avisoAt": day}, &note)
	if want := day + "T09:00:00"; note.AvisoAt.In(madrid).Format("2006-01-02T15:04:05") != want {
		t.Fatalf("the note's aviso is %s, want %s company time", note.AvisoAt, want)
	}
	schedule := waitSchedule(t, r, "note-"+note.ID)
	if got, want := schedule.expression, "at("+note.AvisoAt.UTC().Format("2006-01-02T15:04:05")+")"; got != want {
		t.Errorf("the schedule fires %s, want %s", got, want)
	}
	if len(r.sched.Fired()) != 0 {
		t.Fatalf("a schedule fired before its time: %+v", r.sched.Fired())
	}
	r.clock.Set(note.AvisoAt)
	fired := r.sched.WaitFired(t, 1, mailWait)
	if fired[0].Err != nil {
		t.Fatalf("the reminder function failed: %v\n%s", fired[0].Err, r.fns["ReminderFunction"].Logs())
	}
	r.mail.wait(t, adminMail, "Recordatorio: Lucía Fernández", mailWait)
	if left := schedulesLeft(t, r); len(left) != 0 {
		t.Errorf("schedules left after firing: %v (ActionAfterCompletion DELETE)", left)
	}

	// A file through a presigned URL into the stack's bucket, and back.
	content := []byte("%PDF-1.4 propuesta\n")
	var file struct {
		ID            string
		UploadURL     string
		UploadHeaders map[string]string
		DownloadURL   string
		Status        string
	}
	post(t, api, "/v1/opportunities/"+opp.ID+"/files", map[string]any{"name": "propuesta.pdf", "contentType": "application/pdf",
		"size": len(content)}, &file)
	put, _ := http.NewRequest(http.MethodPut, file.UploadURL, bytes.NewReader(content))
	for k, v := range file.UploadHeaders {
		put.Header.Set(k, v)
	}
	if resp := do(t, r.http, put); resp.StatusCode != http.StatusOK {
		t.Fatalf("upload to %s: %s", file.UploadURL, resp.Status)
	}
	post(t, api, "/v1/files/"+file.ID+"/complete", nil, nil)
	get(t, api, "/v1/files/"+file.ID, &file)
	dl, _ := http.NewRequest(http.MethodGet, file.DownloadURL, nil)
	resp := do(t, r.http, dl)
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, content) || file.Status != "complete" {
		t.Fatalf("download of %s (%s): %s %q", file.ID, file.Status, resp.Status, got)
	}
	r.mail.wait(t, agentMail, "Archivo nuevo en", mailWait)
	r.mapping.WaitIdle(t, mailWait)

	// A second lead, on warm functions, for the numbers.
	warm := postLead(t, r, source.Webhook.URL, url.Values{"nombre": {"Marta"}, "apellidos": {"Gil"}, "email": {"marta.gil@example.com"},
		"telefono": {"622 33 44 55"}, "interes": {"Placas solares"}}, "Marta Gil", 2)

	// The source report counts the leads.
	if n := sourceLeads(t, api, source.ID); n != 2 {
		t.Fatalf("the report counts %d leads of the source, want 2", n)
	}

	// Every record again, as Lambda delivers a stream read again from
	// TRIM_HORIZON: nothing is sent twice, nothing counted twice.
	sent := r.mail.all()
	before := r.mapping.Stats()
	r.mapping.Rewind()
	r.mapping.WaitIdle(t, mailWait)
	again := r.mapping.Stats()
	if again.Delivered-before.Delivered < before.Delivered-before.Retried {
		t.Errorf("the second delivery handed %d records to the function, want every one of the first (%d)",
			again.Delivered-before.Delivered, before.Delivered-before.Retried)
	}
	time.Sleep(200 * time.Millisecond) // one more look at the SES emulator
	if extra := r.mail.all()[len(sent):]; len(extra) > 0 {
		t.Errorf("the records delivered again sent %d more e-mails:\n%s", len(extra), describe(extra))
	}
	if n := sourceLeads(t, api, source.ID); n != 2 {
		t.Errorf("after the second delivery the report counts %d leads, want 2", n)
	}
	if again.GivenUp != 0 {
		t.Errorf("the mapping gave up %d records", again.GivenUp)
	}

	r.report(t, time.Since(began), len(setup), lead, warm)
}

// postLead posts form to the webhook URL as a browser does, expects the
// redirect, waits for the agent's e-mails of the new contact (naming who)
// and of the opportunity number (and for the stream to settle) and
// returns what the lead cost.
func postLead(t *testing.T, r *rig, hook string, form url.Values, who string, number int) numbers {
	t.Helper()
	mark, counts, stats, nrec := r.counter.Mark(), r.counter.Counts(), r.mapping.Stats(), len(r.mapping.Records())
	posted := time.Now()
	req, _ := http.NewRequest(http.MethodPost, hook, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://www.embudo.example")
	resp := do(t, r.http, req)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://www.embudo.example/gracias" {
		t.Fatalf("the form post got %s, Location %q; want 303 to the source's redirect", resp.Status, resp.Header.Get("Location"))
	}
	answered := time.Since(posted)
	newContact := r.mail.wait(t, agentMail, "Nuevo contacto a tu cargo: "+who, mailWait)
	newOpp := r.mail.wait(t, agentMail, fmt.Sprintf("Eres agente de #%d ", number), mailWait)
	r.mapping.WaitIdle(t, mailWait)
	n := leadNumbers(r, mark, counts, stats, nrec)
	n.answered, n.toContact, n.toOpp, n.newContact = answered, r.mail.at(newContact).Sub(posted), r.mail.at(newOpp).Sub(posted), newContact
	return n
}

// post sends body to path and decodes the answer into out.
func post(t *testing.T, api *client.Client, path string, body, out any) {
	t.Helper()
	if _, err := api.JSON(context.Background(), http.MethodPost, path, nil, body, out, nil); err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
}

// get reads path into out.
func get(t *testing.T, api *client.Client, path string, out any) {
	t.Helper()
	p, q, _ := strings.Cut(path, "?")
	query, _ := url.ParseQuery(q)
	if _, err := api.JSON(context.Background(), http.MethodGet, p, query, nil, out, nil); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// do sends req, failing t if it cannot.
func do(t *testing.T, c *http.Client, req *http.Request) *http.Response {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// sourceLeads reads the source report's lead count of a source.
func sourceLeads(t *testing.T, api *client.Client, sourceID string) int64 {
	t.Helper()
	var rep struct {
		Items []struct {
			SourceID string
			Leads    int64
		}
	}
	get(t, api, "/v1/reports/sources", &rep)
	for _, row := range rep.Items {
		if row.SourceID == sourceID {
			return row.Leads
		}
	}
	return 0
}

// sesEmails reads the SES emulator's store.
func sesEmails(base string) ([]emulate.Email, error) {
	resp, err := http.Get(base + "/store")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /store: %s", resp.Status)
	}
	var out struct{ Emails []emulate.Email }
	err = json.NewDecoder(resp.Body).Decode(&out)
	return out.Emails, err
}
