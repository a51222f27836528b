// Package script keeps first-line scripts — guided troubleshooting: an
// administrator drafts a decision tree of questions, answers and leaves
// (a solution, or an escalation to a line or group) and publishes it as a
// numbered version; an agent runs a version on a ticket, and the path
// taken is saved on the ticket as an internal note, escalating it when the
// run ends in an escalation.
package script

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/kb"
	"linedesk/internal/ticket"
)

// Service keeps scripts and their runs.
type Service struct {
	db      *db.DB
	log     *slog.Logger
	tickets *ticket.Service
	dir     *directory.Service
	kb      *kb.Service
}

// NewService returns the script service.
func NewService(d *db.DB, log *slog.Logger, tickets *ticket.Service, dir *directory.Service, k *kb.Service) *Service {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Service{db: d, log: log, tickets: tickets, dir: dir, kb: k}
}

// Script is one decision tree: the draft an administrator edits and,
// once published, its current version.
type Script struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Active      bool      `json:"active"` // offered to agents
	Draft       Tree      `json:"draft"`
	Rev         int64     `json:"rev"`        // rises with every edit of the draft; edits carry the rev they were made on
	VersionID   *int64    `json:"version_id"` // the current published version; nil until first published
	Version     int       `json:"version"`    // its number, 0 when none
	Changed     bool      `json:"changed"`    // the draft differs from the current version
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Version is a published, unchangeable tree.
type Version struct {
	ID          int64     `json:"id"`
	ScriptID    int64     `json:"script_id"`
	Number      int       `json:"number"`
	Tree        Tree      `json:"tree"`
	PublishedBy *int64    `json:"published_by"`
	PublishedAt time.Time `json:"published_at"`
}

// Info is what describes a script.
type Info struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Active      bool   `json:"active"`
}

func (in *Info) normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 {
		return apperr.Field("name", "is required (at most 200 characters)")
	}
	if utf8.RuneCountInString(in.Description) > 2000 {
		return apperr.Field("description", "must be at most 2000 characters")
	}
	return nil
}

func canEdit(p auth.Principal) error {
	if !p.IsAdmin() {
		return apperr.Errorf(apperr.Forbidden, "only administrators may change scripts")
	}
	return nil
}

func nameKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// Create adds a script with an empty draft.
func (s *Service) Create(ctx context.Context, p auth.Principal, in Info) (Script, error) {
	if err := canEdit(p); err != nil {
		return Script{}, err
	}
	if err := in.normalize(); err != nil {
		return Script{}, err
	}
	var id int64
	now := db.Now()
	err := s.db.W.QueryRowContext(ctx, `INSERT INTO scripts (name, name_key, description, active, draft, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		in.Name, nameKey(in.Name), in.Description, in.Active, `{"start":"","nodes":[]}`, agentRef(p), now).Scan(&id)
	if db.IsUniqueViolation(err) {
		return Script{}, apperr.Field("name", "a script named %q exists already", in.Name)
	}
	if err != nil {
		return Script{}, fmt.Errorf("create script: %w", err)
	}
	return s.Find(ctx, id)
}

// UpdateInfo renames, describes, offers or withdraws a script.
func (s *Service) UpdateInfo(ctx context.Context, p auth.Principal, id int64, in Info) (Script, error) {
	if err := canEdit(p); err != nil {
		return Script{}, err
	}
	if err := in.normalize(); err != nil {
		return Script{}, err
	}
	res, err := s.db.W.ExecContext(ctx, `UPDATE scripts SET name = $2, name_key = $3, description = $4, active = $5, updated_at = $6
		WHERE id = $1`, id, in.Name, nameKey(in.Name), in.Description, in.Active, db.Now())
	if db.IsUniqueViolation(err) {
		return Script{}, apperr.Field("name", "a script named %q exists already", in.Name)
	}
	if err != nil {
		return Script{}, fmt.Errorf("update script %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Script{}, notFound(id)
	}
	return s.Find(ctx, id)
}

// Delete removes a script that was never run; one with runs is withdrawn
// instead (Active false), keeping its statistics.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id int64) error {
	if err := canEdit(p); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var runs int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM script_runs WHERE script_id = $1`, id).Scan(&runs); err != nil {
			return err
		}
		if runs > 0 {
			return apperr.Errorf(apperr.Conflict, "the script was run %d times; withdraw it instead, to keep its statistics", runs)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM scripts WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete script %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(id)
		}
		return nil
	})
}

