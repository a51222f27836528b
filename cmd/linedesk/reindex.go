package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"linedesk/internal/app"
	"linedesk/internal/config"
	"linedesk/internal/search"
)

// reindexCmd rebuilds the search index in place, showing its progress on
// stderr. Linedesk may keep serving meanwhile: searches answer from the
// index as it is, and changes made during the rebuild are kept.
func reindexCmd(ctx context.Context, cfg config.Config, log *slog.Logger, stderr io.Writer) error {
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	show := progressPrinter(stderr, isTerminal(stderr))
	start := time.Now()
	var last search.Progress
	err = a.Search.Rebuild(ctx, func(p search.Progress) {
		last = p
		show(p, false)
	})
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	show(last, true)
	fmt.Fprintf(stderr, "reindexed %d documents in %s\n", last.Done, time.Since(start).Round(time.Millisecond))
	return nil
}

// progressPrinter writes "done / total, rate, ETA": on a terminal one line
// rewritten five times a second, elsewhere (a log) a line every 5 s.
func progressPrinter(w io.Writer, terminal bool) func(p search.Progress, final bool) {
	every, end := 5*time.Second, "\n"
	if terminal {
		every, end = 200*time.Millisecond, ""
	}
	var shown time.Time
	return func(p search.Progress, final bool) {
		if !final && time.Since(shown) < every {
			return
		}
		shown = time.Now()
		pct := 100.0
		if p.Total > 0 {
			pct = 100 * float64(p.Done) / float64(p.Total)
		}
		line := fmt.Sprintf("%d / %d documents (%.1f%%), %.0f/s, ETA %s", p.Done, p.Total, pct, p.Rate(),
			p.ETA().Round(time.Second))
		if terminal {
			fmt.Fprintf(w, "\r\033[K%s", line)
			if final {
				fmt.Fprintln(w)
			}
			return
		}
		fmt.Fprint(w, line+end)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
