package search_test

import (
	"bufio"
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"linedesk/internal/auth"
	"linedesk/internal/benchutil"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/search"
)

// benchTickets is the corpus size: LINEDESK_BENCH_TICKETS, 100,000 unless
// set (1,000,000 for the design's target; the corpus is built once and
// kept, see benchutil.OpenCorpus).
func benchTickets(b *testing.B) int {
	if v := os.Getenv("LINEDESK_BENCH_TICKETS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			b.Fatalf("LINEDESK_BENCH_TICKETS=%q: want a number of at least 1000", v)
		}
		return n
	}
	return 100_000
}

// queryMix is what agents type, by kind of query.
func queryMix(c benchutil.Corpus, rare []string) map[string][]string {
	return map[string][]string{
		"word":    {"принтер", "parole", "printer", "vpn", "ошибка", "outlook", "pieslēgties", "internet", "картридж", "kasetne"},
		"words":   {"принтер не печатает", "nevaru pieslēgties", "password reset", "почта не отправляется", "printer blank pages", "vpn mājām"},
		"phrase":  {`"printer offline"`, `"не работает интернет"`, `"aizmirsu paroli"`, `"account is locked"`, `"служба печати"`},
		"filter":  {"vpn status:open", "принтер priority:high", "printer tag:printer", "status:pending", "outlook -status:closed"},
		"rare":    rare,
		"typing":  {"прин", "paro", "outl", "pieslē"},
		"address": {"10.12.0.1", "ERR_CONNECTION_RESET", "0x80070005", "/var/log/syslog"},
	}
}

// BenchmarkSearch measures search latency over the corpus, on SQLite and
// PostgreSQL, as an agent who sees two of the ten groups (and the shared
// intake): per kind of query and for the whole mix, with term weights
// remembered (warm) and counted every time (cold).
func BenchmarkSearch(b *testing.B) {
	n := benchTickets(b)
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			d, c := benchutil.OpenCorpus(b, dialect, n)
			agent := search.AgentViewer(auth.Principal{AgentID: c.Agents[0], Role: auth.RoleAgent,
				GroupIDs: []int64{c.Groups[0], c.Groups[1]}})
			mix := queryMix(c, rareFor(b, benchutil.Wire(d), agent, c))
			var all []string
			for _, kind := range slices.Sorted(mapsKeys(mix)) {
				all = append(all, mix[kind]...)
			}
			for _, cold := range []bool{false, true} {
				cfg := search.Config{}
				temp := "warm"
				if cold {
					cfg.DocFreqTTL, temp = time.Nanosecond, "cold"
				}
				s := benchutil.WireWith(d, cfg)
				for _, kind := range slices.Sorted(mapsKeys(mix)) {
					b.Run(temp+"/"+kind, func(b *testing.B) { runQueries(b, s, agent, mix[kind], kind == "typing") })
				}
				b.Run(temp+"/mix", func(b *testing.B) { runQueries(b, s, agent, all, false) })
			}
		})
	}
}

// rareFor picks rare error codes the agent finds (the others are in
// tickets of groups the agent is not in).
func rareFor(b *testing.B, s *search.Service, v search.Viewer, c benchutil.Corpus) []string {
	var out []string
	for _, code := range c.RareCodes {
		res, err := s.Search(context.Background(), v, search.Request{Query: code})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Hits) > 0 {
			out = append(out, code)
		}
	}
	if len(out) == 0 {
		b.Fatal("the agent finds none of the corpus's rare error codes")
	}
	return out
}

func mapsKeys(m map[string][]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func runQueries(b *testing.B, s *search.Service, v search.Viewer, queries []string, typing bool) {
	ctx := context.Background()
	var rec benchutil.Recorder
	hits := 0
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		rec.Time(func() {
			res, err := s.Search(ctx, v, search.Request{Query: q, Typing: typing, PerPage: 20})
			if err != nil {
				b.Fatalf("%s: %v", q, err)
			}
			hits += len(res.Hits)
		})
	}
	rec.Report(b)
	b.ReportMetric(float64(rec.Percentile(0.95).Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(hits)/float64(i), "hits/op")
	if rss := rssMB("VmRSS"); rss > 0 {
		b.ReportMetric(rss, "rss-MB")
	}
}

// rssMB reads a memory figure of this process from /proc.
func rssMB(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkIndex measures indexing on a fresh store of 5,000 tickets
// (about 25,000 comments): "rebuild" is linedesk reindex over all of it
// (readers on every core, one writer), "job" one ticket at a time as
// the index jobs do after each change.
func BenchmarkIndex(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		c, err := benchutil.Generate(ctx, d, 5000)
		if err != nil {
			b.Fatal(err)
		}
		s := benchutil.Wire(d)
		b.Run("rebuild", func(b *testing.B) {
			docs := 0
			for b.Loop() {
				if err := s.Rebuild(ctx, func(p search.Progress) { docs = p.Total }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(docs*b.N)/b.Elapsed().Seconds(), "docs/s")
		})
		b.Run("job", func(b *testing.B) {
			var rec benchutil.Recorder
			i := 0
			for b.Loop() {
				id := int64(1 + i%c.Tickets)
				i++
				rec.Time(func() {
					if err := s.Index(ctx, search.KindTicket, []int64{id}); err != nil {
						b.Fatal(err)
					}
				})
			}
			rec.Report(b)
		})
	})
}
