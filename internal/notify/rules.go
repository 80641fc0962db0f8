package notify

import (
	"github.com/embudo/embudo/internal/crm"
)

// RecipientKind says whether an intent's recipient is a user or an agent.
type RecipientKind string

// The kinds of recipient.
const (
	ToUser  RecipientKind = "user"
	ToAgent RecipientKind = "agent"
)

// Intent is one notification a change calls for: which key, to whom, about
// what. Service.Changed resolves the recipient, skips the actor, renders
// and sends it.
type Intent struct {
	Key         string
	Kind        RecipientKind
	RecipientID string
	Actor       string // the user who caused it ("" for a form or the system): never notified
	ContactID   string
	Opportunity *crm.Opportunity
	Note        *crm.Note
	File        *crm.File
}

// Rules returns the notifications a change of one item calls for, from its
// images before (old) and after (new): nil for an item that did not exist
// or no longer does. Pure: no I/O.
//
//   - new-contact-agent: a contact created with an agent, or whose agent changed to another one;
//   - new-opportunity-agent / new-opportunity-assignee: the same for an opportunity's agent and assignee;
//   - new-opportunity-file: a file on an opportunity became complete → its creator, agent and assignee;
//   - new-opportunity-note: a team note added to an opportunity → the same.
//
// notify-note is not here: Service.Reminder sends it at the aviso time.
func Rules(old, new crm.Entity, opp *crm.Opportunity) []Intent {
	switch n := new.(type) {
	case crm.Contact:
		o, _ := old.(crm.Contact)
		if n.AgentID != "" && (old == nil || o.AgentID != n.AgentID) {
			return []Intent{{Key: crm.NotifyNewContactAgent, Kind: ToAgent, RecipientID: n.AgentID, Actor: n.UpdatedBy, ContactID: n.ID}}
		}
	case crm.Opportunity:
		o, _ := old.(crm.Opportunity)
		var out []Intent
		if n.AgentID != "" && (old == nil || o.AgentID != n.AgentID) {
			out = append(out, Intent{Key: crm.NotifyNewOpportunityAgent, Kind: ToAgent, RecipientID: n.AgentID, Actor: n.UpdatedBy, ContactID: n.ContactID, Opportunity: &n})
		}
		if n.AssigneeID != "" && (old == nil || o.AssigneeID != n.AssigneeID) {
			out = append(out, Intent{Key: crm.NotifyNewOpportunityAssignee, Kind: ToUser, RecipientID: n.AssigneeID, Actor: n.UpdatedBy, ContactID: n.ContactID, Opportunity: &n})
		}
		return out
	case crm.Note:
		if old != nil || n.ParentKind != crm.ParentOpportunity || n.Visibility != crm.VisibilityTeam || opp == nil {
			return nil
		}
		return around(crm.NotifyNewOpportunityNote, *opp, n.CreatedBy, func(i *Intent) { i.Note = &n })
	case crm.File:
		o, _ := old.(crm.File)
		if n.Status != crm.FileComplete || (old != nil && o.Status == crm.FileComplete) || n.ParentKind != crm.ParentOpportunity || opp == nil {
			return nil
		}
		return around(crm.NotifyNewOpportunityFile, *opp, n.UploadedBy, func(i *Intent) { i.File = &n })
	}
	return nil
}

// around addresses an opportunity's creator, assignee (users) and agent.
func around(key string, o crm.Opportunity, actor string, set func(*Intent)) []Intent {
	var out []Intent
	seen := map[string]bool{}
	add := func(k RecipientKind, id string) {
		if id == "" || seen[string(k)+id] {
			return
		}
		seen[string(k)+id] = true
		i := Intent{Key: key, Kind: k, RecipientID: id, Actor: actor, ContactID: o.ContactID, Opportunity: &o}
		set(&i)
		out = append(out, i)
	}
	add(ToUser, o.CreatedBy)
	add(ToUser, o.AssigneeID)
	add(ToAgent, o.AgentID)
	return out
}
