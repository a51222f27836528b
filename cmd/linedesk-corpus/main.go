// Command linedesk-corpus fills an empty Linedesk database with a
// generated help desk for trying searches and measuring them: ten groups,
// forty agents, 500 companies, 20,000 contacts and as many tickets as
// asked, each with about five comments of realistic Russian, Latvian and
// English text (printers, passwords, VPN, mail, error codes, addresses),
// then indexes it all as `linedesk reindex` does.
//
//	go run ./cmd/linedesk-corpus -database sqlite:/tmp/desk.db -tickets 1000000
//
// It refuses a database that already holds tickets.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"linedesk/internal/benchutil"
	"linedesk/internal/db"
	"linedesk/internal/search"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command: 0 done, 1 failed, 2 bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("linedesk-corpus", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("database", os.Getenv("LINEDESK_DATABASE_URL"), "the database to fill (sqlite:PATH or postgres://…); default $LINEDESK_DATABASE_URL")
	tickets := fs.Int("tickets", 10_000, "how many tickets to generate (1,000 to 10,000,000)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *url == "" || *tickets < 1000 || *tickets > 10_000_000 {
		fmt.Fprintln(stderr, "linedesk-corpus: give -database and -tickets between 1000 and 10000000")
		return 2
	}
	if err := fill(ctx, *url, *tickets, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "linedesk-corpus:", err)
		return 1
	}
	return 0
}

// fill generates the corpus into an empty database and indexes it.
func fill(ctx context.Context, url string, tickets int, stdout, stderr io.Writer) error {
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		return err
	}
	var n int
	if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM tickets`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the database already holds %d tickets; generate into an empty one", n)
	}
	start := time.Now()
	fmt.Fprintf(stderr, "generating %d tickets…\n", tickets)
	c, err := benchutil.Generate(ctx, d, tickets)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	generated := time.Since(start)
	var last search.Progress
	shown := time.Now()
	err = benchutil.Wire(d).Rebuild(ctx, func(p search.Progress) {
		last = p
		if time.Since(shown) >= 5*time.Second {
			shown = time.Now()
			fmt.Fprintf(stderr, "indexed %d / %d documents, %.0f/s\n", p.Done, p.Total, p.Rate())
		}
	})
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	fmt.Fprintf(stdout, "generated %d tickets with %d comments in %s; indexed %d documents in %s\n",
		c.Tickets, c.Comments, generated.Round(time.Second), last.Done, (time.Since(start) - generated).Round(time.Second))
	return nil
}
