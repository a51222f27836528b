package ticket

import (
	"context"
	"fmt"
	"strconv"

	"linedesk/internal/auth"
)

// Notice is an update an agent should hear of: a change by someone else
// on a ticket they follow or are assigned, a ticket escalated into one of
// their groups or whose deadline is at risk or missed there, or an entry
// that names them (a supervisor told of a breach).
type Notice struct {
	Event
	Number  int64  `json:"number"`
	Subject string `json:"subject"`
	Unread  bool   `json:"unread"`
}

// noticeIDs selects the ids of the events p should hear of after event
// $2, newest first. Each branch starts from an index on p's side (what p
// follows, is assigned, or their groups' open tickets), so the cost grows
// with p's tickets, not with the whole history.
func noticeIDs(p auth.Principal) string {
	notMine := ` AND NOT (e.actor_type = 'agent' AND e.actor_id = $1)`
	q := `SELECT e.id FROM ticket_followers f JOIN ticket_events e ON e.ticket_id = f.ticket_id AND e.id > $2
				AND e.created_at >= f.created_at
			WHERE f.agent_id = $1` + notMine + `
		UNION SELECT e.id FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id AND e.id > $2
			WHERE t.assignee_id = $1` + notMine + `
		UNION SELECT e.id FROM ticket_events e WHERE e.notify_agent_id = $1 AND e.id > $2`
	if len(p.GroupIDs) > 0 {
		q += `
		UNION SELECT e.id FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id AND e.id > $2
				AND e.kind IN ('` + EventEscalated + `', '` + EventSLAWarning + `', '` + EventSLABreached + `')
			WHERE t.group_id IN (` + joinIDs(p.GroupIDs) + `) AND t.status <> 'closed'` + notMine
	}
	return q
}

// maxUnread caps the unread count: past it the workspace shows "99+".
const maxUnread = 100

// UnreadNotices counts p's notices newer than the last one p has seen, up
// to maxUnread.
func (s *Service) UnreadNotices(ctx context.Context, p auth.Principal) (int, error) {
	seen, err := s.noticesSeen(ctx, p)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT id FROM (`+noticeIDs(p)+`) ids LIMIT `+
		strconv.Itoa(maxUnread)+`) capped`, p.AgentID, seen).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count notices: %w", err)
	}
	return n, nil
}

// Notices returns p's latest notices, newest first, marking those p has
// not seen yet.
func (s *Service) Notices(ctx context.Context, p auth.Principal, limit int) ([]Notice, error) {
	seen, err := s.noticesSeen(ctx, p)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `
		SELECT e.id, e.ticket_id, e.actor_type, e.actor_id,
			COALESCE(CASE WHEN e.actor_type = 'agent' THEN a.name ELSE c.name END, ''),
			e.kind, e.field, e.old_value, e.new_value, e.reason, e.created_at, t.number, t.subject
		FROM ticket_events e
		JOIN tickets t ON t.id = e.ticket_id
		LEFT JOIN agents a ON e.actor_type = 'agent' AND a.id = e.actor_id
		LEFT JOIN contacts c ON e.actor_type = 'contact' AND c.id = e.actor_id
		WHERE e.id IN (SELECT id FROM (`+noticeIDs(p)+`) ids ORDER BY id DESC LIMIT `+strconv.Itoa(max(limit, 1))+`)
		ORDER BY e.id DESC`, p.AgentID, int64(0))
	if err != nil {
		return nil, fmt.Errorf("notices of agent %d: %w", p.AgentID, err)
	}
	defer rows.Close()
	out := []Notice{}
	for rows.Next() {
		var n Notice
		e := &n.Event
		if err := rows.Scan(&e.ID, &e.TicketID, &e.ActorType, &e.ActorID, &e.ActorName, &e.Kind, &e.Field,
			&e.From, &e.To, &e.Reason, &e.CreatedAt, &n.Number, &n.Subject); err != nil {
			return nil, fmt.Errorf("notices of agent %d: %w", p.AgentID, err)
		}
		n.Unread = e.ID > seen
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkNoticesSeen records that p has seen every notice up to event upTo.
func (s *Service) MarkNoticesSeen(ctx context.Context, p auth.Principal, upTo int64) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE agents SET notices_seen_id = $1 WHERE id = $2 AND notices_seen_id < $1`,
		upTo, p.AgentID)
	if err != nil {
		return fmt.Errorf("mark notices seen: %w", err)
	}
	return nil
}

func (s *Service) noticesSeen(ctx context.Context, p auth.Principal) (int64, error) {
	var seen int64
	if err := s.db.R.QueryRowContext(ctx, `SELECT notices_seen_id FROM agents WHERE id = $1`, p.AgentID).Scan(&seen); err != nil {
		return 0, fmt.Errorf("notices seen by agent %d: %w", p.AgentID, err)
	}
	return seen, nil
}
