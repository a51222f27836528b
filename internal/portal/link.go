package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/outbound"
)

// What a one-time link does.
const (
	LinkSignIn  = "signin"  // signs the contact in
	LinkInvite  = "invite"  // signs an invited (or approved) contact in to choose a password
	LinkConfirm = "confirm" // confirms a registration's address and creates the account
)

// linkLifetimes are how long each kind of link works: a sign-in link
// only while its mail is fresh, an invitation for a week.
var linkLifetimes = map[string]time.Duration{
	LinkSignIn:  20 * time.Minute,
	LinkInvite:  7 * 24 * time.Hour,
	LinkConfirm: 24 * time.Hour,
}

// LetterLink is the name outbound knows the portal's link letters by.
const LetterLink = "portal.link"

// linkRef is what a link letter's job names.
type linkRef struct {
	LinkID int64  `json:"link_id"`
	Text   string `json:"text"` // which letter: textSignIn, textInvite, …
}

// link is a stored one-time link.
type link struct {
	id                         int64
	purpose, email, name, lang string
	salt                       string
	contactID                  *int64
	createdAt, expiresAt       time.Time
	usedAt                     *time.Time
}

// sendLink records a new link and, in the same transaction, the letter
// that carries it.
func (s *Service) sendLink(ctx context.Context, tx *sql.Tx, purpose, text string, contactID *int64, email, name, lang string) error {
	now := s.now()
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO portal_links (purpose, contact_id, email, name, language, salt, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		purpose, contactID, email, name, lang, randomSalt(), now, now.Add(linkLifetimes[purpose])).Scan(&id)
	if err != nil {
		return fmt.Errorf("record %s link: %w", purpose, err)
	}
	return outbound.EnqueueLetter(ctx, s.jobs, tx, LetterLink, "portal-link-"+strconv.FormatInt(id, 10),
		linkRef{LinkID: id, Text: text})
}

func (s *Service) linkToken(l link) string {
	return idToken(l.id, s.mac("link", strconv.FormatInt(l.id, 10), l.purpose, l.salt))
}

// LinkURL is the address a link's mail shows.
func (s *Service) linkURL(l link) string {
	return s.cfg.BaseURL + "/portal/link/" + s.linkToken(l)
}

func loadLink(ctx context.Context, q db.Queryer, id int64) (link, error) {
	l := link{id: id}
	err := q.QueryRowContext(ctx, `SELECT purpose, contact_id, email, name, language, salt, created_at, expires_at, used_at
		FROM portal_links WHERE id = $1`, id).
		Scan(&l.purpose, &l.contactID, &l.email, &l.name, &l.lang, &l.salt, &l.createdAt, &l.expiresAt, &l.usedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return l, refuse(RefusedLinkBad)
	}
	if err != nil {
		return l, fmt.Errorf("load link %d: %w", id, err)
	}
	return l, nil
}

// checkLink finds the link a token names and checks that it still works:
// a token Linedesk did not sign, a used link and an expired one are each
// refused with their reason.
func (s *Service) checkLink(ctx context.Context, q db.Queryer, token string) (link, error) {
	id, mac, ok := splitIDToken(token)
	if !ok {
		return link{}, refuse(RefusedLinkBad)
	}
	l, err := loadLink(ctx, q, id)
	if err != nil {
		return l, err
	}
	switch {
	case !macOK(mac, s.mac("link", strconv.FormatInt(l.id, 10), l.purpose, l.salt)):
		return l, refuse(RefusedLinkBad)
	case l.usedAt != nil:
		return l, refuse(RefusedLinkUsed)
	case !s.now().Before(l.expiresAt):
		return l, refuse(RefusedLinkStale)
	}
	return l, nil
}

// LinkInfo is what the page in front of a link shows before it is used.
type LinkInfo struct {
	Purpose string
	Email   string
}

// PeekLink checks a link without using it: mail scanners open links
// before people do, so a link is used only by the button on its page.
func (s *Service) PeekLink(ctx context.Context, token string) (LinkInfo, error) {
	l, err := s.checkLink(ctx, s.db.R, token)
	if err != nil {
		return LinkInfo{}, err
	}
	return LinkInfo{Purpose: l.purpose, Email: l.email}, nil
}

