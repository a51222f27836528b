package search_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/search"
	"linedesk/internal/ticket"
)

// queryCase is a query and the tickets it must find first (by corpus
// key), in that order; other tickets may follow unless only is set.
type queryCase struct {
	q        string
	top      []string
	only     bool
	anyOrder bool // top in any order
	never    []string
}

var corpusQueries = []queryCase{
	{q: "принтер не печатает", top: []string{"printers"}, only: true},
	{q: "paroli", top: []string{"password", "parole"}, only: true, anyOrder: true},
	{q: "parole", top: []string{"password", "parole"}, only: true, anyOrder: true},
	{q: "printer", top: []string{"globex", "offline", "blank"}, only: true, anyOrder: true},
	{q: "printers offline", top: []string{"offline"}, only: true},
	{q: `"printer offline"`, top: []string{"offline"}, only: true},
	{q: `"offline printer"`, only: true},
	{q: "printer -offline", never: []string{"offline"}},
	{q: `printer -"room 204"`, never: []string{"offline"}},
	{q: "printing", top: []string{"blank"}, only: true},
	{q: "vpn", top: []string{"vpn"}, only: true},
	{q: "0x80070005", top: []string{"outlook"}, only: true},
	{q: "80070005", top: []string{"outlook"}, only: true},
	{q: "10.0.0.1", top: []string{"vpn"}, only: true},
	{q: "ERR_CONNECTION_RESET", top: []string{"vpn"}, only: true},
	{q: "connection reset", top: []string{"vpn"}, only: true},
	{q: "2.3.10", top: []string{"vpn"}, only: true},
	{q: "error.log", top: []string{"outlook"}, only: true},
	{q: "почта ошибка", top: []string{"mail"}, only: true},
	{q: "письмо", top: []string{"mail"}, only: true},
	{q: "pieslegties", top: []string{"parole"}, only: true},
	{q: "zanzibar", top: []string{"vpn"}, only: true},
	{q: "status:solved", top: []string{"blank"}, only: true},
	{q: "printer status:solved", top: []string{"blank"}, only: true},
	{q: "printer -status:solved", never: []string{"blank"}},
	{q: "tag:vpn", top: []string{"vpn"}, only: true},
	{q: "from:user@x.lv", top: []string{"mail"}, only: true},
	{q: `company:"Acme Ltd"`, top: []string{"mail"}, only: true},
	{q: "company:globex printer", top: []string{"globex"}, only: true},
	// Filters alone: open first, then the latest changed first.
	{q: "group:network", top: []string{"vpn", "parole", "outlook"}, only: true},
	{q: "group:none", top: []string{"globex", "mail", "offline"}, only: true},
	{q: "group:none -company:globex", top: []string{"mail", "offline"}, only: true},
}

// TestCorpus runs the queries on both databases: each finds what a user
// expects, and both databases give the same hits in the same order.
func TestCorpus(t *testing.T) {
	got := map[string][]string{}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := build(t, e)
		byNumber := map[int64]string{}
		for k, tk := range c.t {
			byNumber[tk.Number] = k
		}
		var lines []string
		for _, qc := range corpusQueries {
			hits := e.find(t, search.AgentViewer(e.admin), qc.q, search.KindTicket)
			var keys []string
			for _, n := range numbers(hits) {
				keys = append(keys, byNumber[n])
			}
			checkCase(t, qc, keys, hits)
			line := qc.q + " →"
			for _, h := range hits {
				line += fmt.Sprintf(" %s(%.6f)", byNumber[h.Number], h.Score)
			}
			lines = append(lines, line)
		}
		got[string(d.Dialect)] = lines
	})
	sq, pg := got["sqlite"], got["postgres"]
	if sq == nil || pg == nil {
		return // one database was not available; its half was skipped
	}
	for i := range sq {
		if sq[i] != pg[i] {
			t.Errorf("the databases differ:\n  sqlite:   %s\n  postgres: %s", sq[i], pg[i])
		}
	}
}

