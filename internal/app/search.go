package app

import (
	"context"

	"linedesk/internal/search"
)

// openSearch builds the search index over tickets, contacts, companies
// and knowledge-base articles: changes reach it through hooks that queue
// index jobs in the change's own transaction. The knowledge base then
// searches and suggests articles through it. An index whose structure is
// older is brought up to date when that needs no rebuild.
func (a *App) openSearch(ctx context.Context) error {
	a.Search = search.NewService(a.DB, a.Log, a.Jobs, a.Directory, search.Config{})
	a.Search.Register(search.NewTicketSource(a.Tickets))
	a.Search.Register(search.NewContactSource(a.Directory))
	a.Search.Register(search.NewCompanySource(a.Directory))
	a.Search.Register(search.NewArticleSource(a.Search, a.KB))
	a.Search.RegisterJobs()
	a.Tickets.AddHook(a.Search)
	a.Directory.AddHook(a.Search)
	return a.Search.Upgrade(ctx)
}
