package notify_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/notify"
)

// want is the part of an Intent a user relies on: which e-mail, to whom,
// and who caused it (never notified), plus what it is about.
type want struct {
	Key       string
	Kind      notify.RecipientKind
	Recipient string
	Actor     string
	Contact   string
	Opp       string // the opportunity's ID, "" for none
	Note      string // the note's ID, "" for none
	File      string // the file's ID, "" for none
}

func (w want) String() string {
	return fmt.Sprintf("{%s %s:%s actor=%q contact=%q opp=%q note=%q file=%q}", w.Key, w.Kind, w.Recipient, w.Actor, w.Contact, w.Opp, w.Note, w.File)
}

func project(in []notify.Intent) []want {
	out := make([]want, 0, len(in))
	for _, i := range in {
		w := want{Key: i.Key, Kind: i.Kind, Recipient: i.RecipientID, Actor: i.Actor, Contact: i.ContactID}
		if i.Opportunity != nil {
			w.Opp = i.Opportunity.ID
		}
		if i.Note != nil {
			w.Note = i.Note.ID
		}
		if i.File != nil {
			w.File = i.File.ID
		}
		out = append(out, w)
	}
	sortWants(out)
	return out
}

// sortWants puts intents in a stable order: the order Rules emits them in
// is not part of its contract.
func sortWants(ws []want) {
	slices.SortFunc(ws, func(a, b want) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Recipient, b.Recipient))
	})
}

const (
	contactID = "01CONTACT"
	oppID     = "01OPP"
	noteID    = "01NOTE"
	fileID    = "01FILE"
	agentA    = "01AGENT-A"
	agentB    = "01AGENT-B"
	creator   = "01USER-CREATOR"
	assignee  = "01USER-ASSIGNEE"
	assignee2 = "01USER-ASSIGNEE-2"
	editor    = "01USER-EDITOR"
	author    = "01USER-AUTHOR"
)

func contact(agent, updatedBy string) crm.Contact {
	return crm.Contact{ID: contactID, Name: "José", Surname: "Pérez", AgentID: agent, CreatedBy: creator, UpdatedBy: updatedBy, Version: 1}
}

func opportunity(agent, assigneeID, updatedBy string) crm.Opportunity {
	return crm.Opportunity{ID: oppID, Number: 7, ContactID: contactID, Description: "Tienda online", AgentID: agent, AssigneeID: assigneeID,
		CreatedBy: creator, UpdatedBy: updatedBy, Version: 1}
}

func note(parent crm.ParentKind, vis crm.Visibility) crm.Note {
	parentID := oppID
	if parent == crm.ParentContact {
		parentID = contactID
	}
	return crm.Note{ID: noteID, ParentKind: parent, ParentID: parentID, ContactID: contactID, Text: "Llamar el lunes",
		Visibility: vis, CreatedBy: author, UpdatedBy: author, Version: 1}
}

func file(parent crm.ParentKind, status crm.FileStatus) crm.File {
	parentID := oppID
	if parent == crm.ParentContact {
		parentID = contactID
	}
	return crm.File{ID: fileID, ParentKind: parent, ParentID: parentID, ContactID: contactID, Name: "oferta.pdf",
		ContentType: "application/pdf", Size: 1000, Status: status, UploadedBy: author, Version: 1}
}

