package webapp

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/embudo/embudo/internal/crm"
)

// contactForm is the contact form (new and edit): the fields as typed,
// their inputs named as the domain names the fields (so that a
// crm.Error's Fields land next to them: "email", "address.city"), the
// version the contact was read at, and what went wrong.
type contactForm struct {
	ID      string // "" for a new contact
	Version int    // the version shown (If-Match of the save)

	Name, Surname, Company, JobTitle            string
	Email, Phone, Mobile, TaxID, Web            string
	Street, PostalCode, City, Province, Country string
	Observations, SourceID, AgentID, Lang       string
	InterestIDs                                 []string
	MarketingConsent                            bool

	Errors    map[string]string         // field → problem, in the page's language
	Duplicate struct{ ID, Name string } // the contact with the same e-mail or phone
	Problem   string                    // a catalog key saying what else went wrong
}

// HasInterest reports whether the form has the interest id ticked.
func (f contactForm) HasInterest(id string) bool { return slices.Contains(f.InterestIDs, id) }

// readContactForm reads the contact form of a POST.
func readContactForm(r *http.Request) contactForm {
	v := func(k string) string { return r.PostFormValue(k) }
	version, _ := strconv.Atoi(v("version"))
	return contactForm{Version: version,
		Name: v("name"), Surname: v("surname"), Company: v("company"), JobTitle: v("jobTitle"),
		Email: v("email"), Phone: v("phone"), Mobile: v("mobile"), TaxID: v("taxId"), Web: v("web"),
		Street: v("address.street"), PostalCode: v("address.postalCode"), City: v("address.city"),
		Province: v("address.province"), Country: v("address.country"),
		Observations: v("observations"), SourceID: v("sourceId"), AgentID: v("agentId"), Lang: v("lang"),
		InterestIDs: r.PostForm["interestIds"], MarketingConsent: v("marketingConsent") != ""}
}

// contactFormOf is the form filled with a contact.
func contactFormOf(c crm.Contact) contactForm {
	return contactForm{ID: c.ID, Version: c.Version,
		Name: c.Name, Surname: c.Surname, Company: c.Company, JobTitle: c.JobTitle,
		Email: c.Email, Phone: c.Phone, Mobile: c.Mobile, TaxID: c.TaxID, Web: c.Web,
		Street: c.Address.Street, PostalCode: c.Address.PostalCode, City: c.Address.City,
		Province: c.Address.Province, Country: c.Address.Country,
		Observations: c.Observations, SourceID: c.SourceID, AgentID: c.AgentID, Lang: c.Lang,
		InterestIDs: c.InterestIDs, MarketingConsent: c.MarketingConsent}
}

// apply writes the form's fields onto c, leaving the rest (its client or
// supplier, its attribution) as it is.
func (f contactForm) apply(c *crm.Contact) {
	c.Name, c.Surname, c.Company, c.JobTitle = f.Name, f.Surname, f.Company, f.JobTitle
	c.Email, c.Phone, c.Mobile, c.TaxID, c.Web = f.Email, f.Phone, f.Mobile, f.TaxID, f.Web
	c.Address = crm.Address{Street: f.Street, PostalCode: f.PostalCode, City: f.City, Province: f.Province, Country: f.Country}
	c.Observations, c.SourceID, c.AgentID, c.Lang = f.Observations, f.SourceID, f.AgentID, f.Lang
	c.InterestIDs, c.MarketingConsent = slices.Clone(f.InterestIDs), f.MarketingConsent
}

// formInput is one text input of a form: its name (the domain's field),
// label, value, type, length limit, autocomplete and the problem with it.
type formInput struct {
	Name, Label, Value, Type string
	Max                      int
	Auto                     string
	Required                 bool
	Error                    string
}

// inputs are the form's text inputs, labelled in the page's language.
func (f contactForm) inputs(p *Page) []formInput {
	in := func(name, label, value, typ string, max int, auto string) formInput {
		return formInput{Name: name, Label: label, Value: value, Type: typ, Max: max, Auto: auto, Error: f.Errors[name]}
	}
	name := in("name", p.T("contact.name"), f.Name, "text", crm.MaxNameLen, "given-name")
	name.Required = true
	return []formInput{name,
		in("surname", p.T("contact.surname"), f.Surname, "text", crm.MaxNameLen, "family-name"),
		in("company", p.T("contact.company"), f.Company, "text", crm.MaxShortTextLen, "organization"),
		in("jobTitle", p.T("contact.jobTitle"), f.JobTitle, "text", crm.MaxShortTextLen, "organization-title"),
		in("email", p.T("contact.email"), f.Email, "email", 254, "email"),
		in("phone", p.T("contact.phone"), f.Phone, "tel", 40, "tel"),
		in("mobile", p.T("contact.mobile"), f.Mobile, "tel", 40, "tel"),
		in("taxId", p.T("contact.taxId"), f.TaxID, "text", 32, "off"),
		in("web", p.T("contact.web"), f.Web, "url", crm.MaxURLLen, "url"),
		in("address.street", p.T("contact.street"), f.Street, "text", crm.MaxShortTextLen, "street-address"),
		in("address.postalCode", p.T("contact.postalCode"), f.PostalCode, "text", 20, "postal-code"),
		in("address.city", p.T("contact.city"), f.City, "text", crm.MaxShortTextLen, "address-level2"),
		in("address.province", p.T("contact.province"), f.Province, "text", crm.MaxShortTextLen, "address-level1"),
		in("address.country", p.T("contact.country"), f.Country, "text", 2, "country"),
	}
}
