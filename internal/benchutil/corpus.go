package benchutil

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"linedesk/internal/attachment"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/search"
	"linedesk/internal/ticket"
)

// Corpus is a generated help desk for the search benchmarks: n tickets
// in Russian, Latvian and English with about 5n comments, 10 groups, 40
// agents, 500 companies and 20,000 contacts, indexed.
type Corpus struct {
	Tickets   int
	Comments  int
	Groups    []int64
	Agents    []int64  // agent i belongs to groups i%10 and (i+1)%10
	RareCodes []string // error codes only a few tickets mention
	// How long this run took to build it: zero when it came from the
	// cache.
	Generated, Indexed time.Duration
	IndexedDocs        int
}

// Wire builds the search service (with its kinds) on d, as the
// application does.
func Wire(d *db.DB) *search.Service { return WireWith(d, search.Config{}) }

// WireWith is Wire with a search configuration.
func WireWith(d *db.DB, cfg search.Config) *search.Service {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := directory.NewService(d)
	jobs := job.NewQueue(d, log)
	tickets := ticket.NewService(d, log, dir, attachment.NewService(d, os.TempDir(), 1<<20), jobs)
	s := search.NewService(d, log, jobs, dir, cfg)
	s.Register(search.NewTicketSource(tickets))
	s.Register(search.NewContactSource(dir))
	s.Register(search.NewCompanySource(dir))
	return s
}

// cacheDir keeps built corpora between runs: LINEDESK_BENCH_CACHE, else
// linedesk-bench in the temporary directory.
func cacheDir() string {
	if d := os.Getenv("LINEDESK_BENCH_CACHE"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "linedesk-bench")
}

// corpusVersion changes whenever the generator or the index format does,
// so a cached corpus of an older kind is built again.
const corpusVersion = 3

// OpenCorpus returns the corpus of n tickets on the dialect: from the
// cache when it was built before, else built now (data, then the index
// through the real rebuild) and kept. On PostgreSQL it runs a server of
// its own on a kept data directory, with 1 GB of shared buffers.
func OpenCorpus(tb testing.TB, dialect db.Dialect, n int) (*db.DB, Corpus) {
	tb.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("search_v%d_%d", corpusVersion, n)
	var url string
	switch dialect {
	case db.SQLite:
		if err := os.MkdirAll(cacheDir(), 0o755); err != nil {
			tb.Fatal(err)
		}
		url = "sqlite:" + filepath.Join(cacheDir(), name+".db")
	case db.Postgres:
		url = dbtest.PersistentPostgres(tb, filepath.Join(cacheDir(), "postgres"), name, "1GB")
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	if c, ok := readCorpus(ctx, d); ok && c.Tickets == n {
		// A kept corpus may predate later migrations the services read.
		if err := d.Migrate(ctx); err != nil {
			tb.Fatal(err)
		}
		if os.Getenv("LINEDESK_BENCH_REINDEX") == "1" {
			if err := reindex(ctx, d, &c); err != nil {
				tb.Fatal(err)
			}
			fmt.Fprintf(os.Stderr, "%s corpus of %d tickets: indexed %d documents again in %s (%.0f documents/s)\n",
				dialect, c.Tickets, c.IndexedDocs, c.Indexed.Round(time.Second), float64(c.IndexedDocs)/c.Indexed.Seconds())
		}
		return d, c
	}
	// Said on stderr, as it happens: a first build takes minutes.
	fmt.Fprintf(os.Stderr, "building the %s corpus of %d tickets (kept in %s)\n", dialect, n, cacheDir())
	c, err := buildCorpus(ctx, d, n)
	if err != nil {
		tb.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "%s corpus of %d tickets, %d comments: generated in %s, indexed %d documents in %s (%.0f documents/s)\n",
		dialect, c.Tickets, c.Comments, c.Generated.Round(time.Second), c.IndexedDocs, c.Indexed.Round(time.Second),
		float64(c.IndexedDocs)/c.Indexed.Seconds())
	return d, c
}

// readCorpus reads the description a finished build leaves.
func readCorpus(ctx context.Context, d *db.DB) (Corpus, bool) {
	var raw string
	if err := d.R.QueryRowContext(ctx, `SELECT v FROM bench_corpus WHERE k = 'corpus'`).Scan(&raw); err != nil {
		return Corpus{}, false
	}
	var c Corpus
	parts := strings.Split(raw, ";")
	if len(parts) != 4 {
		return Corpus{}, false
	}
	c.Tickets, _ = strconv.Atoi(parts[0])
	c.Comments, _ = strconv.Atoi(parts[1])
	c.RareCodes = strings.Fields(parts[2])
	for _, id := range strings.Fields(parts[3]) {
		v, _ := strconv.ParseInt(id, 10, 64)
		c.Groups = append(c.Groups, v)
	}
	rows, err := d.R.QueryContext(ctx, `SELECT id FROM agents ORDER BY id`)
	if err != nil {
		return Corpus{}, false
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		c.Agents = append(c.Agents, id)
	}
	return c, true
}

func buildCorpus(ctx context.Context, d *db.DB, n int) (Corpus, error) {
	if err := d.Migrate(ctx); err != nil {
		return Corpus{}, err
	}
	start := time.Now()
	c, err := Generate(ctx, d, n)
	if err != nil {
		return c, err
	}
	if d.Dialect == db.Postgres {
		if _, err := d.W.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
			return c, err
		}
	}
	c.Generated = time.Since(start)
	if err := reindex(ctx, d, &c); err != nil {
		return c, err
	}
	return c, saveCorpus(ctx, d, c)
}

