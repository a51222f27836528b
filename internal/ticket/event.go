package ticket

import (
	"context"
	"fmt"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Event kinds in a ticket's history.
const (
	EventCreated       = "created"
	EventChanged       = "changed"
	EventCommented     = "commented"
	EventCommentEdited = "comment_edited"
	EventEscalated     = "escalated"
	EventMerged        = "merged"       // a ticket merged into another, on both of them
	EventSplit         = "split"        // a comment moved to a new ticket, on both of them
	EventLinked        = "linked"       // Field is the kind of link, To the other ticket's number
	EventUnlinked      = "unlinked"     // Field is the kind of link, From the other ticket's number
	EventSLAWarning    = "sla_warning"  // Field is the target, To its due time (RFC 3339): the warning share is used up
	EventSLABreached   = "sla_breached" // Field is the target, To its due time (RFC 3339): the target was missed
)

// Event is one entry of a ticket's history: who did what, when, and for a
// change, which field went from what to what.
type Event struct {
	ID        int64     `json:"id"`
	TicketID  int64     `json:"ticket_id"`
	ActorType string    `json:"actor_type"` // agent, contact or system
	ActorID   *int64    `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	Kind      string    `json:"kind"`
	Field     string    `json:"field,omitempty"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`

	NotifyAgentID *int64 `json:"-"` // one more agent told of the entry (see AutoEvent)
}

// actor describes who causes an event.
type actor struct {
	typ string
	id  *int64
}

// agentActor is the actor of a principal's actions; a principal with no
// agent is the system itself (background jobs, rules).
func agentActor(p auth.Principal) actor {
	if p.AgentID == 0 {
		return actor{typ: "system"}
	}
	id := p.AgentID
	return actor{typ: "agent", id: &id}
}

// history collects the events of one change, written together, and what
// hooks are told of it.
type history struct {
	ticketID int64
	by       actor
	at       time.Time
	events   []Event
	p        auth.Principal  // who made the change
	source   string          // the automation that made it; "" for a person
	comment  *ChangedComment // the comment the change added
}

func newHistory(ticketID int64, p auth.Principal, at time.Time) history {
	return history{ticketID: ticketID, by: agentActor(p), at: at, p: p}
}

func (h *history) add(kind, field, from, to, reason string) {
	h.events = append(h.events, Event{Kind: kind, Field: field, From: from, To: to, Reason: reason})
}

// change records a field change when the value differs.
func (h *history) change(field, from, to string) {
	if from != to {
		h.add(EventChanged, field, from, to, "")
	}
}

func (h *history) write(ctx context.Context, q db.Queryer) error {
	for _, e := range h.events {
		_, err := q.ExecContext(ctx, `
			INSERT INTO ticket_events (ticket_id, actor_type, actor_id, kind, field, old_value, new_value, reason, created_at,
				notify_agent_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			h.ticketID, h.by.typ, h.by.id, e.Kind, e.Field, e.From, e.To, e.Reason, h.at, e.NotifyAgentID)
		if err != nil {
			return fmt.Errorf("record history of ticket %d: %w", h.ticketID, err)
		}
	}
	return nil
}

// SystemEvent records something Linedesk did on its own to a ticket (a
// failed delivery, a bounce) in the ticket's history.
func (s *Service) SystemEvent(ctx context.Context, ticketID int64, kind, field, from, to, reason string) error {
	h := history{ticketID: ticketID, by: actor{typ: "system"}, at: db.Now()}
	h.add(kind, field, from, to, reason)
	return h.write(ctx, s.db.W)
}

// Events returns a ticket's full history, oldest first.
func (s *Service) Events(ctx context.Context, p auth.Principal, ticketID int64) ([]Event, error) {
	if err := s.CanViewTicket(ctx, p, ticketID); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `
		SELECT e.id, e.ticket_id, e.actor_type, e.actor_id,
			COALESCE(CASE WHEN e.actor_type = 'agent' THEN a.name ELSE c.name END, ''),
			e.kind, e.field, e.old_value, e.new_value, e.reason, e.created_at
		FROM ticket_events e
		LEFT JOIN agents a ON e.actor_type = 'agent' AND a.id = e.actor_id
		LEFT JOIN contacts c ON e.actor_type = 'contact' AND c.id = e.actor_id
		WHERE e.ticket_id = $1 ORDER BY e.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("history of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.TicketID, &e.ActorType, &e.ActorID, &e.ActorName, &e.Kind, &e.Field,
			&e.From, &e.To, &e.Reason, &e.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func idString(id *int64) string {
	if id == nil {
		return ""
	}
	return itoa(*id)
}
