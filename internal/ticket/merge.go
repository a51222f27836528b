package ticket

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// NotifyMerged is the kind of the email.notify job that tells a merged
// ticket's requester where the conversation continues.
const NotifyMerged = "merged"

// Merge folds the source ticket into the target and returns the target,
// the survivor. The source's comments and files move to the target, its
// requester, contacts, followers and tags join the target, and the source
// is closed with a pointer to the target, all in one transaction. The
// source's requester is told by e-mail when the source was an e-mail
// conversation.
func (s *Service) Merge(ctx context.Context, p auth.Principal, sourceID, targetID int64) (Ticket, error) {
	if targetID <= 0 {
		return Ticket{}, apperr.Field("into_id", "name the ticket to merge into")
	}
	if sourceID == targetID {
		return Ticket{}, apperr.Field("into_id", "a ticket cannot be merged into itself")
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		src, dst, err := s.loadPair(ctx, tx, p, sourceID, targetID)
		if err != nil {
			return err
		}
		if err := checkMerge(src, dst); err != nil {
			return err
		}
		return s.merge(ctx, tx, p, src, dst)
	})
	if err != nil {
		return Ticket{}, err
	}
	s.jobs.Wake()
	return s.load(ctx, s.db.R, targetID, false)
}

// loadPair loads and locks two tickets p may see, the lower id first so
// two merges of the same pair cannot deadlock.
func (s *Service) loadPair(ctx context.Context, tx *sql.Tx, p auth.Principal, a, b int64) (Ticket, Ticket, error) {
	first, second := min(a, b), max(a, b)
	t1, err := s.loadVisible(ctx, tx, p, first)
	if err != nil {
		return Ticket{}, Ticket{}, err
	}
	t2, err := s.loadVisible(ctx, tx, p, second)
	if err != nil {
		return Ticket{}, Ticket{}, err
	}
	if first == a {
		return t1, t2, nil
	}
	return t2, t1, nil
}

func checkMerge(src, dst Ticket) error {
	switch {
	case src.MergedIntoID != nil:
		return apperr.Errorf(apperr.Conflict, "ticket %s was already merged into another ticket", Number(src.Number))
	case dst.MergedIntoID != nil:
		return apperr.Errorf(apperr.Conflict, "ticket %s was itself merged into another ticket; merge into that one", Number(dst.Number))
	case dst.Status == StatusClosed:
		return apperr.Errorf(apperr.Conflict, "ticket %s is closed; a ticket can only be merged into one that is not closed", Number(dst.Number))
	}
	return nil
}

// merge moves the conversation and the people, then records the merge on
// both tickets.
func (s *Service) merge(ctx context.Context, tx *sql.Tx, p auth.Principal, src, dst Ticket) error {
	if err := moveConversation(ctx, tx, src.ID, dst.ID); err != nil {
		return err
	}
	var contacts []int64
	for _, c := range append([]int64{src.Requester.ID}, src.Participants...) {
		if c != dst.Requester.ID {
			contacts = append(contacts, c)
		}
	}
	if err := AddParticipants(ctx, tx, dst.ID, contacts...); err != nil {
		return err
	}
	if err := follow(ctx, tx, dst.ID, src.FollowerIDs...); err != nil {
		return err
	}
	now := db.Now()
	next := dst
	tags, err := normalizeTags(append(slices.Clone(dst.Tags), src.Tags...))
	if err != nil {
		return err
	}
	next.Tags = tags
	h := newHistory(dst.ID, p, now)
	h.add(EventMerged, "", Number(src.Number), "", Number(src.Number)+" merged in")
	diff(&h, dst, next)
	if err := s.save(ctx, tx, dst, next, &h); err != nil {
		return err
	}
	return s.closeMerged(ctx, tx, p, src, dst, now)
}

// moveConversation moves every comment, file and e-mail reference of one
// ticket to another. Comments keep their ids and times, so the target's
// conversation stays in time order; replies to the source's e-mails now
// thread into the target.
func moveConversation(ctx context.Context, tx *sql.Tx, from, to int64) error {
	for _, move := range mergeMoves {
		if _, err := tx.ExecContext(ctx, move, to, from); err != nil {
			return fmt.Errorf("move conversation of ticket %d to %d: %w", from, to, err)
		}
	}
	return nil
}

// mergeMoves move everything of one ticket ($2) to another ($1).
var mergeMoves = []string{
	`UPDATE comments SET ticket_id = $1 WHERE ticket_id = $2`,
	`UPDATE attachments SET ticket_id = $1 WHERE ticket_id = $2`,
	`UPDATE message_ids SET ticket_id = $1 WHERE ticket_id = $2`,
}

// closeMerged closes the source, points it at the target and, for an
// e-mail conversation, queues the message to its requester.
func (s *Service) closeMerged(ctx context.Context, tx *sql.Tx, p auth.Principal, src, dst Ticket, now time.Time) error {
	next := src
	next.Status = StatusClosed
	h := newHistory(src.ID, p, now)
	h.add(EventMerged, "", "", Number(dst.Number), "merged into "+Number(dst.Number))
	diff(&h, src, next)
	if err := s.save(ctx, tx, src, next, &h); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET merged_into_id = $1 WHERE id = $2`, dst.ID, src.ID); err != nil {
		return fmt.Errorf("merge ticket %d into %d: %w", src.ID, dst.ID, err)
	}
	if !src.mailable() {
		return nil
	}
	_, err := s.jobs.Enqueue(ctx, tx, JobEmailNotify, map[string]any{"ticket_id": src.ID, "kind": NotifyMerged})
	return err
}
