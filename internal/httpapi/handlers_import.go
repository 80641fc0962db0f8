package httpapi

import (
	"net/http"

	"github.com/embudo/embudo/internal/crm"
)

type importRowFields struct {
	Line             int        `json:"line"`
	ID               string     `json:"id"`
	Name             string     `json:"name"`
	Surname          string     `json:"surname"`
	Email            string     `json:"email"`
	Phone            string     `json:"phone"`
	Mobile           string     `json:"mobile"`
	Company          string     `json:"company"`
	JobTitle         string     `json:"jobTitle"`
	TaxID            string     `json:"taxId"`
	Web              string     `json:"web"`
	Observations     string     `json:"observations"`
	Address          addressDTO `json:"address"`
	Source           string     `json:"source"`
	Interests        []string   `json:"interests"`
	MarketingConsent bool       `json:"marketingConsent"`
}

type importRequest struct {
	Rows []importRowFields `json:"rows"`
}

type importResult struct {
	Line      int               `json:"line"`
	Outcome   string            `json:"outcome"`
	ContactID string            `json:"contactId,omitempty"`
	Reason    string            `json:"reason,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
	Previous  string            `json:"previous,omitempty"`
}

type importResponse struct {
	Created   int            `json:"created"`
	Merged    int            `json:"merged"`
	Unchanged int            `json:"unchanged"`
	Rejected  int            `json:"rejected"`
	Results   []importResult `json:"results"`
}

// importContacts takes up to 500 rows of a contacts import and answers
// what happened to each (the CLI sends a file in such batches).
func (a *API) importContacts(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	var req importRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	rows := make([]crm.ImportRow, len(req.Rows))
	for i, x := range req.Rows {
		ad := x.Address
		rows[i] = crm.ImportRow{Line: x.Line, ID: x.ID, Name: x.Name, Surname: x.Surname, Email: x.Email, Phone: x.Phone, Mobile: x.Mobile,
			Company: x.Company, JobTitle: x.JobTitle, TaxID: x.TaxID, Web: x.Web, Observations: x.Observations,
			Address: crm.Address{Street: ad.Street, PostalCode: ad.PostalCode, City: ad.City, Province: ad.Province, Country: ad.Country},
			Source:  x.Source, Interests: x.Interests, MarketingConsent: x.MarketingConsent}
	}
	results, err := a.svc.ImportContacts(r.Context(), rows)
	if err != nil {
		return err
	}
	out := importResponse{Results: make([]importResult, len(results))}
	for i, res := range results {
		out.Results[i] = importResult{Line: res.Line, Outcome: string(res.Outcome), ContactID: res.ContactID, Reason: res.Reason, Fields: res.Fields, Previous: string(res.Previous)}
		switch res.Outcome {
		case crm.ImportCreated:
			out.Created++
		case crm.ImportMerged:
			out.Merged++
		case crm.ImportUnchanged:
			out.Unchanged++
		default:
			out.Rejected++
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