func checkCase(t *testing.T, qc queryCase, keys []string, hits []search.Hit) {
	t.Helper()
	first := keys[:min(len(qc.top), len(keys))]
	if qc.anyOrder {
		first = slices.Sorted(slices.Values(first))
		qc.top = slices.Sorted(slices.Values(qc.top))
	}
	if len(keys) < len(qc.top) || !slices.Equal(first, qc.top) {
		t.Errorf("%s: got %v, want first %v\n%s", qc.q, keys, qc.top, snippets(hits))
		return
	}
	if qc.only && len(keys) != len(qc.top) {
		t.Errorf("%s: got %v, want only %v", qc.q, keys, qc.top)
	}
	for _, n := range qc.never {
		if slices.Contains(keys, n) {
			t.Errorf("%s: found %s: %v", qc.q, n, keys)
		}
	}
}

// TestSnippets: hits show the matching words marked in the original
// text, escaped.
func TestSnippets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		build(t, e)
		hits := e.find(t, search.AgentViewer(e.admin), "принтер не печатает", search.KindTicket)
		if len(hits) == 0 {
			t.Fatal("nothing found")
		}
		h := hits[0]
		if h.TitleHTML != "<mark>Принтеры</mark> перестали <mark>печатать</mark>" {
			t.Errorf("title %q", h.TitleHTML)
		}
		if !strings.Contains(h.Snippet, "<mark>принтеры</mark> HP перестали <mark>печатать</mark>") {
			t.Errorf("snippet %q", h.Snippet)
		}
		hits = e.find(t, search.AgentViewer(e.admin), "user@x.lv", search.KindContact)
		if len(hits) != 1 || !strings.Contains(hits[0].Snippet, "<mark>user@x.lv</mark>") || hits[0].Title != "Jānis Bērziņš" {
			t.Errorf("contact hits %+v", hits)
		}
		e.open(t, ticket.NewTicket{Subject: "<script>alert(1)</script> printer", Description: "a <b>printer</b> & more"})
		e.settle(t)
		hits = e.find(t, search.AgentViewer(e.admin), "alert", search.KindTicket)
		if len(hits) != 1 || strings.Contains(hits[0].TitleHTML, "<script>") ||
			hits[0].TitleHTML != "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; printer" {
			t.Errorf("escaped title %q", hits[0].TitleHTML)
		}
	})
}

// TestNewestCandidates: with more matches than it ranks, a search ranks
// the newest ones and says there are more; on PostgreSQL that takes
// widening windows of the newest documents (buckets of 16 seqs here).
func TestNewestCandidates(t *testing.T) {
	defer search.SetBucketBitsForTest(4)()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		e := wire(t, d)
		e.team(t)
		s := search.NewService(d, quietLog(), e.jobs, e.dir, search.Config{Candidates: 3})
		s.Register(search.NewTicketSource(e.tickets))
		var want []int64
		for i := range 150 {
			subject := fmt.Sprintf("Monitor %d", i)
			if i%50 == 7 {
				subject = fmt.Sprintf("Printer %d", i) // three printers among the monitors: 7, 57, 107
			}
			tk := e.open(t, ticket.NewTicket{Subject: subject})
			if i >= 147 {
				want = append([]int64{tk.Number}, want...)
			}
		}
		if err := s.Rebuild(ctx, nil); err != nil {
			t.Fatal(err)
		}
		res, err := s.Search(ctx, search.AgentViewer(e.admin), search.Request{Query: "monitor"})
		if err != nil {
			t.Fatal(err)
		}
		if got := numbers(res.Hits); !slices.Equal(got, want) || !res.More || res.Total != 3 {
			t.Errorf("monitor: %v (total %d, more %v), want the newest %v and more", got, res.Total, res.More, want)
		}
		res, _ = s.Search(ctx, search.AgentViewer(e.alice), search.Request{Query: "printer"})
		if len(res.Hits) != 3 || res.More {
			t.Errorf("printer: %d hits, more %v; want all three, no more", len(res.Hits), res.More)
		}
	})
}

