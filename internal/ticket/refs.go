package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// exists reports whether query (selecting one row by $1) finds a row.
func exists(ctx context.Context, q db.Queryer, query string, id int64) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func checkGroup(ctx context.Context, q db.Queryer, id *int64) error {
	if id == nil {
		return nil
	}
	ok, err := exists(ctx, q, `SELECT 1 FROM groups WHERE id = $1`, *id)
	if err != nil {
		return fmt.Errorf("check group %d: %w", *id, err)
	}
	if !ok {
		return apperr.Field("group_id", "group %d does not exist", *id)
	}
	return nil
}

func checkCompany(ctx context.Context, q db.Queryer, id *int64) error {
	if id == nil {
		return nil
	}
	ok, err := exists(ctx, q, `SELECT 1 FROM companies WHERE id = $1`, *id)
	if err != nil {
		return fmt.Errorf("check company %d: %w", *id, err)
	}
	if !ok {
		return apperr.Field("company_id", "company %d does not exist", *id)
	}
	return nil
}

// checkAssignee requires an active agent who, when the ticket has a group,
// belongs to it: a ticket never sits with someone outside its team.
func checkAssignee(ctx context.Context, q db.Queryer, assignee, group *int64) error {
	if assignee == nil {
		return nil
	}
	ok, err := exists(ctx, q, `SELECT 1 FROM agents WHERE id = $1 AND active`, *assignee)
	if err != nil {
		return fmt.Errorf("check agent %d: %w", *assignee, err)
	}
	if !ok {
		return apperr.Field("assignee_id", "agent %d does not exist or is not active", *assignee)
	}
	if group == nil {
		return nil
	}
	var one int
	err = q.QueryRowContext(ctx, `SELECT 1 FROM agent_groups WHERE agent_id = $1 AND group_id = $2`, *assignee, *group).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Field("assignee_id", "agent %d is not a member of group %d", *assignee, *group)
	}
	if err != nil {
		return fmt.Errorf("check membership of agent %d: %w", *assignee, err)
	}
	return nil
}

// checkParent requires an existing parent that is not the ticket itself
// nor one of its descendants (no cycles in the sub-ticket tree).
func checkParent(ctx context.Context, q db.Queryer, ticketID int64, parent *int64) error {
	if parent == nil {
		return nil
	}
	for id, depth := *parent, 0; ; depth++ {
		if id == ticketID || depth > 100 {
			return apperr.Field("parent_id", "a ticket cannot be its own parent or ancestor")
		}
		var next sql.NullInt64
		err := q.QueryRowContext(ctx, `SELECT parent_id FROM tickets WHERE id = $1`, id).Scan(&next)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Field("parent_id", "ticket %d does not exist", id)
		}
		if err != nil {
			return fmt.Errorf("check parent %d: %w", id, err)
		}
		if !next.Valid {
			return nil
		}
		id = next.Int64
	}
}

func checkLine(line int) error {
	if line < 1 || line > 4 {
		return apperr.Field("line", "must be 1, 2, 3 or 4")
	}
	return nil
}

// normalizeTags lower-cases, de-duplicates and sorts tags, refusing ones a
// filter could not match (empty, spaces, commas, over 64 characters).
func normalizeTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	for _, raw := range tags {
		tag := strings.ToLower(strings.TrimSpace(raw))
		if tag == "" || utf8.RuneCountInString(tag) > 64 || strings.ContainsFunc(tag, func(r rune) bool {
			return unicode.IsSpace(r) || r == ',' || unicode.IsControl(r)
		}) {
			return nil, apperr.Field("tags", "%q is not a valid tag (1–64 characters, no spaces or commas)", raw)
		}
		if !slices.Contains(out, tag) {
			out = append(out, tag)
		}
	}
	if len(out) > 50 {
		return nil, apperr.Field("tags", "a ticket holds at most 50 tags")
	}
	slices.Sort(out)
	return out, nil
}

// checkText requires a non-blank value of at most max characters.
func checkText(field, value string, required bool, max int) (string, error) {
	v := strings.TrimSpace(value)
	if required && v == "" {
		return "", apperr.Field(field, "is required")
	}
	if utf8.RuneCountInString(v) > max {
		return "", apperr.Field(field, "must be at most %d characters", max)
	}
	if !utf8.ValidString(v) {
		return "", apperr.Field(field, "must be valid UTF-8 text")
	}
	return v, nil
}
