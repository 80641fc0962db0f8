package webapp

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/embudo/embudo/internal/crm"
)

// The notes, files and timeline blocks a record's page shows (a contact's,
// an opportunity's): templates/_blocks.html draws them, this file reads
// them, page_notes.go and page_files.go take their forms. A page that
// shows them registers itself as the page of its kind of parent
// (addParentPage), so that a note refused for its fields is shown again on
// that page, next to the fields, and a note or file added goes back to it.

// blockPage is how many notes or timeline entries a block shows at once;
// "more" shows the next ones.
const blockPage = 50

// parentPage is the page of one kind of parent that shows the blocks.
type parentPage struct {
	// path is the page's path for a parent's ID (/app/contacts/{id}).
	path func(id string) string
	// show renders the page of parent id with status, its note form as
	// note holds it (what was typed and the field errors).
	show func(a *app, w http.ResponseWriter, r *http.Request, p *Page, id string, status int, note noteForm)
}

// parentPages are the pages that show the blocks, by the kind of parent.
var parentPages = map[crm.ParentKind]parentPage{}

// addParentPage registers the page of a kind of parent; a page file calls
// it from init. A kind registered twice is a programming error and panics.
func addParentPage(k crm.ParentKind, pp parentPage) {
	if _, dup := parentPages[k]; dup {
		panic("webapp: the page of parent kind " + string(k) + " is registered twice")
	}
	parentPages[k] = pp
}

// parentPath is the page of a note's or file's parent; a parent whose kind
// has no page (a note on a client) goes to the contact it concerns.
func parentPath(k crm.ParentKind, id, contactID string) string {
	if pp, ok := parentPages[k]; ok {
		return pp.path(id)
	}
	if contactID != "" {
		return "/app/contacts/" + url.PathEscape(contactID)
	}
	return "/app/"
}

// blocks are the three blocks of one parent, as its page's data carries
// them to the partials ({{template "notes" .Data.Blocks}}).
type blocks struct {
	Kind     crm.ParentKind
	ID       string
	CSRF     string // the session's CSRF token, for the blocks' forms
	Notes    notesBlock
	Files    filesBlock
	Timeline timelineBlock
}

// notesBlock is the notes of a parent the user may read, newest first,
// and the form that adds one.
type notesBlock struct {
	Items     []noteItem
	MoreURL   string // the next notes ("" for none)
	Form      noteForm
	Interests []crm.Interest // the form's interest choices
}

// noteItem is a note as the block shows it: its text, its author's name,
// its times as the page's language writes them, and whether the user may
// delete it (its author; an admin, a team note). The items of the blocks
// are flat structs of what the template prints, so that executing it
// looks up no promoted field (reflect's slow path) and calls no function
// per item: a contact's page lists up to 150 of them.
type noteItem struct {
	ID, Text, Author string
	Created          string // when it was written
	Aviso            string // when it reminds ("" for no reminder)
	Private          bool   // only its author sees it
	RemindAll        bool
	Deletable        bool
}

// filesBlock is the complete files of a parent and the upload form.
type filesBlock struct {
	Items   []fileItem
	MoreURL string
	// Enabled is false where no file storage is configured: the form is
	// not shown.
	Enabled bool
}

// fileItem is a file as the block lists it: its name and what the line
// says of it (size, uploader, day).
type fileItem struct {
	ID, Name, Meta string
}

// sizeText writes a file's size: 812 B, 14 KB, 2,5 MB (2.5 MB in English).
func sizeText(lang string, n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1000*1000:
		return strconv.FormatInt((n+999)/1000, 10) + " KB"
	}
	s := strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64)
	if lang != crm.LangEN {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " MB"
}

// timelineBlock is the history of the contact a parent concerns that the
// user may see, newest first.
type timelineBlock struct {
	Items   []timelineEntry
	MoreURL string
}

// timelineEntry is a timeline item as the page writes it, in its
// language: when, what happened, who did it, and the page about it.
type timelineEntry struct {
	Kind    crm.TimelineKind
	When    string
	Text    string
	By      string // "by Ana" ("" for the system)
	Link    string // "" for none
	Private bool   // only one user (the note's author) sees it
}

// blockCursors are the cursors of the blocks' "more" links, read from the
// page's query: notes=, files= and timeline=.
type blockCursors struct{ Notes, Files, Timeline string }

// readBlockCursors reads the blocks' cursors from a page's query.
func readBlockCursors(q url.Values) blockCursors {
	return blockCursors{Notes: q.Get("notes"), Files: q.Get("files"), Timeline: q.Get("timeline")}
}