// TestDocumentFrequencyInBuckets: on PostgreSQL a term's documents are
// counted, and the newest matches found, in the newest buckets first,
// older ones added when they hold too few, and an agent's access asked
// through the filter terms' bucket twins; what a search finds and how it
// weighs it are what asking the whole index gives. An index written
// before the twins existed is searched as before, and documents written
// since carry them.
func TestDocumentFrequencyInBuckets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		e := wire(t, d)
		e.team(t)
		open := func(i int) int64 {
			subject := fmt.Sprintf("Monitor %d", i)
			switch {
			case i%5 == 3:
				subject = fmt.Sprintf("Cable fault %d", i) // spread thinly: widened buckets reach the cap
			case i%100 == 5:
				subject = fmt.Sprintf("Printer offline %d", i) // fewer than the cap
			}
			group := &e.desk
			if i%3 == 0 {
				group = &e.netwrk
			}
			return e.open(t, ticket.NewTicket{Subject: subject, Description: "reported by phone", GroupID: group}).ID
		}
		for i := range 330 {
			open(i)
		}
		type ranked struct {
			numbers []int64
			scores  []float64
			more    bool
		}
		run := func(bits int, v search.Viewer, query string, rebuild bool) ranked {
			typing := strings.HasSuffix(query, "…") // a word being typed
			query = strings.TrimSuffix(query, "…")
			t.Helper()
			defer search.SetBucketBitsForTest(bits)()
			s := search.NewService(d, quietLog(), e.jobs, e.dir, search.Config{DocFreqUpTo: 4, Candidates: 5})
			s.Register(search.NewTicketSource(e.tickets))
			if rebuild {
				if err := s.Rebuild(ctx, nil); err != nil {
					t.Fatal(err)
				}
			}
			res, err := s.Search(ctx, v, search.Request{Query: query, Typing: typing, PerPage: 100})
			if err != nil {
				t.Fatal(err)
			}
			out := ranked{numbers: numbers(res.Hits), more: res.More}
			for _, h := range res.Hits {
				out.scores = append(out.scores, h.Score)
			}
			return out
		}
		compareAll := func(stage string) {
			t.Helper()
			for _, v := range []search.Viewer{search.AgentViewer(e.admin), search.AgentViewer(e.alice)} {
				for _, q := range []string{"cable", "monitor", "printer", `"cable fault"`, `"printer offline" -cable`, "cable status:new",
					"cab…", "monit…", "fault cab…"} {
					whole, buckets := run(40, v, q, true), run(2, v, q, true)
					if len(whole.numbers) == 0 || !slices.Equal(whole.numbers, buckets.numbers) || whole.more != buckets.more {
						t.Errorf("%s, %s: found in buckets %v (more %v), in the whole index %v (more %v)", stage, q,
							buckets.numbers, buckets.more, whole.numbers, whole.more)
					}
					if !slices.Equal(whole.scores, buckets.scores) {
						t.Errorf("%s, %s: scores counted in buckets %v, over the whole index %v", stage, q, buckets.scores, whole.scores)
					}
				}
			}
		}
		compareAll("fresh")
		if d.Dialect != db.Postgres {
			return
		}
		// As an index from before the current form: no twins or prefix
		// terms in any document, and the first seq to carry them still to
		// come.
		defer search.SetBucketBitsForTest(2)()
		for _, q := range []string{`UPDATE search_docs SET tsv = ts_delete(tsv, ARRAY(SELECT lexeme FROM unnest(tsv)
			WHERE lexeme LIKE '~%@%' OR lexeme ~ '^~[34]:'))`,
			`UPDATE search_stats SET form_from = (SELECT max(seq) + 1 FROM search_docs)`} {
			if _, err := d.W.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		compare := func(stage string) {
			t.Helper()
			for _, q := range []string{"cable", "monitor", `"cable fault"`, "cable status:new", "cab…", "monit…"} {
				whole, buckets := run(40, search.AgentViewer(e.alice), q, false), run(2, search.AgentViewer(e.alice), q, false)
				if len(whole.numbers) == 0 || !slices.Equal(whole.numbers, buckets.numbers) {
					t.Errorf("%s, %s: found in buckets %v, in the whole index %v", stage, q, buckets.numbers, whole.numbers)
				}
			}
		}
		compare("before the current form")
		var ids []int64
		for i := 330; i < 350; i++ {
			ids = append(ids, open(i))
		}
		s := search.NewService(d, quietLog(), e.jobs, e.dir, search.Config{})
		s.Register(search.NewTicketSource(e.tickets))
		if err := s.Index(ctx, search.KindTicket, ids); err != nil {
			t.Fatal(err)
		}
		compare("with the newest in the current form")
		var old, twinned int
		if err := d.R.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE d.seq < st.form_from),
			count(*) FILTER (WHERE d.seq >= st.form_from) FROM search_docs d, search_stats st
			WHERE EXISTS (SELECT 1 FROM unnest(d.tsv) WHERE lexeme LIKE '~g:%@%')`).Scan(&old, &twinned); err != nil {
			t.Fatal(err)
		}
		if old != 0 || twinned != len(ids) {
			t.Errorf("documents with twins: %d written before, %d since; want 0 and %d", old, twinned, len(ids))
		}
	})
}

// TestTypingLongWord: a word being typed longer than SQLite's prefix
// indexes is matched by its first letters and checked against the whole
// word, page after page: newer documents that only share the first
// letters do not crowd out the older ones that match.
func TestTypingLongWord(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		e := wire(t, d)
		e.team(t)
		var want []int64
		for i := range 4 {
			tk := e.open(t, ticket.NewTicket{Subject: fmt.Sprintf("Nevaru pieslēgties VPN %d", i)})
			want = append([]int64{tk.Number}, want...)
		}
		for i := range 12 {
			e.open(t, ticket.NewTicket{Subject: fmt.Sprintf("Lūdzu pieskarties ekrānam %d", i)}) // "pies…", not "pieslē…"
		}
		s := search.NewService(d, quietLog(), e.jobs, e.dir, search.Config{Candidates: 3})
		s.Register(search.NewTicketSource(e.tickets))
		if err := s.Rebuild(ctx, nil); err != nil {
			t.Fatal(err)
		}
		res, err := s.Search(ctx, search.AgentViewer(e.admin), search.Request{Query: "pieslē", Typing: true, Newest: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := numbers(res.Hits); !slices.Equal(got, want[:3]) || !res.More {
			t.Errorf("typing: %v (more %v), want the newest three of %v and more", got, res.More, want)
		}
		res, _ = s.Search(ctx, search.AgentViewer(e.admin), search.Request{Query: "pieskar", Typing: true})
		if len(res.Hits) != 3 || !res.More {
			t.Errorf("pieskar: %d hits, more %v", len(res.Hits), res.More)
		}
		// A word only in an internal note is found by agents typing it,
		// never by the customer.
		tk := e.open(t, ticket.NewTicket{Subject: "Printer offline"})
		e.comment(t, tk.ID, "Kabelis ir bojāts", false)
		if err := s.Index(ctx, search.KindTicket, []int64{tk.ID}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"kab", "kabe", "kabeli"} {
			agent, _ := s.Search(ctx, search.AgentViewer(e.admin), search.Request{Query: q, Typing: true})
			customer, _ := s.Search(ctx, search.ContactViewer(search.ContactScope{ContactID: tk.Requester.ID}),
				search.Request{Query: q, Typing: true})
			if got := numbers(agent.Hits); len(got) != 1 || got[0] != tk.Number || len(customer.Hits) != 0 {
				t.Errorf("typing %q: the agent finds %v, the customer %v", q, got, numbers(customer.Hits))
			}
		}
	})
}
