package app

import (
	"linedesk/internal/assign"
	"linedesk/internal/routing"
)

// openAutomation builds the routing rules and assignment. Both are ticket
// hooks, added in this order: a ticket a rule moves into a group is
// assigned there in the same transaction.
func (a *App) openAutomation() {
	a.Routing = routing.NewService(routing.Deps{DB: a.DB, Log: a.Log, Dir: a.Directory, Tickets: a.Tickets, Plans: a.SLA,
		Replies: a.Replies, Jobs: a.Jobs})
	a.Routing.Attach()
	a.Assign = assign.NewService(a.DB, a.Log, a.Directory, a.Tickets, a.Jobs, assign.Config{})
	a.Assign.Attach()
}
