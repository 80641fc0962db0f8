package webapp

import (
	"strings"
)

// fieldProblem is a problem the domain writes in a crm.Error's Fields
// (English, for the API) and the catalog key the app shows instead.
type fieldProblem struct {
	Prefix string // the domain's text, or its start (before a number)
	Key    string
}

// fieldProblemKeys are the domain's field problems a form meets, in the
// page's language; any other shows the domain's text.
var fieldProblemKeys = []fieldProblem{
	{Prefix: "is required", Key: "field.required"},
	{Prefix: "is not a valid e-mail address", Key: "field.email"},
	{Prefix: "is not a valid phone number", Key: "field.phone"},
	{Prefix: "must be an absolute http or https URL", Key: "field.url"},
	{Prefix: "must be a two-letter ISO 3166 country code", Key: "field.country"},
	{Prefix: "must be at most ", Key: "field.tooLong"},
	{Prefix: "is not a valid ID", Key: "field.choose"},
	{Prefix: "has an item that is not a valid ID", Key: "field.choose"},
	{Prefix: "only a team note can remind everyone", Key: "notes.remindAllPrivate"},
	{Prefix: "a reminder time needs its day", Key: "notes.avisoNeedsDay"},
	{Prefix: "must be a date like", Key: "field.date"},
	{Prefix: "must be a time like", Key: "field.time"},
	{Prefix: "must be an amount like", Key: "field.amount"},
}

// fieldProblems writes the field problems of a crm.Error (field → the
// domain's text) in the page's language, for the form to show next to
// each field.
func fieldProblems(p *Page, fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for field, msg := range fields {
		out[field] = msg
		for _, fp := range fieldProblemKeys {
			if strings.HasPrefix(msg, fp.Prefix) {
				out[field] = p.T(fp.Key)
				break
			}
		}
	}
	return out
}
