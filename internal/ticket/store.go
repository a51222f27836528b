package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// ticketColumns are read by scanTicket, in its order; the requester's name
// and primary address come from the join with contacts.
const ticketColumns = `t.id, t.number, t.subject, t.description, t.status, t.priority, t.type, t.line,
	t.group_id, t.assignee_id, t.requester_id, c.name,
	COALESCE((SELECT e.email FROM contact_emails e WHERE e.contact_id = c.id ORDER BY e.position LIMIT 1), ''),
	t.company_id, t.channel, t.parent_id, t.mailbox_id, t.follow_up_of, t.merged_into_id, t.flag, t.custom_fields, t.version,
	t.created_at, t.updated_at, t.solved_at, t.closed_at,
	t.sla_first_response_due_at, t.sla_first_response_state, t.sla_next_response_due_at, t.sla_next_response_state,
	t.sla_resolution_due_at, t.sla_resolution_state, t.sla_next_due_at, t.sla_warn_at`

const ticketFrom = ` FROM tickets t JOIN contacts c ON c.id = t.requester_id`

func scanTicket(row interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var fields, frState, nrState, resState string
	err := row.Scan(&t.ID, &t.Number, &t.Subject, &t.Description, &t.Status, &t.Priority, &t.Type, &t.Line,
		&t.GroupID, &t.AssigneeID, &t.Requester.ID, &t.Requester.Name, &t.Requester.Email,
		&t.CompanyID, &t.Channel, &t.ParentID, &t.MailboxID, &t.FollowUpOf, &t.MergedIntoID, &t.Flag, &fields, &t.Version,
		&t.CreatedAt, &t.UpdatedAt, &t.SolvedAt, &t.ClosedAt,
		&t.SLA.FirstResponseDueAt, &frState, &t.SLA.NextResponseDueAt, &nrState,
		&t.SLA.ResolutionDueAt, &resState, &t.SLA.NextDueAt, &t.SLA.WarnAt)
	if err != nil {
		return t, err
	}
	t.SLA.FirstResponse = slaTarget(frState, t.SLA.FirstResponseDueAt)
	t.SLA.NextResponse = slaTarget(nrState, t.SLA.NextResponseDueAt)
	t.SLA.Resolution = slaTarget(resState, t.SLA.ResolutionDueAt)
	if err := json.Unmarshal([]byte(fields), &t.CustomFields); err != nil {
		return t, fmt.Errorf("custom fields of ticket %d: %w", t.ID, err)
	}
	return t, nil
}

// load reads one ticket with its tags and followers on q. With lock set it
// takes a row lock (PostgreSQL) so a transaction can update it safely.
func (s *Service) load(ctx context.Context, q db.Queryer, id int64, lock bool) (Ticket, error) {
	query := `SELECT ` + ticketColumns + ticketFrom + ` WHERE t.id = $1`
	if lock && s.db.Dialect == db.Postgres {
		query += ` FOR UPDATE OF t`
	}
	t, err := scanTicket(q.QueryRowContext(ctx, query, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, apperr.NotFoundf("ticket %d not found", id)
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("load ticket %d: %w", id, err)
	}
	list := []*Ticket{&t}
	if err := loadTags(ctx, q, list); err != nil {
		return Ticket{}, err
	}
	if err := loadFollowers(ctx, q, list); err != nil {
		return Ticket{}, err
	}
	if err := loadParticipants(ctx, q, list); err != nil {
		return Ticket{}, err
	}
	return t, nil
}

// loadTags fills the tags of several tickets in one query.
func loadTags(ctx context.Context, q db.Queryer, ts []*Ticket) error {
	byID := index(ts, func(t *Ticket) { t.Tags = []string{} })
	if len(byID) == 0 {
		return nil
	}
	in, args := db.In(keys(byID), 1)
	rows, err := q.QueryContext(ctx, `SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN (`+in+`) ORDER BY tag`, args...)
	if err != nil {
		return fmt.Errorf("load tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return err
		}
		byID[id].Tags = append(byID[id].Tags, tag)
	}
	return rows.Err()
}

// loadFollowers fills the followers of several tickets in one query.
func loadFollowers(ctx context.Context, q db.Queryer, ts []*Ticket) error {
	byID := index(ts, func(t *Ticket) { t.FollowerIDs = []int64{} })
	if len(byID) == 0 {
		return nil
	}
	in, args := db.In(keys(byID), 1)
	rows, err := q.QueryContext(ctx, `SELECT ticket_id, agent_id FROM ticket_followers WHERE ticket_id IN (`+in+`) ORDER BY agent_id`, args...)
	if err != nil {
		return fmt.Errorf("load followers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, agent int64
		if err := rows.Scan(&id, &agent); err != nil {
			return err
		}
		byID[id].FollowerIDs = append(byID[id].FollowerIDs, agent)
	}
	return rows.Err()
}

// loadParticipants fills the contacts copied on several tickets.
func loadParticipants(ctx context.Context, q db.Queryer, ts []*Ticket) error {
	byID := index(ts, func(t *Ticket) { t.Participants = []int64{} })
	if len(byID) == 0 {
		return nil
	}
	in, args := db.In(keys(byID), 1)
	rows, err := q.QueryContext(ctx, `SELECT ticket_id, contact_id FROM ticket_participants WHERE ticket_id IN (`+in+`) ORDER BY contact_id`, args...)
	if err != nil {
		return fmt.Errorf("load participants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, contact int64
		if err := rows.Scan(&id, &contact); err != nil {
			return err
		}
		byID[id].Participants = append(byID[id].Participants, contact)
	}
	return rows.Err()
}

// AddParticipants copies contacts on a ticket's conversation; adding one
// twice is fine.
func AddParticipants(ctx context.Context, q db.Queryer, ticketID int64, contactIDs ...int64) error {
	for _, c := range contactIDs {
		_, err := q.ExecContext(ctx, `INSERT INTO ticket_participants (ticket_id, contact_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, ticketID, c, db.Now())
		if err != nil {
			return fmt.Errorf("add participant to ticket %d: %w", ticketID, err)
		}
	}
	return nil
}

func index(ts []*Ticket, init func(*Ticket)) map[int64]*Ticket {
	m := make(map[int64]*Ticket, len(ts))
	for _, t := range ts {
		init(t)
		m[t.ID] = t
	}
	return m
}

func keys[T any](m map[int64]T) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	return out
}

// setTags replaces a ticket's tags.
func setTags(ctx context.Context, q db.Queryer, ticketID int64, tags []string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM ticket_tags WHERE ticket_id = $1`, ticketID); err != nil {
		return fmt.Errorf("set tags of ticket %d: %w", ticketID, err)
	}
	return addTags(ctx, q, ticketID, tags)
}

// addTags adds tags a ticket does not have yet.
func addTags(ctx context.Context, q db.Queryer, ticketID int64, tags []string) error {
	for _, tag := range tags {
		if _, err := q.ExecContext(ctx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, $2)`, ticketID, tag); err != nil {
			return fmt.Errorf("set tags of ticket %d: %w", ticketID, err)
		}
	}
	return nil
}

// follow makes agents followers of a ticket; following twice is fine.
func follow(ctx context.Context, q db.Queryer, ticketID int64, agentIDs ...int64) error {
	for _, a := range agentIDs {
		if a == 0 {
			continue
		}
		_, err := q.ExecContext(ctx, `INSERT INTO ticket_followers (ticket_id, agent_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, ticketID, a, db.Now())
		if err != nil {
			return fmt.Errorf("follow ticket %d: %w", ticketID, err)
		}
	}
	return nil
}