// blocks reads the three blocks of parent (k, id) for the page's user:
// the notes they may read (with form as the note form), the files, and
// the timeline of contactID (the parent's contact: the parent itself for
// a contact). A cursor that is no block's shows that block's first page.
// Errors: not_found (the parent), internal.
func (a *app) blocks(ctx context.Context, p *Page, k crm.ParentKind, id, contactID string, cur blockCursors, form noteForm) (blocks, error) {
	b := blocks{Kind: k, ID: id, CSRF: p.CSRF}
	path := parentPath(k, id, contactID)
	var (
		wg                   sync.WaitGroup
		errN, errF, errT     error
		notes                crm.Page[crm.Note]
		files                crm.Page[crm.File]
		timeline             crm.Page[crm.TimelineItem]
		lists                catalogLists
		errL                 error
		readNotes, readFiles = cur.Notes, cur.Files
	)
	wg.Go(func() {
		notes, errN = a.svc.ListNotes(ctx, p.User, k, id, crm.ListOptions{Limit: blockPage, Cursor: readNotes})
		if crm.ErrorCode(errN) == crm.CodeInvalid && readNotes != "" {
			notes, errN = a.svc.ListNotes(ctx, p.User, k, id, crm.ListOptions{Limit: blockPage})
		}
	})
	wg.Go(func() {
		files, errF = a.svc.ListFiles(ctx, k, id, crm.ListOptions{Limit: blockPage, Cursor: readFiles})
		if crm.ErrorCode(errF) == crm.CodeInvalid && readFiles != "" {
			files, errF = a.svc.ListFiles(ctx, k, id, crm.ListOptions{Limit: blockPage})
		}
	})
	wg.Go(func() {
		if contactID == "" {
			return
		}
		timeline, errT = a.svc.Timeline(ctx, p.User, contactID, crm.ListOptions{Limit: blockPage, Cursor: cur.Timeline})
		if crm.ErrorCode(errT) == crm.CodeInvalid && cur.Timeline != "" {
			timeline, errT = a.svc.Timeline(ctx, p.User, contactID, crm.ListOptions{Limit: blockPage})
		}
	})
	wg.Go(func() { lists, errL = a.lists(ctx) })
	wg.Wait()
	for _, err := range []error{errN, errF, errT, errL} {
		if err != nil {
			return b, err
		}
	}
	var authors []string
	for _, n := range notes.Items {
		authors = append(authors, n.CreatedBy)
	}
	for _, f := range files.Items {
		authors = append(authors, f.UploadedBy)
	}
	names, err := a.userNames(ctx, authors)
	if err != nil {
		return b, err
	}
	f := formats{lang: p.Lang, tz: a.svc.TimeZone()}
	for _, n := range notes.Items {
		it := noteItem{ID: n.ID, Text: n.Text, Author: names[n.CreatedBy], Created: f.dateTime(n.CreatedAt),
			Private: n.Visibility == crm.VisibilityPrivate, RemindAll: n.RemindAll,
			Deletable: n.CreatedBy == p.User.ID || (p.User.IsAdmin() && n.Visibility == crm.VisibilityTeam)}
		if n.AvisoAt != nil {
			it.Aviso = f.dateTime(*n.AvisoAt)
		}
		b.Notes.Items = append(b.Notes.Items, it)
	}
	b.Notes.MoreURL = moreURL(path, "notes", notes.NextCursor)
	b.Notes.Form, b.Notes.Interests = form, lists.Interests
	if b.Notes.Form.Visibility == "" {
		b.Notes.Form.Visibility = string(crm.VisibilityTeam)
	}
	for _, fl := range files.Items {
		b.Files.Items = append(b.Files.Items, fileItem{ID: fl.ID, Name: fl.Name,
			Meta: sizeText(p.Lang, fl.Size) + " · " + names[fl.UploadedBy] + " · " + f.date(fl.CreatedAt)})
	}
	b.Files.MoreURL = moreURL(path, "files", files.NextCursor)
	b.Files.Enabled = a.svc.FilesEnabled()
	for _, it := range timeline.Items {
		b.Timeline.Items = append(b.Timeline.Items, timelineEntryOf(p, f, it))
	}
	b.Timeline.MoreURL = moreURL(path, "timeline", timeline.NextCursor)
	return b, nil
}

// moreURL is the page at path showing a block's next items from cursor,
// scrolled to the block ("" when there are no more).
func moreURL(path, block, cursor string) string {
	if cursor == "" {
		return ""
	}
	return path + "?" + url.Values{block: {cursor}}.Encode() + "#" + block
}

// userNames names the users of ids (repeats read once; one that is gone
// is named ""). Errors: internal.
func (a *app) userNames(ctx context.Context, ids []string) (map[string]string, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		if id == "" {
			continue
		}
		u, err := a.svc.GetUser(ctx, id)
		switch crm.ErrorCode(err) {
		case "":
			out[id] = u.Name
		case crm.CodeNotFound, crm.CodeInvalid:
		default:
			return nil, err
		}
	}
	return out, nil
}

// timelineEntryOf writes an entry in the page's language (f) and links it
// to the page about it.
func timelineEntryOf(p *Page, f formats, it crm.TimelineItem) timelineEntry {
	e := timelineEntry{Kind: it.Kind, When: f.dateTime(it.At), Private: it.PrivateTo != ""}
	if it.ActorName != "" {
		e.By = p.T("timeline.by", it.ActorName)
	}
	switch it.Kind {
	case crm.TimelineCreated:
		e.Text = p.T("timeline.created")
	case crm.TimelineLead:
		e.Text = p.T("timeline.lead", it.Summary)
	case crm.TimelineAssigned:
		e.Text = p.T("timeline.assigned", it.Summary)
	case crm.TimelineConverted:
		if it.Summary == string(crm.PartySupplier) {
			e.Text = p.T("timeline.convertedSupplier")
		} else {
			e.Text = p.T("timeline.convertedClient")
		}
	case crm.TimelineOpportunity:
		e.Text = p.T("timeline.opportunity", it.Summary)
	case crm.TimelineState:
		e.Text = p.T("timeline.state", it.Summary)
	case crm.TimelineNote:
		e.Text = p.T("timeline.note", it.Summary)
	case crm.TimelineFile:
		e.Text = p.T("timeline.file", it.Summary)
	case crm.TimelineQuote:
		e.Text = p.T("timeline.quote", it.Summary)
	default:
		e.Text = it.Summary
	}
	switch it.RefKind {
	case "opportunity":
		e.Link = "/app/opportunities/" + url.PathEscape(it.RefID)
	case "file":
		e.Link = "/app/files/" + url.PathEscape(it.RefID)
	}
	return e
}