// LinkResult is a used link: the account it signs in (when Signed), and
// whether the customer should choose a password now.
type LinkResult struct {
	Account      Account
	Purpose      string
	Signed       bool // the account may sign in; false while it waits for approval
	NeedPassword bool
}

// UseLink uses a one-time link: it works once, within its lifetime, for
// the contact it was made for. A confirmation creates the contact (when
// the address is new) and its account, which waits for approval when the
// settings say so.
func (s *Service) UseLink(ctx context.Context, token string) (LinkResult, error) {
	var res LinkResult
	var l link
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if l, err = s.checkLink(ctx, tx, token); err != nil {
			return err
		}
		used, err := tx.ExecContext(ctx, `UPDATE portal_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL`, l.id, s.now())
		if err != nil {
			return fmt.Errorf("use link %d: %w", l.id, err)
		}
		if n, _ := used.RowsAffected(); n != 1 {
			return refuse(RefusedLinkUsed)
		}
		if l.purpose == LinkConfirm {
			id, err := s.confirm(ctx, tx, l)
			l.contactID = &id
			return err
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	if l.contactID == nil {
		return res, refuse(RefusedLinkBad)
	}
	res.Purpose = l.purpose
	a, err := s.Access(ctx, *l.contactID)
	var r *Refusal
	if errors.As(err, &r) && r.Why == RefusedPending {
		res.Account, err = s.FindAccount(ctx, *l.contactID)
		return res, err
	}
	if err != nil {
		return res, err
	}
	res.Account, res.Signed, res.NeedPassword = a, true, !a.HasPassword
	return res, s.signedIn(ctx, a.ContactID)
}

// confirm turns a confirmed registration into a contact with an account
// and returns the contact.
func (s *Service) confirm(ctx context.Context, tx *sql.Tx, l link) (int64, error) {
	c, err := s.dir.ResolveContact(ctx, tx, l.email, l.name)
	if err != nil {
		return 0, err
	}
	if c.Blocked {
		return 0, refuse(RefusedBlocked)
	}
	st, err := findSettings(ctx, tx)
	if err != nil {
		return 0, err
	}
	state := StateActive
	if st.Approval {
		state = StatePending
	}
	now := s.now()
	res, err := tx.ExecContext(ctx, `
		INSERT INTO portal_accounts (contact_id, state, origin, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
		ON CONFLICT (contact_id) DO NOTHING`, c.ID, state, OriginRegistered, now)
	if err != nil {
		return 0, fmt.Errorf("create portal account of contact %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 1 && slices.Contains(directory.Languages, l.lang) {
		// The new account speaks the language its owner registered in.
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET language = $2 WHERE id = $1`, c.ID, l.lang); err != nil {
			return 0, fmt.Errorf("language of contact %d: %w", c.ID, err)
		}
	}
	return c.ID, nil
}

// RequestLink mails a sign-in link to the address if it belongs to a
// contact who may use the portal. The answer never says whether it does,
// so the form cannot be used to find out who are customers. Requests are
// limited per address and client.
func (s *Service) RequestLink(ctx context.Context, email, ip string) error {
	email, err := directory.ValidEmail("email", email)
	if err != nil {
		return err
	}
	a, _, err := s.accountByEmail(ctx, email)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	send := err == nil && a.State == StateActive && !a.Blocked
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := s.take(ctx, tx, s.now(), limit{"link-ip:" + ipKey(ip), 10, 15 * time.Minute},
			limit{"link-email:" + email, 3, 15 * time.Minute})
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Errorf(apperr.RateLimited, "too many sign-in links asked for; try again in a few minutes")
		}
		if !send {
			return nil
		}
		return s.sendLink(ctx, tx, LinkSignIn, textSignIn, &a.ContactID, email, a.Name, a.Language)
	})
	if err == nil && send {
		s.jobs.Wake()
	}
	return err
}
