package crm

// Entity is a stored value whose changes have side effects: a Contact,
// Opportunity, Note, File, Quote or LeadRecord. The set is closed (the
// method is unexported), so the change core's switches cover every case.
type Entity interface {
	changeKind() string
}

func (Contact) changeKind() string     { return "contact" }
func (Opportunity) changeKind() string { return "opportunity" }
func (Note) changeKind() string        { return "note" }
func (File) changeKind() string        { return "file" }
func (Quote) changeKind() string       { return "quote" }
func (LeadRecord) changeKind() string  { return "lead" }

// EntityKind names the kind of e ("contact", "opportunity", "note", "file",
// "quote", "lead"), or "" for nil.
func EntityKind(e Entity) string {
	if e == nil {
		return ""
	}
	return e.changeKind()
}

// Change is one write of one entity, as every store reports it to the change
// core: Old is nil for a creation, New nil for a deletion. ID identifies the
// change for good (the DynamoDB stream record's event ID, or the embedded
// store's outbox sequence), so that effects keyed by it happen once however
// often the change is delivered.
type Change struct {
	ID  string
	Old Entity
	New Entity
}
