// Package view keeps the ticket lists agents save: a queue with filters,
// for the agent alone or shared with one of their groups.
package view

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// View is a saved list.
type View struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	OwnerID   int64     `json:"owner_id"`
	GroupID   *int64    `json:"group_id"` // shared with this group; nil: the owner's own
	Queue     string    `json:"queue"`    // the built-in queue it starts from
	Query     string    `json:"query"`    // its filters, as a URL query string
	CreatedAt time.Time `json:"created_at"`
}

// URL is where the view's list is.
func (v View) URL() string {
	u := "/queues/" + url.PathEscape(v.Queue)
	if v.Query != "" {
		u += "?" + v.Query
	}
	return u
}

// Input is a view to save.
type Input struct {
	Name    string
	Queue   string
	Query   string
	GroupID *int64
}

// Service stores views.
type Service struct{ db *db.DB }

// NewService returns the view service.
func NewService(d *db.DB) *Service { return &Service{db: d} }

// Create saves a view for p, shared with a group p belongs to when
// in.GroupID is set (administrators may share with any group).
func (s *Service) Create(ctx context.Context, p auth.Principal, in Input) (View, error) {
	v := View{Name: strings.TrimSpace(in.Name), OwnerID: p.AgentID, GroupID: in.GroupID, Queue: in.Queue, CreatedAt: db.Now()}
	if v.Name == "" || utf8.RuneCountInString(v.Name) > 80 {
		return View{}, apperr.Field("name", "give the view a name of at most 80 characters")
	}
	if v.Queue == "" || strings.ContainsAny(v.Queue, "/?#") {
		return View{}, apperr.Field("queue", "a view starts from a queue")
	}
	q, err := url.ParseQuery(in.Query)
	if err != nil || len(in.Query) > 2000 {
		return View{}, apperr.Field("query", "the view's filters are not a valid query")
	}
	q.Del("page")
	v.Query = q.Encode()
	if v.GroupID != nil && !p.IsAdmin() && !p.InGroup(*v.GroupID) {
		return View{}, apperr.Field("group_id", "you can share a view only with your own groups")
	}
	err = s.db.W.QueryRowContext(ctx, `INSERT INTO saved_views (name, owner_agent_id, group_id, queue, query, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, v.Name, v.OwnerID, v.GroupID, v.Queue, v.Query, v.CreatedAt).Scan(&v.ID)
	if db.IsForeignKeyViolation(err) {
		return View{}, apperr.Field("group_id", "no such group")
	}
	if err != nil {
		return View{}, fmt.Errorf("save view: %w", err)
	}
	return v, nil
}

// List returns p's own views and those shared with p's groups, by name.
func (s *Service) List(ctx context.Context, p auth.Principal) ([]View, error) {
	query := `SELECT id, name, owner_agent_id, group_id, queue, query, created_at FROM saved_views WHERE owner_agent_id = $1`
	if len(p.GroupIDs) > 0 {
		ids := make([]string, len(p.GroupIDs))
		for i, g := range p.GroupIDs {
			ids[i] = strconv.FormatInt(g, 10)
		}
		query += ` OR group_id IN (` + strings.Join(ids, ",") + `)`
	}
	rows, err := s.db.R.QueryContext(ctx, query+` ORDER BY name, id`, p.AgentID)
	if err != nil {
		return nil, fmt.Errorf("list views: %w", err)
	}
	defer rows.Close()
	out := []View{}
	for rows.Next() {
		var v View
		if err := rows.Scan(&v.ID, &v.Name, &v.OwnerID, &v.GroupID, &v.Queue, &v.Query, &v.CreatedAt); err != nil {
			return nil, fmt.Errorf("list views: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Delete removes a view; only its owner or an administrator may.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id int64) error {
	var owner int64
	err := s.db.R.QueryRowContext(ctx, `SELECT owner_agent_id FROM saved_views WHERE id = $1`, id).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("view %d not found", id)
	}
	if err != nil {
		return fmt.Errorf("find view %d: %w", id, err)
	}
	if owner != p.AgentID && !p.IsAdmin() {
		return apperr.Errorf(apperr.Forbidden, "only the owner of a view may delete it")
	}
	if _, err := s.db.W.ExecContext(ctx, `DELETE FROM saved_views WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete view %d: %w", id, err)
	}
	return nil
}
