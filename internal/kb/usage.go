package kb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/ticket"
)

// Usage is counted four ways: views of an article's page, insertions of
// an article into a reply on a ticket, what became of those tickets —
// solved with no escalation after the insertion, or escalated first — and
// requests it deflected on the portal (deflection.go).

// CountView counts one reading of an article.
func (s *Service) CountView(ctx context.Context, id int64) error {
	if _, err := s.db.W.ExecContext(ctx, `UPDATE kb_articles SET views = views + 1 WHERE id = $1`, id); err != nil {
		return fmt.Errorf("count view of article %d: %w", id, err)
	}
	return nil
}

// How an article goes into a reply.
const (
	InsertLink = "link" // a link to the article on the portal
	InsertText = "text" // the article's text
)

// Insertion is what an agent puts into a reply.
type Insertion struct {
	ID        int64  `json:"id"`
	ArticleID int64  `json:"article_id"`
	Language  string `json:"language"`
	Mode      string `json:"mode"`
	Text      string `json:"text"` // to put into the reply
	URL       string `json:"url"`  // the portal page of the article, "" for an internal one
}

// PortalURL is the address of a translation on the customer portal.
func (s *Service) PortalURL(slug string) string {
	return s.cfg.BaseURL + "/portal/kb/" + url.PathEscape(slug)
}

// portalFiles are the portal addresses of an article's files, in full,
// for a reply.
func (s *Service) portalFiles(ctx context.Context, a Article, slug string) (FileURL, error) {
	return s.portalFilesAt(ctx, a, s.PortalURL(slug)+"/files/")
}

