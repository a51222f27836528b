package ticket

import (
	"context"
	"database/sql"
	"slices"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// MaxBulk is how many tickets one bulk change may name.
const MaxBulk = 500

// BulkChange is one change an agent applies to many tickets at once. Zero
// fields change nothing; AddTags adds to each ticket's tags.
type BulkChange struct {
	Status     *Status
	Priority   *Priority
	GroupID    IDChange
	AssigneeID IDChange
	AddTags    []string
}

// BulkResult is what became of one ticket of a bulk change: the changed
// ticket, or why it was not changed.
type BulkResult struct {
	ID     int64
	Ticket *Ticket
	Err    error
}

// BulkUpdate applies c to each ticket, each in a transaction of its own
// and by the same rules as UpdateTicket, whatever version the ticket is
// at: the agent chose the change for all of them. A ticket that cannot
// take the change reports its error and the others are still changed.
// There is one result per id, repeats left out, in the order given.
//
// The error is for a request no ticket could take: no ids or over
// MaxBulk, no change, an invalid value, a group or agent that does not
// exist. Then nothing is changed.
func (s *Service) BulkUpdate(ctx context.Context, p auth.Principal, ids []int64, c BulkChange) ([]BulkResult, error) {
	ids = uniqueIDs(ids)
	tags, err := s.checkBulk(ctx, ids, c)
	if err != nil {
		return nil, err
	}
	out := make([]BulkResult, 0, len(ids))
	for _, id := range ids {
		r := BulkResult{ID: id}
		t, err := s.bulkOne(ctx, p, id, c, tags)
		if err != nil {
			r.Err = err
		} else {
			r.Ticket = &t
		}
		out = append(out, r)
	}
	s.jobs.Wake()
	return out, nil
}

// checkBulk refuses a request no ticket could take, on ids without
// repeats, and returns the tags to add, normalised.
func (s *Service) checkBulk(ctx context.Context, ids []int64, c BulkChange) ([]string, error) {
	if len(ids) == 0 {
		return nil, apperr.Field("ids", "name at least one ticket")
	}
	if len(ids) > MaxBulk {
		return nil, apperr.Field("ids", "at most %d tickets can be changed at once", MaxBulk)
	}
	if c.Status == nil && c.Priority == nil && !c.GroupID.Set && !c.AssigneeID.Set && len(c.AddTags) == 0 {
		return nil, apperr.Errorf(apperr.Invalid, "name a change: status, priority, group_id, assignee_id or add_tags")
	}
	// The values are checked once, by the rules of a single update.
	probe := Ticket{}
	if err := applySimple(&probe, Update{Status: c.Status, Priority: c.Priority, Tags: &c.AddTags}); err != nil {
		if e := apperr.As(err); e != nil && e.Field == "tags" {
			return nil, apperr.Field("add_tags", "%s", e.Message)
		}
		return nil, err
	}
	var group, assignee *int64
	if c.GroupID.Set {
		group = c.GroupID.ID
	}
	if c.AssigneeID.Set {
		assignee = c.AssigneeID.ID
	}
	if err := checkGroup(ctx, s.db.R, group); err != nil {
		return nil, err
	}
	if err := checkAssignee(ctx, s.db.R, assignee, group); err != nil {
		return nil, err
	}
	return probe.Tags, nil
}

func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// bulkOne changes one ticket as UpdateTicket would, at its current version.
func (s *Service) bulkOne(ctx context.Context, p auth.Principal, id int64, c BulkChange, tags []string) (Ticket, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		t, err := s.loadVisible(ctx, tx, p, id)
		if err != nil {
			return err
		}
		u := Update{Version: t.Version, Status: c.Status, Priority: c.Priority, GroupID: c.GroupID, AssigneeID: c.AssigneeID}
		if len(tags) > 0 {
			all := append(slices.Clone(t.Tags), tags...)
			u.Tags = &all
		}
		next, err := s.apply(ctx, tx, t, u)
		if err != nil {
			return err
		}
		h := newHistory(id, p, db.Now())
		diff(&h, t, next)
		if len(h.events) == 0 {
			return nil
		}
		return s.save(ctx, tx, t, next, &h)
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.load(ctx, s.db.R, id, false)
}
