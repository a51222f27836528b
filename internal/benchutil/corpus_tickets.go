package benchutil

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

var (
	corpusStatuses   = []string{"new", "open", "open", "pending", "on_hold", "solved", "solved", "closed", "closed", "closed"}
	corpusPriorities = []string{"low", "normal", "normal", "normal", "high", "urgent"}
	corpusTypes      = []string{"question", "incident", "incident", "problem", "request"}
	corpusChannels   = []string{"email", "email", "email", "portal", "phone", "web_form", "api"}
	corpusTags       = []string{"vpn", "printer", "email", "access", "hardware", "password", "network", "1c", "vip"}
)

// writeTickets writes tickets [start, end) of n and their comments; ticket
// j gets id j+1 (the store is new). It returns how many comments it wrote.
func writeTickets(ctx context.Context, tx *sql.Tx, w *Writer, rng *rand.Rand, c Corpus, companies, contacts []int64,
	start, end, n int, now time.Time) (int, error) {
	tickets := newRows(`INSERT INTO tickets (number, subject, description, status, priority, type, channel, line, group_id,
		assignee_id, requester_id, company_id, custom_fields, version, created_at, updated_at) VALUES `, 16)
	comments := newRows(`INSERT INTO comments (ticket_id, author_type, author_agent_id, author_contact_id, body, public,
		channel, created_at) VALUES `, 8)
	tags := newRows(`INSERT INTO ticket_tags (ticket_id, tag) VALUES `, 2)
	comments.before, tags.before = tickets, tickets // rows that point at tickets wait for them
	written := 0
	for j := start; j < end; j++ {
		lang := w.Lang()
		contact := contacts[rng.IntN(len(contacts))]
		company := companies[int(contact-contacts[0])%len(companies)]
		var group, assignee any
		if rng.IntN(10) > 0 { // a tenth waits in the shared intake, in no group
			g := rng.IntN(len(c.Groups))
			group = c.Groups[g]
			if rng.IntN(3) > 0 {
				assignee = c.Agents[(g+10*rng.IntN(4))%len(c.Agents)]
			}
		}
		created := now.Add(-time.Duration(n-j) * 90 * time.Second)
		updated := created.Add(time.Duration(rng.IntN(72*3600)) * time.Second)
		if err := tickets.add(ctx, tx, 1001+j, w.Subject(lang), w.Description(lang), corpusStatuses[rng.IntN(10)],
			corpusPriorities[rng.IntN(6)], corpusTypes[rng.IntN(5)], corpusChannels[rng.IntN(7)], 1+rng.IntN(4), group,
			assignee, contact, company, "{}", 1, created, updated); err != nil {
			return 0, err
		}
		for k := range w.Comments() {
			body, public := w.Comment(lang)
			author, agent, cont := "agent", any(c.Agents[rng.IntN(len(c.Agents))]), any(nil)
			if public && k%2 == 0 {
				author, agent, cont = "contact", nil, contact
			}
			at := created.Add(time.Duration(k+1) * time.Duration(1+rng.IntN(600)) * time.Second)
			if err := comments.add(ctx, tx, j+1, author, agent, cont, body, public, "email", at); err != nil {
				return 0, err
			}
			written++
		}
		if rng.IntN(10) < 3 {
			if err := tags.add(ctx, tx, j+1, corpusTags[rng.IntN(len(corpusTags))]); err != nil {
				return 0, err
			}
		}
	}
	for _, r := range []*rows{tickets, comments, tags} {
		if err := r.flush(ctx, tx); err != nil {
			return 0, err
		}
	}
	return written, nil
}

// rows collects the values of a multi-row insert and runs it every few
// hundred rows.
type rows struct {
	head   string
	cols   int
	args   []any
	before *rows // flushed first: the rows these refer to
}

func newRows(head string, cols int) *rows { return &rows{head: head, cols: cols} }

func (r *rows) add(ctx context.Context, tx *sql.Tx, vals ...any) error {
	r.args = append(r.args, vals...)
	if len(r.args)/r.cols >= 400 {
		return r.flush(ctx, tx)
	}
	return nil
}

func (r *rows) flush(ctx context.Context, tx *sql.Tx) error {
	if len(r.args) == 0 {
		return nil
	}
	if r.before != nil {
		if err := r.before.flush(ctx, tx); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString(r.head)
	for i := 0; i < len(r.args); i += r.cols {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for k := range r.cols {
			if k > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "$%d", i+k+1)
		}
		b.WriteByte(')')
	}
	_, err := tx.ExecContext(ctx, b.String(), r.args...)
	r.args = r.args[:0]
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	return nil
}
