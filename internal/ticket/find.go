package ticket

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
)

// Filter selects tickets for a list. Zero fields do not filter.
type Filter struct {
	Statuses    []Status
	Priorities  []Priority
	GroupID     *int64
	GroupIDs    []int64 // any of these groups (a queue of "my groups"); empty: no condition
	AssigneeID  *int64
	Unassigned  bool
	CompanyID   *int64
	RequesterID *int64
	ParentID    *int64
	Channel     Channel
	Line        int
	Tag         string
	Query       string // a ticket number (#1042) or words in the subject or description
	// AtRiskAt keeps the tickets whose nearest running deadline is, at
	// that moment, missed or within its plan's warning share.
	AtRiskAt  *time.Time
	Sort      string // a sortable column, "-" in front for descending
	Page      int    // 1-based
	PerPage   int
	CountUpTo int // when > 0, the total is counted only up to this many: a screen shows "1,000+" and stays fast
}

// sortColumns maps the accepted sort keys to SQL.
var sortColumns = map[string]string{
	"created_at": "t.created_at", "updated_at": "t.updated_at", "number": "t.number", "line": "t.line",
	"priority": "CASE t.priority WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 ELSE 3 END",
	"sla_due":  "t.sla_next_due_at",
}

// nullsLast are the sort columns that may be null: tickets without a
// value come last either way, the same on both databases (SQLite sorts
// nulls first, PostgreSQL last).
var nullsLast = map[string]bool{"sla_due": true}

// FindTicket returns one ticket p may see.
func (s *Service) FindTicket(ctx context.Context, p auth.Principal, id int64) (Ticket, error) {
	if err := s.CanViewTicket(ctx, p, id); err != nil {
		return Ticket{}, err
	}
	return s.load(ctx, s.db.R, id, false)
}

// FindTickets returns one page of the tickets p may see that match f, and
// how many match in all.
func (s *Service) FindTickets(ctx context.Context, p auth.Principal, f Filter) ([]Ticket, int, error) {
	where, args, err := f.where(p)
	if err != nil {
		return nil, 0, err
	}
	order, err := f.order()
	if err != nil {
		return nil, 0, err
	}
	total, err := s.CountTickets(ctx, p, f)
	if err != nil {
		return nil, 0, err
	}
	if f.PerPage <= 0 {
		f.PerPage = 25
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	args = append(args, f.PerPage, (f.Page-1)*f.PerPage)
	// The page's ids come first, from the indexes alone; only those rows
	// are then read and joined. Joining before the LIMIT would read every
	// matching ticket's row to sort it.
	page := `SELECT t.id FROM tickets t` + where + order + fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(args)-1, len(args))
	query := `SELECT ` + ticketColumns + ticketFrom + ` WHERE t.id IN (` + page + `)` + order
	out, err := s.queryTickets(ctx, query, args)
	return out, total, err
}

func (s *Service) queryTickets(ctx context.Context, query string, args []any) ([]Ticket, error) {
	rows, err := s.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	out := []Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("list tickets: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	ptrs := make([]*Ticket, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	if err := loadTags(ctx, s.db.R, ptrs); err != nil {
		return nil, err
	}
	if err := loadParticipants(ctx, s.db.R, ptrs); err != nil {
		return nil, err
	}
	return out, loadFollowers(ctx, s.db.R, ptrs)
}

// where builds the WHERE clause from the filter, the caller's visibility
// included.
func (f Filter) where(p auth.Principal) (string, []any, error) {
	var args []any
	var conds []string
	if c := visibleClause(p, &args); c != "" {
		conds = append(conds, c)
	}
	return f.conds(conds, args)
}

// conds adds the filter's conditions to conds and args and returns them as
// a WHERE clause ("" when nothing filters).
func (f Filter) conds(conds []string, args []any) (string, []any, error) {
	if err := f.validate(); err != nil {
		return "", nil, err
	}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, inList("t.status", f.Statuses, arg))
	}
	if len(f.Priorities) > 0 {
		conds = append(conds, inList("t.priority", f.Priorities, arg))
	}
	// A slice, not a map: the same filter must give the same SQL text, or
	// the statement cache misses.
	for _, c := range []struct {
		col string
		v   *int64
	}{{"t.group_id", f.GroupID}, {"t.assignee_id", f.AssigneeID}, {"t.company_id", f.CompanyID},
		{"t.requester_id", f.RequesterID}, {"t.parent_id", f.ParentID}} {
		if c.v != nil {
			conds = append(conds, c.col+" = "+arg(*c.v))
		}
	}
	if len(f.GroupIDs) > 0 {
		conds = append(conds, "t.group_id IN ("+joinIDs(f.GroupIDs)+")")
	}
	if f.Unassigned {
		conds = append(conds, "t.assignee_id IS NULL")
	}
	if f.AtRiskAt != nil {
		// Not null first: SQLite sorts nulls first, and the deadline's
		// index is then read from the first real deadline on.
		conds = append(conds, "t.sla_next_due_at IS NOT NULL", "t.sla_warn_at <= "+arg(f.AtRiskAt.UTC()))
	}
	if f.Channel != "" {
		conds = append(conds, "t.channel = "+arg(string(f.Channel)))
	}
	if f.Line != 0 {
		conds = append(conds, "t.line = "+arg(f.Line))
	}
	if f.Tag != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id AND g.tag = "+arg(strings.ToLower(f.Tag))+")")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		conds = append(conds, queryCond(q, arg))
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

