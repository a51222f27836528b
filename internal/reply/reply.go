// Package reply keeps canned responses and macros: texts in English,
// Russian and Latvian with variables filled in from the ticket, an agent's
// own or shared with one of their groups. A macro is a text plus actions
// on the ticket (status, priority, group, line, tags, assignee), shown
// before it is applied and then applied all at once.
package reply

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

// Languages a text may be written in, the fallback order.
var Languages = []string{"en", "ru", "lv"}

// Kind tells canned responses from macros.
type Kind string

// The kinds.
const (
	Response Kind = "response"
	Macro    Kind = "macro"
)

// Reply is a canned response or a macro.
type Reply struct {
	ID        int64             `json:"id"`
	Kind      Kind              `json:"kind"`
	Name      string            `json:"name"`
	OwnerID   int64             `json:"owner_id"`
	OwnerName string            `json:"owner_name"`
	GroupID   *int64            `json:"group_id"` // shared with this group; nil: the owner's own
	Texts     map[string]string `json:"texts"`    // by language
	Public    bool              `json:"public"`   // a macro's text is a public reply (else an internal note)
	Actions   Actions           `json:"actions"`  // a macro's
	Version   int64             `json:"version"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// Languages lists the languages the reply has a text in, in order.
func (r Reply) Languages() []string {
	var out []string
	for _, l := range Languages {
		if r.Texts[l] != "" {
			out = append(out, l)
		}
	}
	return out
}

// Pick chooses the language to answer in: the first of prefer the reply
// has a text in, else the first it has in Languages' order.
func (r Reply) Pick(prefer ...string) string {
	for _, l := range append(prefer, Languages...) {
		if r.Texts[l] != "" {
			return l
		}
	}
	return ""
}

// Input creates or replaces a reply.
type Input struct {
	Name    string            `json:"name"`
	GroupID *int64            `json:"group_id"`
	Texts   map[string]string `json:"texts"`
	Public  bool              `json:"public"`
	Actions Actions           `json:"actions"`
}

// Service keeps replies and applies macros.
type Service struct {
	db      *db.DB
	log     *slog.Logger
	tickets *ticket.Service
	dir     *directory.Service
}

// NewService returns the reply service.
func NewService(d *db.DB, log *slog.Logger, tickets *ticket.Service, dir *directory.Service) *Service {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Service{db: d, log: log, tickets: tickets, dir: dir}
}

const maxText = 20_000

func (s *Service) normalize(ctx context.Context, p auth.Principal, kind Kind, in *Input) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 120 {
		return apperr.Field("name", "is required (at most 120 characters)")
	}
	texts := map[string]string{}
	for lang, body := range in.Texts {
		if !slices.Contains(Languages, lang) {
			return apperr.Field("texts", "%q is not a language; use en, ru or lv", lang)
		}
		body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
		if body == "" {
			continue
		}
		if utf8.RuneCountInString(body) > maxText {
			return apperr.Field("texts."+lang, "must be at most %d characters", maxText)
		}
		if _, err := tokens("texts."+lang, body); err != nil {
			return err
		}
		texts[lang] = body
	}
	in.Texts = texts
	if kind == Response {
		in.Actions, in.Public = Actions{}, true
		if len(texts) == 0 {
			return apperr.Field("texts", "write the response in at least one language")
		}
	}
	if kind == Macro {
		if err := s.checkActions(ctx, &in.Actions); err != nil {
			return err
		}
		if len(texts) == 0 && in.Actions.Empty() {
			return apperr.Field("actions", "a macro needs a reply text or at least one action")
		}
	}
	if in.GroupID != nil {
		if _, err := s.dir.FindGroup(ctx, *in.GroupID); apperr.Is(err, apperr.NotFound) {
			return apperr.Field("group_id", "group %d does not exist", *in.GroupID)
		} else if err != nil {
			return err
		}
		if !p.IsAdmin() && !p.InGroup(*in.GroupID) {
			return apperr.Field("group_id", "you can share only with your own groups")
		}
	}
	return nil
}

// Create saves a reply for p, shared with a group when in.GroupID is set.
func (s *Service) Create(ctx context.Context, p auth.Principal, kind Kind, in Input) (Reply, error) {
	if p.AgentID <= 0 {
		return Reply{}, apperr.Errorf(apperr.Forbidden, "only an agent may keep replies")
	}
	if kind != Response && kind != Macro {
		return Reply{}, apperr.Field("kind", "must be response or macro")
	}
	if err := s.normalize(ctx, p, kind, &in); err != nil {
		return Reply{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := db.Now()
		actions, _ := json.Marshal(in.Actions)
		err := tx.QueryRowContext(ctx, `INSERT INTO replies (kind, name, owner_agent_id, group_id, public, actions, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			kind, in.Name, p.AgentID, in.GroupID, in.Public, string(actions), now).Scan(&id)
		if err != nil {
			return fmt.Errorf("create %s: %w", kind, err)
		}
		return setTexts(ctx, tx, id, in.Texts)
	})
	if err != nil {
		return Reply{}, err
	}
	return s.Find(ctx, p, id)
}

