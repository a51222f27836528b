// Package directory keeps the people and organisations around tickets:
// companies, contacts, agents, groups and plans.
package directory

import (
	"strings"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Service manages the directory.
type Service struct {
	db *db.DB
}

// NewService returns a directory service on d.
func NewService(d *db.DB) *Service {
	return &Service{db: d}
}

// Languages a contact or agent may use.
var Languages = []string{"en", "ru", "lv"}

// Contact is a person who asks for help.
type Contact struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	Email         string    `json:"email"`  // primary address, "" when none
	Emails        []string  `json:"emails"` // all addresses, primary first
	Phone         string    `json:"phone"`
	CompanyID     *int64    `json:"company_id"`
	Language      string    `json:"language"`
	Notes         string    `json:"notes"`
	Blocked       bool      `json:"blocked"`
	BlockedReason string    `json:"blocked_reason"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Agent is a member of the support team.
type Agent struct {
	ID                 int64     `json:"id"`
	Name               string    `json:"name"`
	Email              string    `json:"email"`
	Role               auth.Role `json:"role"`
	Line               int       `json:"line"`
	Language           string    `json:"language"`
	Active             bool      `json:"active"`
	GroupIDs           []int64   `json:"group_ids"`
	MustChangePassword bool      `json:"must_change_password"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// AgentInput creates an agent. Password may be empty: the agent then
// cannot sign in until one is set.
type AgentInput struct {
	Name               string
	Email              string
	Password           string
	Role               auth.Role
	Line               int
	Language           string
	GroupIDs           []int64
	MustChangePassword bool
}

// NormalizeEmail lower-cases and trims an address; addresses are compared
// case-insensitively everywhere.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// nameKey is the case-insensitive uniqueness key of a name (SQLite's
// lower() folds only ASCII, so the key is made in Go).
func nameKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