// portalFilesAt are the addresses of an article's files under base.
func (s *Service) portalFilesAt(ctx context.Context, a Article, base string) (FileURL, error) {
	if a.Visibility != Public {
		return nil, nil
	}
	ids, err := s.fileIDs(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return FileLinks(ids, func(id int64) string { return base + strconv.FormatInt(id, 10) }), nil
}

// Insert gives the text that puts a published translation into a reply on
// a ticket p may see, and counts the insertion. A link is only for public
// articles: an internal one has no page a customer could open.
func (s *Service) Insert(ctx context.Context, p auth.Principal, ticketID, articleID int64, lang, mode string) (Insertion, error) {
	if p.AgentID <= 0 {
		return Insertion{}, apperr.Errorf(apperr.Forbidden, "only an agent may put an article into a reply")
	}
	if mode != InsertLink && mode != InsertText {
		return Insertion{}, apperr.Field("mode", "must be link or text")
	}
	if err := s.tickets.CanViewTicket(ctx, p, ticketID); err != nil {
		return Insertion{}, err
	}
	a, err := s.FindArticle(ctx, articleID)
	if err != nil {
		return Insertion{}, err
	}
	t, ok := a.Translation(lang)
	if !ok || t.PublishedAt == nil {
		return Insertion{}, apperr.Field("language", "the article has no published %q translation", lang)
	}
	in := Insertion{ArticleID: a.ID, Language: lang, Mode: mode}
	if a.Visibility == Public {
		in.URL = s.PortalURL(t.Slug)
	}
	switch mode {
	case InsertLink:
		if a.Visibility != Public {
			return Insertion{}, apperr.Field("mode", "an internal article has no portal page to link to; insert its text instead")
		}
		in.Text = t.Title + ": " + in.URL
	default:
		files, err := s.portalFiles(ctx, a, t.Slug)
		if err != nil {
			return Insertion{}, err
		}
		in.Text = PlainText(t.Body, files)
	}
	err = s.db.W.QueryRowContext(ctx, `INSERT INTO kb_insertions (article_id, language, ticket_id, agent_id, mode, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, a.ID, lang, ticketID, p.AgentID, mode, db.Now()).Scan(&in.ID)
	if err != nil {
		return Insertion{}, fmt.Errorf("count insertion of article %d: %w", a.ID, err)
	}
	return in, nil
}

// Outcomes of an insertion.
const (
	OutcomeSolved    = "solved"    // the ticket was solved with no escalation after the insertion
	OutcomeEscalated = "escalated" // it was escalated before it was solved
)

// TicketChanged makes the knowledge base a ticket hook: when a ticket is
// escalated (or moved to a higher line), its pending insertions did not
// solve it; when it is solved first, they did.
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	outcome := ""
	if c.After.Status == ticket.StatusSolved && c.Before.Status != ticket.StatusSolved {
		outcome = OutcomeSolved
	}
	for _, e := range c.Events {
		if e.Kind == ticket.EventEscalated || (e.Kind == ticket.EventChanged && e.Field == "line" && atoi(e.To) > atoi(e.From)) {
			outcome = OutcomeEscalated
		}
	}
	if outcome == "" || c.Kind == ticket.ChangeCreated {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE kb_insertions SET outcome = $1, outcome_at = $2 WHERE ticket_id = $3 AND outcome = ''`,
		outcome, db.Now(), c.After.ID)
	if err != nil {
		return fmt.Errorf("record outcome of articles on ticket %d: %w", c.After.ID, err)
	}
	return nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// Usage is how one article has been used.
type Usage struct {
	Article   Article `json:"article"`
	Views     int64   `json:"views"`
	Inserted  int     `json:"inserted"`  // times put into a reply
	Solved    int     `json:"solved"`    // of those, tickets then solved without escalation
	Escalated int     `json:"escalated"` // tickets escalated before being solved
	Pending   int     `json:"pending"`   // tickets neither solved nor escalated yet
	Deflected int64   `json:"deflected"` // requests the article solved on the portal before they were sent
}

// SolvedShare is the share of decided insertions that solved the ticket,
// in percent; -1 when none is decided yet.
func (u Usage) SolvedShare() int {
	if u.Solved+u.Escalated == 0 {
		return -1
	}
	return u.Solved * 100 / (u.Solved + u.Escalated)
}

// UsageReport lists articles by how often they were inserted, then by
// deflections, then by views, with their numbers, a page at a time, and
// how many articles there are.
func (s *Service) UsageReport(ctx context.Context, offset, lim int) ([]Usage, int, error) {
	lim = min(max(lim, 1), 500)
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM kb_articles`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count articles: %w", err)
	}
	rows, err := s.db.R.QueryContext(ctx, `
		SELECT a.id, a.views, a.deflections, count(i.id),
			COALESCE(SUM(CASE WHEN i.outcome = 'solved' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN i.outcome = 'escalated' THEN 1 ELSE 0 END), 0)
		FROM kb_articles a LEFT JOIN kb_insertions i ON i.article_id = a.id
		GROUP BY a.id, a.views, a.deflections ORDER BY count(i.id) DESC, a.deflections DESC, a.views DESC, a.id LIMIT $1 OFFSET $2`, lim, max(offset, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("usage of articles: %w", err)
	}
	var out []Usage
	var ids []int64
	for rows.Next() {
		var u Usage
		if err := rows.Scan(&u.Article.ID, &u.Views, &u.Deflected, &u.Inserted, &u.Solved, &u.Escalated); err != nil {
			rows.Close()
			return nil, 0, err
		}
		u.Pending = u.Inserted - u.Solved - u.Escalated
		out = append(out, u)
		ids = append(ids, u.Article.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	articles, err := s.articlesByID(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		out[i].Article = articles[out[i].Article.ID]
	}
	return orEmpty(out), total, nil
}

// ArticleUsage is the usage of one article.
func (s *Service) ArticleUsage(ctx context.Context, id int64) (Usage, error) {
	a, err := s.FindArticle(ctx, id)
	if err != nil {
		return Usage{}, err
	}
	u := Usage{Article: a, Views: a.Views}
	if err := s.db.R.QueryRowContext(ctx, `SELECT deflections FROM kb_articles WHERE id = $1`, id).Scan(&u.Deflected); err != nil {
		return Usage{}, fmt.Errorf("usage of article %d: %w", id, err)
	}
	err = s.db.R.QueryRowContext(ctx, `SELECT count(*),
			COALESCE(SUM(CASE WHEN outcome = 'solved' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN outcome = 'escalated' THEN 1 ELSE 0 END), 0)
		FROM kb_insertions WHERE article_id = $1`, id).Scan(&u.Inserted, &u.Solved, &u.Escalated)
	u.Pending = u.Inserted - u.Solved - u.Escalated
	return u, err
}