func setTexts(ctx context.Context, tx *sql.Tx, id int64, texts map[string]string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM reply_texts WHERE reply_id = $1`, id); err != nil {
		return err
	}
	for _, lang := range Languages {
		if body := texts[lang]; body != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO reply_texts (reply_id, language, body) VALUES ($1, $2, $3)`,
				id, lang, body); err != nil {
				return fmt.Errorf("save text %s of reply %d: %w", lang, id, err)
			}
		}
	}
	return nil
}

// Update replaces a reply, if it is still at version (0 skips the check).
// Only its owner or an administrator may.
func (s *Service) Update(ctx context.Context, p auth.Principal, id, version int64, in Input) (Reply, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.editable(ctx, tx, p, id, version)
		if err != nil {
			return err
		}
		if err := s.normalize(ctx, p, r.Kind, &in); err != nil {
			return err
		}
		actions, _ := json.Marshal(in.Actions)
		_, err = tx.ExecContext(ctx, `UPDATE replies SET name = $2, group_id = $3, public = $4, actions = $5,
			version = version + 1, updated_at = $6 WHERE id = $1`, id, in.Name, in.GroupID, in.Public, string(actions), db.Now())
		if err != nil {
			return fmt.Errorf("update reply %d: %w", id, err)
		}
		return setTexts(ctx, tx, id, in.Texts)
	})
	if err != nil {
		return Reply{}, err
	}
	return s.Find(ctx, p, id)
}

// Delete removes a reply; only its owner or an administrator may.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.editable(ctx, tx, p, id, 0); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM replies WHERE id = $1`, id)
		return err
	})
}