func TestRules(t *testing.T) {
	opp := opportunity(agentA, assignee, creator)
	around := func(key, actor, noteOrFile string, isFile bool) []want {
		var out []want
		for _, r := range []struct {
			kind notify.RecipientKind
			id   string
		}{{notify.ToUser, creator}, {notify.ToUser, assignee}, {notify.ToAgent, agentA}} {
			w := want{Key: key, Kind: r.kind, Recipient: r.id, Actor: actor, Contact: contactID, Opp: oppID}
			if isFile {
				w.File = noteOrFile
			} else {
				w.Note = noteOrFile
			}
			out = append(out, w)
		}
		return out
	}
	// renamed returns f with another name (a change that is not completion).
	renamed := func(f crm.File) crm.File { f.Name = "oferta-v2.pdf"; f.Version++; return f }

	tests := []struct {
		name     string
		old, new crm.Entity
		opp      *crm.Opportunity
		want     []want
	}{
		// new-contact-agent
		{name: "contact created with an agent", new: contact(agentA, creator),
			want: []want{{Key: crm.NotifyNewContactAgent, Kind: notify.ToAgent, Recipient: agentA, Actor: creator, Contact: contactID}}},
		{name: "contact created with an agent by a web form", new: contact(agentA, ""),
			want: []want{{Key: crm.NotifyNewContactAgent, Kind: notify.ToAgent, Recipient: agentA, Actor: "", Contact: contactID}}},
		{name: "contact created without an agent", new: contact("", creator)},
		{name: "contact agent changed", old: contact(agentA, creator), new: contact(agentB, editor),
			want: []want{{Key: crm.NotifyNewContactAgent, Kind: notify.ToAgent, Recipient: agentB, Actor: editor, Contact: contactID}}},
		{name: "contact agent set where there was none", old: contact("", creator), new: contact(agentB, editor),
			want: []want{{Key: crm.NotifyNewContactAgent, Kind: notify.ToAgent, Recipient: agentB, Actor: editor, Contact: contactID}}},
		{name: "contact agent unchanged", old: contact(agentA, creator), new: func() crm.Contact {
			c := contact(agentA, editor)
			c.Company, c.Version = "ACME", 2
			return c
		}()},
		{name: "contact agent cleared", old: contact(agentA, creator), new: contact("", editor)},
		{name: "contact deleted", old: contact(agentA, creator), new: nil},

		// new-opportunity-agent and new-opportunity-assignee
		{name: "opportunity created with agent and assignee", new: opportunity(agentA, assignee, creator), want: []want{
			{Key: crm.NotifyNewOpportunityAgent, Kind: notify.ToAgent, Recipient: agentA, Actor: creator, Contact: contactID, Opp: oppID},
			{Key: crm.NotifyNewOpportunityAssignee, Kind: notify.ToUser, Recipient: assignee, Actor: creator, Contact: contactID, Opp: oppID},
		}},
		{name: "opportunity created with an agent only", new: opportunity(agentA, "", creator), want: []want{
			{Key: crm.NotifyNewOpportunityAgent, Kind: notify.ToAgent, Recipient: agentA, Actor: creator, Contact: contactID, Opp: oppID},
		}},
		{name: "opportunity created with an assignee only", new: opportunity("", assignee, creator), want: []want{
			{Key: crm.NotifyNewOpportunityAssignee, Kind: notify.ToUser, Recipient: assignee, Actor: creator, Contact: contactID, Opp: oppID},
		}},
		{name: "opportunity created with neither", new: opportunity("", "", creator)},
		{name: "opportunity agent changed, assignee unchanged", old: opportunity(agentA, assignee, creator), new: opportunity(agentB, assignee, editor), want: []want{
			{Key: crm.NotifyNewOpportunityAgent, Kind: notify.ToAgent, Recipient: agentB, Actor: editor, Contact: contactID, Opp: oppID},
		}},
		{name: "opportunity assignee changed, agent unchanged", old: opportunity(agentA, assignee, creator), new: opportunity(agentA, assignee2, editor), want: []want{
			{Key: crm.NotifyNewOpportunityAssignee, Kind: notify.ToUser, Recipient: assignee2, Actor: editor, Contact: contactID, Opp: oppID},
		}},
		{name: "opportunity agent and assignee both changed", old: opportunity(agentA, assignee, creator), new: opportunity(agentB, assignee2, editor), want: []want{
			{Key: crm.NotifyNewOpportunityAgent, Kind: notify.ToAgent, Recipient: agentB, Actor: editor, Contact: contactID, Opp: oppID},
			{Key: crm.NotifyNewOpportunityAssignee, Kind: notify.ToUser, Recipient: assignee2, Actor: editor, Contact: contactID, Opp: oppID},
		}},
		{name: "opportunity agent and assignee unchanged", old: opportunity(agentA, assignee, creator), new: func() crm.Opportunity {
			o := opportunity(agentA, assignee, editor)
			o.Description, o.Version = "Tienda online y TPV", 2
			return o
		}()},
		{name: "opportunity agent and assignee cleared", old: opportunity(agentA, assignee, creator), new: opportunity("", "", editor)},
		{name: "opportunity assignee cleared, agent changed", old: opportunity(agentA, assignee, creator), new: opportunity(agentB, "", editor), want: []want{
			{Key: crm.NotifyNewOpportunityAgent, Kind: notify.ToAgent, Recipient: agentB, Actor: editor, Contact: contactID, Opp: oppID},
		}},
		{name: "opportunity deleted", old: opportunity(agentA, assignee, creator), new: nil},

		// new-opportunity-note
		{name: "team note on an opportunity", new: note(crm.ParentOpportunity, crm.VisibilityTeam), opp: &opp,
			want: around(crm.NotifyNewOpportunityNote, author, noteID, false)},
		{name: "team note on an opportunity whose creator is its assignee", new: note(crm.ParentOpportunity, crm.VisibilityTeam),
			opp: func() *crm.Opportunity { o := opportunity(agentA, creator, creator); return &o }(),
			want: []want{
				{Key: crm.NotifyNewOpportunityNote, Kind: notify.ToUser, Recipient: creator, Actor: author, Contact: contactID, Opp: oppID, Note: noteID},
				{Key: crm.NotifyNewOpportunityNote, Kind: notify.ToAgent, Recipient: agentA, Actor: author, Contact: contactID, Opp: oppID, Note: noteID},
			}},
		{name: "team note on an opportunity without agent or assignee", new: note(crm.ParentOpportunity, crm.VisibilityTeam),
			opp: func() *crm.Opportunity { o := opportunity("", "", creator); return &o }(),
			want: []want{
				{Key: crm.NotifyNewOpportunityNote, Kind: notify.ToUser, Recipient: creator, Actor: author, Contact: contactID, Opp: oppID, Note: noteID},
			}},
		{name: "private note on an opportunity", new: note(crm.ParentOpportunity, crm.VisibilityPrivate), opp: &opp},
		{name: "team note on a contact", new: note(crm.ParentContact, crm.VisibilityTeam), opp: &opp},
		{name: "team note on an opportunity edited", old: note(crm.ParentOpportunity, crm.VisibilityTeam), new: func() crm.Note {
			n := note(crm.ParentOpportunity, crm.VisibilityTeam)
			n.Text, n.Version = "Llamar el martes", 2
			return n
		}(), opp: &opp},
		{name: "private note made team", old: note(crm.ParentOpportunity, crm.VisibilityPrivate), new: note(crm.ParentOpportunity, crm.VisibilityTeam), opp: &opp},
		{name: "team note on an opportunity that is gone", new: note(crm.ParentOpportunity, crm.VisibilityTeam), opp: nil},
		{name: "team note deleted", old: note(crm.ParentOpportunity, crm.VisibilityTeam), new: nil, opp: &opp},

		// new-opportunity-file
		{name: "file on an opportunity becomes complete", old: file(crm.ParentOpportunity, crm.FilePending), new: file(crm.ParentOpportunity, crm.FileComplete), opp: &opp,
			want: around(crm.NotifyNewOpportunityFile, author, fileID, true)},
		{name: "file on an opportunity written complete at once", new: file(crm.ParentOpportunity, crm.FileComplete), opp: &opp,
			want: around(crm.NotifyNewOpportunityFile, author, fileID, true)},
		{name: "file on an opportunity already complete", old: file(crm.ParentOpportunity, crm.FileComplete), new: renamed(file(crm.ParentOpportunity, crm.FileComplete)), opp: &opp},
		{name: "file on an opportunity still pending", new: file(crm.ParentOpportunity, crm.FilePending), opp: &opp},
		{name: "file on a contact becomes complete", old: file(crm.ParentContact, crm.FilePending), new: file(crm.ParentContact, crm.FileComplete), opp: &opp},
		{name: "file deleted", old: file(crm.ParentOpportunity, crm.FileComplete), new: nil, opp: &opp},

		// items no notification is about
		{name: "quote created", new: crm.Quote{ID: "01QUOTE", OpportunityID: oppID, ContactID: contactID, CreatedBy: creator}, opp: &opp},
		{name: "lead received", new: crm.LeadRecord{ID: "01LEAD", ContactID: contactID, Outcome: crm.OutcomeCreated}},
		{name: "nothing", old: nil, new: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := project(notify.Rules(tc.old, tc.new, tc.opp))
			exp := slices.Clone(tc.want)
			sortWants(exp)
			if !slices.Equal(got, exp) {
				t.Errorf("Rules:\n got  %v\n want %v", got, exp)
			}
		})
	}
}

