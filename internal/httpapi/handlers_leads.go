package httpapi

import (
	"net/http"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// leadDataDTO is what a lead posted for its contact.
type leadDataDTO struct {
	Name             string     `json:"name"`
	Surname          string     `json:"surname"`
	Email            string     `json:"email"`
	Phone            string     `json:"phone"`
	Mobile           string     `json:"mobile"`
	TaxID            string     `json:"taxId"`
	Company          string     `json:"company"`
	JobTitle         string     `json:"jobTitle"`
	Web              string     `json:"web"`
	Address          addressDTO `json:"address"`
	Interests        []string   `json:"interests"`
	MarketingConsent bool       `json:"marketingConsent"`
}

// leadRecordResponse is one lead of a contact as the API shows it.
type leadRecordResponse struct {
	ID            string            `json:"id"`
	SourceID      string            `json:"sourceId"`
	Format        string            `json:"format"`
	ExternalID    string            `json:"externalId"`
	Outcome       string            `json:"outcome"`
	ContactID     string            `json:"contactId"`
	OpportunityID string            `json:"opportunityId"`
	ReceivedAt    time.Time         `json:"receivedAt"`
	Data          leadDataDTO       `json:"data"`
	Message       string            `json:"message"`
	Attribution   attributionDTO    `json:"attribution"`
	Extra         map[string]string `json:"extra"`
}

func leadRecordToResponse(r crm.LeadRecord) leadRecordResponse {
	d, a, t := r.Data, r.Data.Address, r.Attribution
	extra := r.Extra
	if extra == nil {
		extra = map[string]string{}
	}
	interests := append([]string{}, d.Interests...)
	return leadRecordResponse{ID: r.ID, SourceID: r.SourceID, Format: string(r.Format), ExternalID: r.ExternalID,
		Outcome: string(r.Outcome), ContactID: r.ContactID, OpportunityID: r.OpportunityID, ReceivedAt: r.ReceivedAt,
		Data: leadDataDTO{Name: d.Name, Surname: d.Surname, Email: d.Email, Phone: d.Phone, Mobile: d.Mobile, TaxID: d.TaxID,
			Company: d.Company, JobTitle: d.JobTitle, Web: d.Web, Address: addressDTO{a.Street, a.PostalCode, a.City, a.Province, a.Country},
			Interests: interests, MarketingConsent: d.MarketingConsent},
		Message: r.Message, Extra: extra,
		Attribution: attributionDTO{t.UTMSource, t.UTMMedium, t.UTMCampaign, t.UTMTerm, t.UTMContent, t.GCLID, t.FBCLID, t.LandingPage, t.Referrer}}
}

// contactLeads is GET /v1/contacts/{id}/leads: the leads that created the
// contact or were merged into it, newest first, with what each posted.
func (a *API) contactLeads(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	o, err := listOptions(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.svc.ContactLeads(r.Context(), r.PathValue("id"), o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(p, leadRecordToResponse))
	return nil
}
