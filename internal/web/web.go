// Package web puts Linedesk's HTTP surface together: the REST API, health
// and metrics endpoints, and the middleware every request passes through.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Pinger is what the health check needs of the database.
type Pinger interface {
	PingContext(ctx context.Context) error
}

// Deps are what the HTTP surface is built from.
type Deps struct {
	Log      *slog.Logger
	API      http.Handler
	UI       http.Handler // the agent workspace, at /
	Portal   http.Handler // the customer portal, at /portal/
	DB       Pinger
	Registry *prometheus.Registry
}

// New returns the root handler.
func New(d Deps) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", d.API)
	if d.UI != nil {
		mux.Handle("/", d.UI)
	}
	if d.Portal != nil {
		mux.Handle("/portal/", d.Portal)
	}
	mux.HandleFunc("GET /healthz", healthz(d.DB))
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{}))
	m := newHTTPMetrics(d.Registry)
	return recoverer(d.Log, m.wrap(mux, d.Log))
}

func healthz(p Pinger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := p.PingContext(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database unavailable\n"))
			return
		}
		w.Write([]byte("ok\n"))
	}
}

// recoverer turns a panicking handler into a logged 500 instead of a
// dropped connection.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "handler panicked", "method", r.Method, "path", r.URL.Path, "panic", v)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				w.Write([]byte(`{"error":{"code":"internal","message":"internal error"}}` + "\n"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