func notFound(id int64) error { return apperr.NotFoundf("script %d not found", id) }

const scriptColumns = `s.id, s.name, s.description, s.active, s.draft, s.rev, s.version_id, COALESCE(v.number, 0),
	COALESCE(v.tree, ''), s.created_at, s.updated_at FROM scripts s LEFT JOIN script_versions v ON v.id = s.version_id`

func scanScript(row db.Scanner) (Script, error) {
	var sc Script
	var draft, current string
	err := row.Scan(&sc.ID, &sc.Name, &sc.Description, &sc.Active, &draft, &sc.Rev, &sc.VersionID, &sc.Version, &current,
		&sc.CreatedAt, &sc.UpdatedAt)
	if err != nil {
		return sc, err
	}
	if err := json.Unmarshal([]byte(draft), &sc.Draft); err != nil {
		return sc, fmt.Errorf("script %d: draft: %w", sc.ID, err)
	}
	sc.Changed = sc.VersionID == nil || canonical(sc.Draft) != current
	return sc, nil
}

// canonical is a tree as stored.
func canonical(t Tree) string {
	b, _ := json.Marshal(t)
	return string(b)
}

// Find returns one script.
func (s *Service) Find(ctx context.Context, id int64) (Script, error) {
	return find(ctx, s.db.R, id)
}

func find(ctx context.Context, q db.Queryer, id int64) (Script, error) {
	sc, err := scanScript(q.QueryRowContext(ctx, `SELECT `+scriptColumns+` WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Script{}, notFound(id)
	}
	if err != nil {
		return Script{}, fmt.Errorf("find script %d: %w", id, err)
	}
	return sc, nil
}

// List returns every script by name; runnable only those agents may run
// (active and published).
func (s *Service) List(ctx context.Context, runnable bool) ([]Script, error) {
	query := `SELECT ` + scriptColumns
	if runnable {
		query += ` WHERE s.active AND s.version_id IS NOT NULL`
	}
	rows, err := s.db.R.QueryContext(ctx, query+` ORDER BY s.name_key, s.id`)
	if err != nil {
		return nil, fmt.Errorf("list scripts: %w", err)
	}
	defer rows.Close()
	out := []Script{}
	for rows.Next() {
		sc, err := scanScript(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// FindVersion returns one published version of a script.
func (s *Service) FindVersion(ctx context.Context, scriptID, versionID int64) (Version, error) {
	var v Version
	var tree string
	err := s.db.R.QueryRowContext(ctx, `SELECT id, script_id, number, tree, published_by, published_at FROM script_versions
		WHERE id = $1 AND script_id = $2`, versionID, scriptID).Scan(&v.ID, &v.ScriptID, &v.Number, &tree, &v.PublishedBy, &v.PublishedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, apperr.NotFoundf("version %d of script %d not found", versionID, scriptID)
	}
	if err != nil {
		return Version{}, fmt.Errorf("find version %d: %w", versionID, err)
	}
	return v, json.Unmarshal([]byte(tree), &v.Tree)
}

func agentRef(p auth.Principal) *int64 {
	if p.AgentID <= 0 {
		return nil
	}
	id := p.AgentID
	return &id
}

func isNotFound(err error) bool { return apperr.Is(err, apperr.NotFound) }

// Offer is a script agents may run, as the ticket page lists it.
type Offer struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Offers lists the scripts agents may run (active and published), by
// name, without their trees.
func (s *Service) Offers(ctx context.Context) ([]Offer, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, description FROM scripts
		WHERE active AND version_id IS NOT NULL ORDER BY name_key, id`)
	if err != nil {
		return nil, fmt.Errorf("list scripts: %w", err)
	}
	defer rows.Close()
	out := []Offer{}
	for rows.Next() {
		var o Offer
		if err := rows.Scan(&o.ID, &o.Name, &o.Description); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