// The intents carry the images they are about, so an e-mail names the
// opportunity and quotes the note as they are in this change.
func TestRulesCarryTheChangedItems(t *testing.T) {
	o := opportunity(agentA, assignee, creator)
	n := note(crm.ParentOpportunity, crm.VisibilityTeam)
	intents := notify.Rules(nil, n, &o)
	intents = append(intents, notify.Rules(nil, o, nil)...)
	intents = append(intents, notify.Rules(nil, file(crm.ParentOpportunity, crm.FileComplete), &o)...)
	if len(intents) != 3+2+3 {
		t.Fatalf("%d intents, want 8: %+v", len(intents), intents)
	}
	for _, in := range notify.Rules(nil, n, &o) {
		if in.Note == nil || in.Note.Text != n.Text || in.Opportunity == nil || in.Opportunity.Number != o.Number || in.Opportunity.Description != o.Description {
			t.Errorf("note intent %+v does not carry the note and opportunity", in)
		}
	}
	for _, in := range notify.Rules(nil, o, nil) {
		if in.Opportunity == nil || in.Opportunity.Number != 7 || in.Opportunity.Description != "Tienda online" {
			t.Errorf("opportunity intent %+v does not carry the opportunity", in)
		}
	}
	f := file(crm.ParentOpportunity, crm.FileComplete)
	for _, in := range notify.Rules(nil, f, &o) {
		if in.File == nil || in.File.Name != "oferta.pdf" {
			t.Errorf("file intent %+v does not carry the file", in)
		}
	}
}