func (f Filter) validate() error {
	for _, st := range f.Statuses {
		if !st.Valid() {
			return apperr.Field("status", "%q is not a status (new, open, pending, on_hold, solved, closed)", st)
		}
	}
	for _, pr := range f.Priorities {
		if !pr.Valid() {
			return apperr.Field("priority", "%q is not a priority (low, normal, high, urgent)", pr)
		}
	}
	if f.Channel != "" && !f.Channel.Valid() {
		return apperr.Field("channel", "%q is not a channel", f.Channel)
	}
	if f.Line != 0 {
		return checkLine(f.Line)
	}
	return nil
}

func inList[T ~string](col string, vals []T, arg func(any) string) string {
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = arg(string(v))
	}
	return col + " IN (" + strings.Join(ph, ",") + ")"
}

// queryCond matches a ticket number ("1042" or "#1042") or a phrase in the
// subject or description. Full-text search replaces the phrase match.
func queryCond(q string, arg func(any) string) string {
	if n, err := strconv.ParseInt(strings.TrimPrefix(q, "#"), 10, 64); err == nil && n > 0 {
		return "t.number = " + arg(n)
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
	ph := arg(like)
	return "(lower(t.subject) LIKE " + ph + ` ESCAPE '\' OR lower(t.description) LIKE ` + ph + ` ESCAPE '\')`
}

func (f Filter) order() (string, error) {
	key, desc := f.Sort, false
	if key == "" {
		key, desc = "updated_at", true
	}
	if strings.HasPrefix(key, "-") {
		key, desc = key[1:], true
	}
	col, ok := sortColumns[key]
	if !ok {
		return "", apperr.Field("sort", "must be one of created_at, updated_at, number, line, priority, sla_due (prefix - for descending)")
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	nulls := ""
	if nullsLast[key] && !(key == "sla_due" && f.AtRiskAt != nil) { // a ticket at risk has a deadline
		nulls = "CASE WHEN " + col + " IS NULL THEN 1 ELSE 0 END, "
	}
	return " ORDER BY " + nulls + col + dir + ", t.id" + dir, nil
}

// joinIDs writes ids as a SQL list. They are integers, so inlining them is
// safe, and a list of groups is the same for every query of one agent.
func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// CountTickets returns how many tickets p may see match f, up to
// f.CountUpTo when that is set.
func (s *Service) CountTickets(ctx context.Context, p auth.Principal, f Filter) (int, error) {
	if p.SeesAllTickets() || f.CountUpTo <= 0 {
		where, args, err := f.where(p)
		if err != nil {
			return 0, err
		}
		return s.count(ctx, `SELECT 1 FROM tickets t`+where, args, f.CountUpTo)
	}
	// A capped count for an agent adds up what each way of reaching a
	// ticket finds from its own index, and stops at the cap: testing every
	// matching row against all the ways at once reads each row from the
	// table (six times slower for the ten queue counts on SQLite). A full
	// count is left to the planner, which does better with the one
	// condition on PostgreSQL.
	var args []any
	branches := visibleBranches(p, &args)
	where, args, err := f.conds(nil, args)
	if err != nil {
		return 0, err
	}
	and := " WHERE "
	if where != "" {
		and = where + " AND "
	}
	for i, b := range branches {
		branches[i] = "SELECT t.id FROM tickets t" + and + "(" + b + ")"
	}
	return s.count(ctx, strings.Join(branches, " UNION ALL "), args, f.CountUpTo)
}

// count counts the rows of rows, up to upTo when that is set.
func (s *Service) count(ctx context.Context, rows string, args []any, upTo int) (int, error) {
	query := `SELECT count(*) FROM (` + rows + `) matched`
	if upTo > 0 {
		query = `SELECT count(*) FROM (SELECT 1 FROM (` + rows + `) matched LIMIT ` + strconv.Itoa(upTo) + `) capped`
	}
	var n int
	if err := s.db.R.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	return n, nil
}