// editable loads a reply p may change, locked.
func (s *Service) editable(ctx context.Context, tx *sql.Tx, p auth.Principal, id, version int64) (Reply, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE replies SET version = version WHERE id = $1`, id); err != nil {
		return Reply{}, err
	}
	r, err := s.find(ctx, tx, p, id)
	if err != nil {
		return Reply{}, err
	}
	if r.OwnerID != p.AgentID && !p.IsAdmin() {
		return Reply{}, apperr.Errorf(apperr.Forbidden, "only the owner of %q or an administrator may change it", r.Name)
	}
	if version != 0 && r.Version != version {
		return Reply{}, &apperr.Error{Code: apperr.Conflict, Field: "version",
			Message: fmt.Sprintf("%q was changed by someone else meanwhile; reload it", r.Name)}
	}
	return r, nil
}

// visible is the condition on alias r for replies p may use: their own,
// and those shared with their groups. Administrators see every reply.
func visible(w *db.Where, p auth.Principal) {
	if p.IsAdmin() {
		return
	}
	cond := `r.owner_agent_id = ` + w.Arg(p.AgentID)
	if len(p.GroupIDs) > 0 {
		ids := make([]string, len(p.GroupIDs))
		for i, g := range p.GroupIDs {
			ids[i] = strconv.FormatInt(g, 10)
		}
		cond += ` OR r.group_id IN (` + strings.Join(ids, ", ") + `)`
	}
	w.Add("(" + cond + ")")
}

const columns = `r.id, r.kind, r.name, r.owner_agent_id, COALESCE(a.name, ''), r.group_id, r.public, r.actions, r.version,
	r.created_at, r.updated_at FROM replies r LEFT JOIN agents a ON a.id = r.owner_agent_id`

func scan(row db.Scanner) (Reply, error) {
	var r Reply
	var actions string
	err := row.Scan(&r.ID, &r.Kind, &r.Name, &r.OwnerID, &r.OwnerName, &r.GroupID, &r.Public, &actions, &r.Version,
		&r.CreatedAt, &r.UpdatedAt)
	if err == nil {
		err = json.Unmarshal([]byte(actions), &r.Actions)
	}
	return r, err
}

// Find returns a reply p may use; one p may not is NotFound.
func (s *Service) Find(ctx context.Context, p auth.Principal, id int64) (Reply, error) {
	return s.find(ctx, s.db.R, p, id)
}

func (s *Service) find(ctx context.Context, q db.Queryer, p auth.Principal, id int64) (Reply, error) {
	var w db.Where
	w.Add(`r.id = ` + w.Arg(id))
	visible(&w, p)
	r, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+w.String(), w.Args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Reply{}, apperr.NotFoundf("reply %d not found", id)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("find reply %d: %w", id, err)
	}
	list := []*Reply{&r}
	return r, withTexts(ctx, q, list)
}

// Filter selects replies.
type Filter struct {
	Kind Kind
	Q    string // a case-insensitive part of the name or of a text
	Mine bool   // only p's own, not those shared with p's groups
	All  bool   // every reply, for an administrator's screen
}

// List returns the replies p may use (an administrator with f.All: every
// one) of a kind, by name.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]Reply, error) {
	var w db.Where
	w.Add(`r.kind = ` + w.Arg(string(f.Kind)))
	switch {
	case f.Mine:
		w.Add(`r.owner_agent_id = ` + w.Arg(p.AgentID))
	case f.All && p.IsAdmin():
	default:
		visible(&w, auth.Principal{AgentID: p.AgentID, GroupIDs: p.GroupIDs})
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+columns+w.String()+` ORDER BY r.name, r.id`, w.Args...)
	if err != nil {
		return nil, fmt.Errorf("list replies: %w", err)
	}
	var list []*Reply
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, &r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := withTexts(ctx, s.db.R, list); err != nil {
		return nil, err
	}
	out := []Reply{}
	q := strings.ToLower(strings.TrimSpace(f.Q))
	for _, r := range list {
		if q == "" || r.matches(q) {
			out = append(out, *r)
		}
	}
	return out, nil
}

// matches reports whether the name or a text holds q (lower-case).
func (r Reply) matches(q string) bool {
	if strings.Contains(strings.ToLower(r.Name), q) {
		return true
	}
	for _, t := range r.Texts {
		if strings.Contains(strings.ToLower(t), q) {
			return true
		}
	}
	return false
}

func withTexts(ctx context.Context, q db.Queryer, list []*Reply) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*Reply{}
	ids := make([]int64, len(list))
	for i, r := range list {
		byID[r.ID], ids[i] = r, r.ID
		r.Texts = map[string]string{}
	}
	for chunk := range slices.Chunk(ids, 500) {
		in, args := db.In(chunk, 1)
		rows, err := q.QueryContext(ctx, `SELECT reply_id, language, body FROM reply_texts WHERE reply_id IN (`+in+`)`, args...)
		if err != nil {
			return fmt.Errorf("texts of replies: %w", err)
		}
		for rows.Next() {
			var id int64
			var lang, body string
			if err := rows.Scan(&id, &lang, &body); err != nil {
				rows.Close()
				return err
			}
			byID[id].Texts[lang] = body
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
