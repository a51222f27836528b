package live_test

import (
	"sync"
	"testing"

	"linedesk/internal/live"
)

func TestHub(t *testing.T) {
	t.Run("every subscriber gets every event, in order", func(t *testing.T) {
		h := live.NewHub(quiet())
		a, cancelA := h.Subscribe()
		defer cancelA()
		b, cancelB := h.Subscribe()
		defer cancelB()
		for i := int64(1); i <= 3; i++ {
			h.Publish(live.Event{Kind: live.KindTicket, TicketID: i, Version: i})
		}
		for _, events := range []<-chan live.Event{a, b} {
			for i := int64(1); i <= 3; i++ {
				if got := recv(t, events); got.TicketID != i || got.Kind != live.KindTicket {
					t.Errorf("got %+v, want ticket %d", got, i)
				}
			}
			none(t, events)
		}
	})

	t.Run("cancel ends the subscription and closes the channel", func(t *testing.T) {
		h := live.NewHub(quiet())
		events, cancel := h.Subscribe()
		cancel()
		cancel() // twice is harmless
		h.Publish(live.Event{Kind: live.KindTicket, TicketID: 1})
		if e, ok := <-events; ok {
			t.Errorf("got %+v after cancel, want a closed channel", e)
		}
	})

	t.Run("a slow subscriber loses events and is told to resync once, without holding up others", func(t *testing.T) {
		h := live.NewHub(quiet())
		slow, cancelSlow := h.Subscribe()
		defer cancelSlow()
		fast, cancelFast := h.Subscribe()
		defer cancelFast()
		drain := func(events <-chan live.Event) []live.Event {
			var got []live.Event
			for {
				select {
				case e := <-events:
					got = append(got, e)
				default:
					return got
				}
			}
		}
		n := int64(live.SubscriberBuffer + 10)
		for i := int64(1); i <= n; i++ {
			h.Publish(live.Event{Kind: live.KindTicket, TicketID: i})
			if i%50 == 0 {
				if got := drain(fast); len(got) != 50 {
					t.Fatalf("fast subscriber got %d events, want 50", len(got))
				}
			}
		}
		if got := drain(fast); int64(len(got)) != n%50 || got[len(got)-1].TicketID != n {
			t.Fatalf("fast subscriber's last events %+v, want all up to ticket %d", got, n)
		}

		got := drain(slow)
		if len(got) != live.SubscriberBuffer+1 {
			t.Fatalf("slow subscriber got %d events, want %d and a resync", len(got), live.SubscriberBuffer)
		}
		for i, e := range got[:live.SubscriberBuffer] {
			if e.Kind != live.KindTicket || e.TicketID != int64(i+1) {
				t.Fatalf("event %d is %+v, want ticket %d", i, e, i+1)
			}
		}
		if last := got[live.SubscriberBuffer]; last.Kind != live.KindResync {
			t.Fatalf("last event %+v, want a resync", last)
		}

		h.Publish(live.Event{Kind: live.KindTicket, TicketID: 999})
		if e := recv(t, slow); e.TicketID != 999 {
			t.Errorf("after catching up the slow subscriber got %+v, want ticket 999", e)
		}
	})

	t.Run("publishing and cancelling concurrently is safe", func(t *testing.T) {
		h := live.NewHub(quiet())
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for i := range 200 {
					h.Publish(live.Event{Kind: live.KindTicket, TicketID: int64(i)})
				}
			})
			wg.Go(func() {
				for range 50 {
					events, cancel := h.Subscribe()
					select {
					case <-events:
					default:
					}
					cancel()
				}
			})
		}
		wg.Wait()
	})
}