// reindex builds the corpus's index through the real rebuild
// (LINEDESK_BENCH_REINDEX=1 does it again for a kept corpus, after the
// index changed).
func reindex(ctx context.Context, d *db.DB, c *Corpus) error {
	if err := d.Migrate(ctx); err != nil {
		return err
	}
	start := time.Now()
	if err := Wire(d).Rebuild(ctx, func(p search.Progress) { c.IndexedDocs = p.Done }); err != nil {
		return err
	}
	c.Indexed = time.Since(start)
	if d.Dialect == db.Postgres {
		_, err := d.W.ExecContext(ctx, `VACUUM ANALYZE`)
		return err
	}
	return nil
}

func saveCorpus(ctx context.Context, d *db.DB, c Corpus) error {
	groups := make([]string, len(c.Groups))
	for i, g := range c.Groups {
		groups[i] = strconv.FormatInt(g, 10)
	}
	v := fmt.Sprintf("%d;%d;%s;%s", c.Tickets, c.Comments, strings.Join(c.RareCodes, " "), strings.Join(groups, " "))
	if _, err := d.W.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_corpus (k TEXT PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		return err
	}
	_, err := d.W.ExecContext(ctx, `INSERT INTO bench_corpus (k, v) VALUES ('corpus', $1)`, v)
	return err
}

// Generate fills a new, migrated store with the corpus's data (not its
// index): the directory, n tickets and their comments, in large
// multi-row inserts.
func Generate(ctx context.Context, d *db.DB, n int) (Corpus, error) {
	c := Corpus{Tickets: n}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var companies, contacts []int64
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if c.Groups, c.Agents, err = team(ctx, tx, now); err != nil {
			return err
		}
		companies, contacts, err = people(ctx, tx, now)
		return err
	})
	if err != nil {
		return c, err
	}
	w := NewWriter(42)
	rng := rand.New(rand.NewPCG(7, 11))
	const batch = 2000
	for startAt := 0; startAt < n; startAt += batch {
		end := min(startAt+batch, n)
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			comments, err := writeTickets(ctx, tx, w, rng, c, companies, contacts, startAt, end, n, now)
			c.Comments += comments
			return err
		})
		if err != nil {
			return c, err
		}
	}
	c.RareCodes = rareCodes(w.Rare)
	_, err = d.W.ExecContext(ctx, `UPDATE counters SET value = $1 WHERE name = 'ticket_number'`, 1000+n)
	return c, err
}

func team(ctx context.Context, tx *sql.Tx, now time.Time) (groups, agents []int64, err error) {
	for i := range 10 {
		var id int64
		name := fmt.Sprintf("Line %d — Group %d", 1+i%4, i)
		if err := tx.QueryRowContext(ctx, `INSERT INTO groups (name, name_key, created_at, updated_at) VALUES ($1, $2, $3, $3)
			RETURNING id`, name, strings.ToLower(name), now).Scan(&id); err != nil {
			return nil, nil, err
		}
		groups = append(groups, id)
	}
	for i := range 40 {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO agents (name, email, role, line, created_at, updated_at)
			VALUES ($1, $2, 'agent', $3, $4, $4) RETURNING id`, fmt.Sprintf("Agent %d", i),
			fmt.Sprintf("agent%d@support.example", i), 1+i%4, now).Scan(&id); err != nil {
			return nil, nil, err
		}
		for _, g := range []int64{groups[i%10], groups[(i+1)%10]} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO agent_groups (agent_id, group_id) VALUES ($1, $2)`, id, g); err != nil {
				return nil, nil, err
			}
		}
		agents = append(agents, id)
	}
	return groups, agents, nil
}

func people(ctx context.Context, tx *sql.Tx, now time.Time) (companies, contacts []int64, err error) {
	for i := range 500 {
		var id int64
		name := fmt.Sprintf("%s %d", []string{"SIA Baltic", "ООО Север", "Acme", "AS Rīgas", "ЗАО Техно"}[i%5], i)
		if err := tx.QueryRowContext(ctx, `INSERT INTO companies (name, name_key, created_at, updated_at)
			VALUES ($1, $2, $3, $3) RETURNING id`, name, strings.ToLower(name), now).Scan(&id); err != nil {
			return nil, nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO company_domains (domain, company_id) VALUES ($1, $2)`,
			fmt.Sprintf("client%d.example", i), id); err != nil {
			return nil, nil, err
		}
		companies = append(companies, id)
	}
	names := append(append(append([]string{}, ruNames...), lvNames...), enNames...)
	for i := range 20000 {
		var id int64
		co := companies[i%len(companies)]
		if err := tx.QueryRowContext(ctx, `INSERT INTO contacts (name, company_id, phone, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, fmt.Sprintf("%s %d", names[i%len(names)], i), co,
			fmt.Sprintf("+371 2%07d", i), now).Scan(&id); err != nil {
			return nil, nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO contact_emails (email, contact_id, position) VALUES ($1, $2, 0)`,
			fmt.Sprintf("user%d@client%d.example", i, i%len(companies)), id); err != nil {
			return nil, nil, err
		}
		contacts = append(contacts, id)
	}
	return companies, contacts, nil
}

// rareCodes are up to 50 rare error codes mentioned two to five times
// (once, when the corpus is too small for that), in order.
func rareCodes(counts map[string]int) []string {
	for _, want := range []func(int) bool{func(k int) bool { return k >= 2 && k <= 5 }, func(k int) bool { return k == 1 }} {
		var out []string
		for code, k := range counts {
			if want(k) {
				out = append(out, code)
			}
		}
		if len(out) > 0 {
			slices.Sort(out)
			return out[:min(len(out), 50)]
		}
	}
	return nil
}
