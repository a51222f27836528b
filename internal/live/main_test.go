package live_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"linedesk/internal/dbtest"
	"linedesk/internal/live"
)

func TestMain(m *testing.M) {
	os.Exit(dbtest.Main(m))
}

// wait is how long a test waits for something that should happen soon.
const wait = 10 * time.Second

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// recv returns the next event, failing the test if none comes in time.
func recv(t *testing.T, events <-chan live.Event) live.Event {
	t.Helper()
	select {
	case e := <-events:
		return e
	case <-time.After(wait):
		t.Fatal("no event came")
		return live.Event{}
	}
}

// none fails the test if an event is waiting.
func none(t *testing.T, events <-chan live.Event) {
	t.Helper()
	select {
	case e := <-events:
		t.Fatalf("unexpected event %s", show(e))
	default:
	}
}

// signal returns a function that signals ch without blocking, for hooks.
func signal(ch chan struct{}) func() {
	return func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// await waits for a signal on ch.
func await(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(wait):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// logBuffer collects log output written from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) contains(s string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Contains(b.buf.String(), s)
}

func ptr[T any](v T) *T { return &v }

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// show formats an event with its ids rather than their addresses.
func show(e live.Event) string {
	id := func(p *int64) string {
		if p == nil {
			return "nil"
		}
		return strconv.FormatInt(*p, 10)
	}
	return fmt.Sprintf("{%s ticket %d version %d group %s assignee %s}", e.Kind, e.TicketID, e.Version, id(e.GroupID), id(e.AssigneeID))
}
