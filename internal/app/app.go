// Package app wires Linedesk together: it opens the database, builds the
// services, serves HTTP, runs the workers, and stops them in order.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"linedesk/internal/assign"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/config"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/kb"
	"linedesk/internal/mailbox"
	"linedesk/internal/outbound"
	"linedesk/internal/portal"
	"linedesk/internal/reply"
	"linedesk/internal/routing"
	"linedesk/internal/script"
	"linedesk/internal/search"
	"linedesk/internal/sla"
	"linedesk/internal/ticket"
	"linedesk/internal/web"
	"linedesk/internal/web/api"
)

// App is a running Linedesk: every service on one database.
type App struct {
	Config      config.Config
	Log         *slog.Logger
	DB          *db.DB
	Auth        *auth.Service
	Directory   *directory.Service
	Tickets     *ticket.Service
	Attachments *attachment.Service
	Jobs        *job.Queue
	Mailboxes   *mailbox.Service
	SLA         *sla.Service
	KB          *kb.Service
	Scripts     *script.Service
	Replies     *reply.Service
	Portal      *portal.Service
	Search      *search.Service
	Routing     *routing.Service
	Assign      *assign.Service
	Registry    *prometheus.Registry

	outbound *outbound.Service
	promise  portal.Promise
	web      webParts
	listener net.Listener
}

// Open connects to the database, brings its schema up to date and builds
// the services. Close releases what Open took.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (*App, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	d, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: d, Registry: prometheus.NewRegistry()}
	a.Auth = auth.NewService(d)
	a.Directory = directory.NewService(d)
	a.Attachments = attachment.NewService(d, filepath.Join(cfg.DataDir, "attachments"), cfg.AttachmentMaxBytes)
	a.Jobs = job.NewQueue(d, log)
	a.Tickets = ticket.NewService(d, log, a.Directory, a.Attachments, a.Jobs)
	a.SLA = sla.NewService(d, log, a.Directory, a.Tickets, a.Jobs, sla.Config{CheckInterval: cfg.SLACheckInterval})
	a.SLA.Attach()
	a.openKnowledge()
	a.openAutomation()
	if err := a.openSearch(ctx); err != nil {
		d.Close()
		return nil, err
	}
	secret, err := a.openMail()
	if err != nil {
		d.Close()
		return nil, err
	}
	a.openPortal(secret, o)
	if err := a.openWeb(); err != nil {
		d.Close()
		return nil, err
	}
	a.registerMetrics()
	return a, nil
}

// openKnowledge builds what the first line answers from: the knowledge
// base (which hears of ticket changes to count what solved them), scripts,
// canned responses and macros.
func (a *App) openKnowledge() {
	base := a.Config.BaseURL
	if base == "" {
		base = "http://" + a.Config.HTTPAddr
	}
	a.KB = kb.NewService(a.DB, a.Log, a.Attachments, a.Tickets, kb.Config{BaseURL: base})
	a.Tickets.AddHook(a.KB)
	a.Scripts = script.NewService(a.DB, a.Log, a.Tickets, a.Directory, a.KB)
	a.Replies = reply.NewService(a.DB, a.Log, a.Tickets, a.Directory)
}

func (a *App) registerMetrics() {
	a.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(a.DB.W, "writer"),
		newJobCollector(a.Jobs, a.Log),
	)
	if a.DB.R != a.DB.W {
		a.Registry.MustRegister(collectors.NewDBStatsCollector(a.DB.R, "reader"))
	}
}

// Close closes the database.
func (a *App) Close() error {
	return a.DB.Close()
}

// Handler returns the whole HTTP surface.
func (a *App) Handler() http.Handler {
	apiSrv := &api.Server{Log: a.Log, Auth: a.Auth, Directory: a.Directory, Tickets: a.Tickets,
		Attachments: a.Attachments, Jobs: a.Jobs, Mailboxes: a.Mailboxes, SLA: a.SLA, KB: a.KB, Scripts: a.Scripts,
		Replies: a.Replies, Portal: a.Portal, Search: a.Search,
		Routing: a.Routing, Assign: a.Assign}
	return web.New(web.Deps{Log: a.Log, API: apiSrv.Handler(), UI: a.web.agent, Portal: a.web.portal, DB: a.DB.W,
		Registry: a.Registry})
}

// Listen binds the HTTP address, so callers know the port before Run.
func (a *App) Listen() error {
	l, err := net.Listen("tcp", a.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("LINEDESK_HTTP_ADDR: %w", err)
	}
	a.listener = l
	return nil
}

// Addr is the bound HTTP address (after Listen).
func (a *App) Addr() string { return a.listener.Addr().String() }

// Run serves HTTP, listens for mail, runs the job workers and hourly
// housekeeping until ctx is cancelled, then stops in order: HTTP first
// (finishing in-flight requests), then the mail listeners and pollers,
// then the workers (finishing their current job). The caller closes the
// database.
func (a *App) Run(ctx context.Context) error {
	if a.listener == nil {
		if err := a.Listen(); err != nil {
			return err
		}
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
	srv.RegisterOnShutdown(a.endLive)
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	if err := a.SLA.EnsureScheduled(ctx); err != nil {
		return fmt.Errorf("start the SLA scheduler: %w", err)
	}
	if err := a.Assign.EnsureScheduled(ctx); err != nil {
		return fmt.Errorf("start the assignment scheduler: %w", err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := a.Jobs.Run(workCtx, a.Config.Workers); err != nil && !errors.Is(err, context.Canceled) {
			a.Log.Error("job workers stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		a.maintain(workCtx, maintenanceInterval)
	}()
	a.runLive(workCtx, &wg)
	serveErr := make(chan error, 2)
	go func() { serveErr <- srv.Serve(a.listener) }()
	listenCtx, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	defer stopListening()
	var listeners sync.WaitGroup
	a.startListeners(listenCtx, &listeners, serveErr)
	a.Log.Info("serving", "addr", a.Addr(), "database", string(a.DB.Dialect))

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(shutCtx); serr != nil {
		a.Log.Warn("HTTP shutdown", "err", serr)
	}
	stopListening()
	listeners.Wait()
	stopWork()
	wg.Wait()
	a.Log.Info("stopped")
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
