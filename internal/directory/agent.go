package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // time zones are checked the same on hosts without a zone database

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Agent is a member of the support team.
type Agent struct {
	ID                 int64     `json:"id"`
	Name               string    `json:"name"`
	Email              string    `json:"email"`
	Role               auth.Role `json:"role"`
	Line               int       `json:"line"`
	Language           string    `json:"language"`
	TimeZone           string    `json:"time_zone"`
	Active             bool      `json:"active"`
	GroupIDs           []int64   `json:"group_ids"`
	MustChangePassword bool      `json:"must_change_password"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// AgentInput creates an agent. Password may be empty: the agent then
// cannot sign in until one is set. Role defaults to agent, Line to 1,
// Language to en and TimeZone to UTC.
type AgentInput struct {
	Name               string    `json:"name"`
	Email              string    `json:"email"`
	Password           string    `json:"password"`
	Role               auth.Role `json:"role"`
	Line               int       `json:"line"`
	Language           string    `json:"language"`
	TimeZone           string    `json:"time_zone"`
	GroupIDs           []int64   `json:"group_ids"`
	MustChangePassword bool      `json:"must_change_password"`
}

// AgentFilter selects agents: Q is a part of the name or e-mail (names
// fold case as described on ContactFilter); Role, GroupID and Active,
// when set, must match.
type AgentFilter struct {
	Q       string
	Role    auth.Role
	GroupID *int64
	Active  *bool
	Offset  int
	Limit   int // 25 when 0, at most 500
}

const minPassword = 8

// normalize checks every field but the password and groups.
func (a *Agent) normalize() (err error) {
	if a.Name, err = validName("name", a.Name); err != nil {
		return err
	}
	if a.Email, err = ValidEmail("email", a.Email); err != nil {
		return err
	}
	if a.Role == "" {
		a.Role = auth.RoleAgent
	}
	if !a.Role.Valid() {
		return apperr.Field("role", "must be admin, supervisor or agent")
	}
	if a.Line == 0 {
		a.Line = 1
	}
	if a.Line < 1 || a.Line > 4 {
		return apperr.Field("line", "must be 1, 2, 3 or 4")
	}
	if a.Language, err = validLanguage(a.Language); err != nil {
		return err
	}
	a.TimeZone, err = validTimeZone(a.TimeZone)
	return err
}

// validTimeZone returns an IANA time zone name, "UTC" when empty, or an
// error on the field.
func validTimeZone(tz string) (string, error) {
	tz = strings.TrimSpace(tz)
	if tz == "" {
		return "UTC", nil
	}
	// "Local" would be whatever the server's zone happens to be.
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		return "", apperr.Field("time_zone", "must be a time zone name such as Europe/Riga or UTC")
	}
	return tz, nil
}

// passwordHash checks and hashes a new password; "" stays "".
func passwordHash(password string) (string, error) {
	if password == "" {
		return "", nil
	}
	if len(password) < minPassword {
		return "", apperr.Field("password", "must be at least %d characters", minPassword)
	}
	return auth.HashPassword(password)
}

func emailTaken(err error, what string) error {
	if db.IsUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Field: "email", Message: "an agent with this e-mail already exists"}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// CreateAgent adds an agent; its e-mail must be unused.
func (s *Service) CreateAgent(ctx context.Context, in AgentInput) (Agent, error) {
	a := Agent{Name: in.Name, Email: in.Email, Role: in.Role, Line: in.Line, Language: in.Language, TimeZone: in.TimeZone}
	if err := a.normalize(); err != nil {
		return Agent{}, err
	}
	hash, err := passwordHash(in.Password)
	if err != nil {
		return Agent{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO agents (name, email, password_hash, role, line, language, time_zone, active, must_change_password, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $9, $9) RETURNING id`,
			a.Name, a.Email, hash, a.Role, a.Line, a.Language, a.TimeZone, in.MustChangePassword, db.Now()).Scan(&a.ID)
		if err != nil {
			return emailTaken(err, "create agent")
		}
		return setAgentGroups(ctx, tx, a.ID, in.GroupIDs)
	})
	if err != nil {
		return Agent{}, err
	}
	return s.FindAgent(ctx, a.ID)
}

