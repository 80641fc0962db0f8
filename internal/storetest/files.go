package storetest

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

var fileTests = []test{
	{"ReadBackAsWrittenAndMissingIsNotFound", testFileRoundTrip},
	{"ListFilesOnlyCompleteNewestFirst", testListFiles},
}

// testFileRoundTrip: every field of a file record is kept, pending or not.
func testFileRoundTrip(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	c := f.contact(crm.Contact{})
	fl := f.file(crm.File{ParentKind: crm.ParentContact, ParentID: c.ID, ContactID: c.ID, Name: "presupuesto.pdf",
		ContentType: "application/pdf", Size: 123456, Status: crm.FilePending, UploadedBy: actor.ID})
	same(t, "pending file", must(st.GetFile(ctx, fl.ID))(t), fl)
	next := fl
	next.Status = crm.FileComplete
	bumped(&next.Version, &next.UpdatedAt)
	f.commit(crm.Batch{Files: []crm.Write[crm.File]{{Old: fl, New: next}}})
	same(t, "complete file", must(st.GetFile(ctx, fl.ID))(t), next)
	_, err := st.GetFile(ctx, newID())
	wantCode(t, err, crm.CodeNotFound)
}

// testListFiles: a parent's files are listed once complete, newest first,
// in pages; a deleted one is gone.
func testListFiles(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	s, c := f.state(crm.State{}), f.contact(crm.Contact{})
	o := f.opportunity(crm.Opportunity{ContactID: c.ID, StateID: s.ID})
	var files []crm.File
	for i := range 6 {
		status := crm.FileComplete
		if i == 2 {
			status = crm.FilePending
		}
		files = append(files, f.file(crm.File{ParentKind: crm.ParentContact, ParentID: c.ID, ContactID: c.ID, Status: status}))
	}
	onOpp := f.file(crm.File{ParentKind: crm.ParentOpportunity, ParentID: o.ID, ContactID: c.ID})
	f.file(crm.File{ParentKind: crm.ParentOpportunity, ParentID: o.ID, ContactID: c.ID, Status: crm.FilePending})
	list := func(k crm.ParentKind, id string) func(crm.ListOptions) (crm.Page[crm.File], error) {
		return func(opts crm.ListOptions) (crm.Page[crm.File], error) { return st.ListFiles(ctx, k, id, opts) }
	}
	fs := files
	walk(t, "files of the contact", fileID, ids([]crm.File{fs[5], fs[4], fs[3], fs[1], fs[0]}, fileID), list(crm.ParentContact, c.ID))
	walk(t, "files of the opportunity", fileID, []string{onOpp.ID}, list(crm.ParentOpportunity, o.ID))

	done := fs[2]
	done.Status = crm.FileComplete
	bumped(&done.Version, &done.UpdatedAt)
	f.commit(crm.Batch{Files: []crm.Write[crm.File]{{Old: fs[2], New: done}, {Old: fs[4], Delete: true}}})
	walk(t, "files after a completion and a delete", fileID, ids([]crm.File{fs[5], fs[3], done, fs[1], fs[0]}, fileID), list(crm.ParentContact, c.ID))
	for _, bad := range badCursors {
		refusesCursor(t, "files", bad, list(crm.ParentContact, c.ID))
	}
}
