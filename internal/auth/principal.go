package auth

import (
	"context"
	"slices"
)

// Role is an agent's role.
type Role string

// The roles, from most to least powerful.
const (
	RoleAdmin      Role = "admin"
	RoleSupervisor Role = "supervisor"
	RoleAgent      Role = "agent"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleSupervisor || r == RoleAgent
}

// Principal is the agent a request acts for.
type Principal struct {
	AgentID  int64
	Name     string
	Email    string
	Role     Role
	Line     int
	GroupIDs []int64
}

// IsAdmin reports whether p may administer Linedesk: agents, groups,
// custom fields, mailboxes, failed jobs.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

// SeesAllTickets reports whether p's role reaches every ticket regardless
// of group membership.
func (p Principal) SeesAllTickets() bool {
	return p.Role == RoleAdmin || p.Role == RoleSupervisor
}

// InGroup reports whether p belongs to the group.
func (p Principal) InGroup(groupID int64) bool {
	return slices.Contains(p.GroupIDs, groupID)
}

// System is the principal of Linedesk's own actions (e-mail intake,
// background jobs): it sees every ticket and is recorded as "system".
func System() Principal {
	return Principal{Name: "Linedesk", Role: RoleAdmin}
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal carried by ctx.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