func setAgentGroups(ctx context.Context, tx *sql.Tx, agentID int64, groupIDs []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM agent_groups WHERE agent_id = $1`, agentID); err != nil {
		return fmt.Errorf("set groups of agent %d: %w", agentID, err)
	}
	for _, g := range groupIDs {
		_, err := tx.ExecContext(ctx, `INSERT INTO agent_groups (agent_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, agentID, g)
		if db.IsForeignKeyViolation(err) {
			return apperr.Field("group_ids", "group %d does not exist", g)
		}
		if err != nil {
			return fmt.Errorf("set groups of agent %d: %w", agentID, err)
		}
	}
	return nil
}

const agentColumns = `id, name, email, role, line, language, time_zone, active, must_change_password, created_at, updated_at`

func scanAgent(row db.Scanner) (Agent, error) {
	var a Agent
	err := row.Scan(&a.ID, &a.Name, &a.Email, &a.Role, &a.Line, &a.Language, &a.TimeZone, &a.Active, &a.MustChangePassword,
		&a.CreatedAt, &a.UpdatedAt)
	return a, err
}

const agentGroupsSQL = `SELECT agent_id, group_id FROM agent_groups WHERE agent_id IN (%s) ORDER BY group_id`

// FindAgent returns one agent with its groups.
func (s *Service) FindAgent(ctx context.Context, id int64) (Agent, error) {
	return findAgent(ctx, s.db.R, `id = $1`, id, fmt.Sprintf("agent %d", id))
}

// FindAgentByEmail returns the agent with that e-mail address.
func (s *Service) FindAgentByEmail(ctx context.Context, email string) (Agent, error) {
	email = NormalizeEmail(email)
	return findAgent(ctx, s.db.R, `email = $1`, email, "agent "+email)
}

func findAgent(ctx context.Context, q db.Queryer, cond string, arg any, what string) (Agent, error) {
	a, err := scanAgent(q.QueryRowContext(ctx, `SELECT `+agentColumns+` FROM agents WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, apperr.NotFoundf("%s not found", what)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("find %s: %w", what, err)
	}
	list := []Agent{a}
	if err := withGroups(ctx, q, list); err != nil {
		return Agent{}, err
	}
	return list[0], nil
}

// withGroups fills in the groups of the agents.
func withGroups(ctx context.Context, q db.Queryer, list []Agent) error {
	ids := make([]int64, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	groups, err := childrenOf[int64](ctx, q, agentGroupsSQL, ids)
	if err != nil {
		return fmt.Errorf("groups of agents: %w", err)
	}
	for i := range list {
		list[i].GroupIDs = orEmpty(groups[list[i].ID])
	}
	return nil
}

// FindAgents returns a page of agents ordered by name, with their groups,
// and how many match.
func (s *Service) FindAgents(ctx context.Context, f AgentFilter) ([]Agent, int, error) {
	var w db.Where
	if f.Q != "" {
		p := w.Arg(likeContains(f.Q))
		w.Add(`(lower(name) LIKE ` + p + ` ESCAPE '\' OR email LIKE ` + p + ` ESCAPE '\')`)
	}
	if f.Role != "" {
		if !f.Role.Valid() {
			return nil, 0, apperr.Field("role", "must be admin, supervisor or agent")
		}
		w.Add(`role = ` + w.Arg(f.Role))
	}
	if f.GroupID != nil {
		w.Add(`id IN (SELECT agent_id FROM agent_groups WHERE group_id = ` + w.Arg(*f.GroupID) + `)`)
	}
	if f.Active != nil {
		w.Add(`active = ` + w.Arg(*f.Active))
	}
	list, total, err := db.FindPage(ctx, s.db.R, agentColumns, "agents", "lower(name), id", w, f.Offset, f.Limit, scanAgent)
	if err != nil {
		return nil, 0, err
	}
	if err := withGroups(ctx, s.db.R, list); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}
