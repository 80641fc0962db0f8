package notify

import (
	"context"

	"github.com/embudo/embudo/internal/crm"
)

// recipient is who an e-mail goes to.
type recipient struct {
	UserID string // the user behind it ("" for an agent without one)
	Name   string
	Email  string
	Lang   string
	Active bool
}

// resolve finds an intent's recipient: a user, or an agent (whose language
// is its user's, if it has one).
func (s *Service) resolve(ctx context.Context, k RecipientKind, id string) (recipient, error) {
	if k == ToUser {
		u, err := s.Store.GetUser(ctx, id)
		if err != nil {
			return recipient{}, err
		}
		return recipient{UserID: u.ID, Name: u.Name, Email: u.Email, Lang: u.Lang, Active: u.Active}, nil
	}
	a, err := s.Store.GetAgent(ctx, id)
	if err != nil {
		return recipient{}, err
	}
	r := recipient{UserID: a.UserID, Name: a.Name, Email: a.Email, Lang: crm.LangES, Active: a.Active}
	if a.UserID != "" {
		if u, err := s.Store.GetUser(ctx, a.UserID); err == nil {
			r.Lang = u.Lang
			if r.Email == "" {
				r.Email = u.Email
			}
		}
	}
	return r, nil
}

// reminded returns who a note's reminder goes to: its author, or every
// user when a team note reminds everyone (those inactive or without an
// e-mail are skipped when sending). An author who is gone is no one.
// Errors: internal.
func (s *Service) reminded(ctx context.Context, n crm.Note) ([]crm.User, error) {
	if n.RemindAll && n.Visibility == crm.VisibilityTeam {
		p, err := s.Store.ListUsers(ctx, crm.ListOptions{Limit: 1000})
		if err != nil {
			return nil, err
		}
		return p.Items, nil
	}
	u, err := s.Store.GetUser(ctx, n.CreatedBy)
	if err == nil {
		return []crm.User{u}, nil
	}
	if crm.ErrorCode(err) != crm.CodeNotFound {
		return nil, err
	}
	return nil, nil
}

// about names the record an e-mail is about (its opportunity, else its
// contact) and its recipient user, for the reply address; zero when the
// recipient is no user (an agent without one can write no note).
func about(in Intent, r recipient) crm.EmailAbout {
	switch {
	case r.UserID == "":
		return crm.EmailAbout{}
	case in.Opportunity != nil:
		return crm.EmailAbout{Kind: crm.ParentOpportunity, ID: in.Opportunity.ID, UserID: r.UserID}
	case in.ContactID != "":
		return crm.EmailAbout{Kind: crm.ParentContact, ID: in.ContactID, UserID: r.UserID}
	}
	return crm.EmailAbout{}
}
