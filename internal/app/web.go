package app

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/alexedwards/scs/v2"

	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/i18n"
	"linedesk/internal/live"
	"linedesk/internal/view"
	"linedesk/internal/web/agent"
	webportal "linedesk/internal/web/portal"
	"linedesk/internal/web/static"
)

// webParts are what the browser-facing screens need beside the domain
// services.
type webParts struct {
	text     *i18n.Bundle
	assets   *static.Assets
	sessions *scs.SessionManager
	hub      *live.Hub
	presence *live.Presence
	watcher  *live.Watcher
	views    *view.Service
	agent    http.Handler
	portal   http.Handler
	closing  chan struct{} // closed when the HTTP server shuts down: live streams end
	close    sync.Once
}

func (a *App) openWeb() error {
	var err error
	w := &a.web
	if w.text, err = i18n.New(); err != nil {
		return err
	}
	if w.assets, err = static.New(); err != nil {
		return err
	}
	w.sessions = scs.New()
	w.sessions.Store = auth.NewSessionStore(a.DB)
	w.sessions.Lifetime = a.Config.SessionLifetime
	w.sessions.Cookie.Name = "linedesk_session"
	w.hub = live.NewHub(a.Log)
	w.presence = a.newPresence()
	w.watcher = live.NewWatcher(a.DB, w.hub, a.Log)
	w.views = view.NewService(a.DB)
	w.closing = make(chan struct{})
	if w.agent, err = a.agentHandler(w.closing); err != nil {
		return err
	}
	w.portal, err = a.portalHandler(w.closing)
	return err
}

// portalHandler is the customer portal, with sessions of its own: a
// customer's cookie never opens the workspace.
func (a *App) portalHandler(closing <-chan struct{}) (http.Handler, error) {
	sessions := scs.New()
	sessions.Store = a.web.sessions.Store
	sessions.Lifetime = a.Config.PortalSession
	sessions.Cookie.Name = "linedesk_portal"
	s := &webportal.Server{Log: a.Log, Portal: a.Portal, Tickets: a.Tickets, Directory: a.Directory,
		Attachments: a.Attachments, Sessions: sessions, Text: a.web.text, Assets: a.web.assets, Hub: a.web.hub,
		Promise: a.promise, SecureOnly: strings.HasPrefix(a.Config.BaseURL, "https://"), Closing: closing,
		TrustedProxies: a.Config.TrustedProxies, KB: a.KB, Plans: a.PortalPlans(), Search: a.Search,
		AgentBrowser: func(r *http.Request) bool { return agent.SignedInAgent(r, a.web.sessions) != 0 }}
	return s.Handler()
}

func (a *App) newPresence() *live.Presence {
	if a.DB.Dialect == db.Postgres {
		p, err := live.NewPresenceShared(a.web.hub, a.Log, a.Config.DatabaseURL)
		if err == nil {
			return p
		}
		a.Log.Warn("presence stays on this node", "err", err)
	}
	return live.NewPresence(a.web.hub, a.Log)
}

// endLive ends the workspace's live streams, so a shutdown does not wait
// for browsers that would keep them open forever.
func (a *App) endLive() {
	a.web.close.Do(func() { close(a.web.closing) })
}

// agentHandler is the workspace. closing ends its live streams when the
// server shuts down.
func (a *App) agentHandler(closing <-chan struct{}) (http.Handler, error) {
	s := &agent.Server{Log: a.Log, Auth: a.Auth, Directory: a.Directory, Tickets: a.Tickets,
		Attachments: a.Attachments, Jobs: a.Jobs, Mailboxes: a.Mailboxes, Sessions: a.web.sessions,
		Text: a.web.text, Assets: a.web.assets, Hub: a.web.hub, Presence: a.web.presence, Watcher: a.web.watcher,
		Views: a.web.views, SLA: a.SLA, Version: a.Config.Version, SecureOnly: strings.HasPrefix(a.Config.BaseURL, "https://"),
		Closing: closing, TrustedProxies: a.Config.TrustedProxies, MailboxChecker: a, Portal: a.Portal,
		BaseURL: a.Config.BaseURL, KB: a.KB, Scripts: a.Scripts, Replies: a.Replies,
		Search: a.Search, Routing: a.Routing, Assign: a.Assign}
	return s.Handler()
}

// runLive runs the watcher that turns database changes into live events
// and the presence sweeper, until ctx ends.
func (a *App) runLive(ctx context.Context, wg *sync.WaitGroup) {
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := a.web.watcher.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			a.Log.Error("live watcher stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := a.web.presence.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			a.Log.Error("presence stopped", "err", err)
		}
	}()
}
