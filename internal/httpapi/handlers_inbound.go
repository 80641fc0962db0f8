package httpapi

import (
	"net/http"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// rejectedEmailRes is a refused inbound e-mail as the admin's list shows it.
type rejectedEmailRes struct {
	ID         string    `json:"id"`
	ReceivedAt time.Time `json:"receivedAt"`
	Reason     string    `json:"reason"`
	From       string    `json:"from,omitempty"`
	To         string    `json:"to,omitempty"`
	Subject    string    `json:"subject,omitempty"`
	MessageID  string    `json:"messageId,omitempty"`
	Raw        string    `json:"raw,omitempty"`    // where the message is kept as received: its key in the files store
	RawURL     string    `json:"rawUrl,omitempty"` // a short-lived URL to download it
}

type rejectedEmailList struct {
	Items      []rejectedEmailRes `json:"items"`
	NextCursor string             `json:"nextCursor,omitempty"`
}

// listRejectedEmails is GET /v1/inbound/rejected: the e-mail sent to the
// inbound address that became no note, newest first, with the reason.
func (a *API) listRejectedEmails(w http.ResponseWriter, r *http.Request, actor crm.User) error {
	o, err := listOptions(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.svc.RejectedEmails(r.Context(), actor, o)
	if err != nil {
		return err
	}
	out := rejectedEmailList{Items: make([]rejectedEmailRes, 0, len(p.Items)), NextCursor: p.NextCursor}
	for _, rec := range p.Items {
		x := rec.Extra
		item := rejectedEmailRes{ID: rec.ID, ReceivedAt: rec.ReceivedAt, Reason: x[crm.RejectReason], From: x[crm.RejectFrom],
			To: x[crm.RejectTo], Subject: x[crm.RejectSubject], MessageID: x[crm.RejectMessageID], Raw: x[crm.RejectRaw]}
		if item.Raw != "" {
			if u, _, err := a.svc.EmailRawURL(r.Context(), item.Raw); err == nil {
				item.RawURL = u
			}
		}
		out.Items = append(out.Items, item)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
