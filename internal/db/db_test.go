package db_test

import (
	"context"
	"io/fs"
	"os"
	"reflect"
	"testing"
	"time"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

func TestMigrationFoldersMatch(t *testing.T) {
	names := func(d db.Dialect) []string {
		fsys, err := db.Migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := fs.ReadDir(fsys, ".")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	lite, pg := names(db.SQLite), names(db.Postgres)
	if len(lite) == 0 {
		t.Fatal("no migrations embedded")
	}
	if !reflect.DeepEqual(lite, pg) {
		t.Errorf("migration folders differ:\nsqlite:   %v\npostgres: %v", lite, pg)
	}
}

func TestTimesRoundTripExactly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		want := db.Now()
		earlier := want.Add(-time.Microsecond)
		dbtest.Exec(t, d.W, `INSERT INTO plans (name, name_key, created_at, updated_at) VALUES ('a', 'a', $1, $1)`, earlier)
		dbtest.Exec(t, d.W, `INSERT INTO plans (name, name_key, created_at, updated_at) VALUES ('b', 'b', $1, $1)`, want)
		var got time.Time
		if err := d.R.QueryRowContext(ctx, `SELECT created_at FROM plans WHERE name = 'b'`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("got %v (%v), want %v in UTC", got, got.Location(), want)
		}
		var n int
		if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM plans WHERE created_at < $1`, want).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("times compared wrongly: %d rows earlier than %v, want 1", n, want)
		}
	})
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ins := `INSERT INTO plans (name, name_key, created_at, updated_at) VALUES ('a', 'a', $1, $1)`
		dbtest.Exec(t, d.W, ins, db.Now())
		_, err := d.W.ExecContext(context.Background(), ins, db.Now())
		if !db.IsUniqueViolation(err) {
			t.Errorf("IsUniqueViolation(%v) = false", err)
		}
	})
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		if err := d.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestInPadsToPowersOfTwo(t *testing.T) {
	for _, c := range []struct {
		vals  []int64
		first int
		want  string
		args  []any
	}{
		{[]int64{7}, 1, "$1", []any{int64(7)}},
		{[]int64{1, 2, 3}, 2, "$2, $3, $4, $5", []any{int64(1), int64(2), int64(3), int64(3)}},
		{[]int64{1, 2, 3, 4}, 1, "$1, $2, $3, $4", []any{int64(1), int64(2), int64(3), int64(4)}},
	} {
		got, args := db.In(c.vals, c.first)
		if got != c.want || !reflect.DeepEqual(args, c.args) {
			t.Errorf("In(%v, %d) = %q %v, want %q %v", c.vals, c.first, got, args, c.want, c.args)
		}
	}
}

func TestSQLiteDurabilityOption(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, c := range []struct {
		query string
		sync  bool
		ok    bool
	}{{"", false, true}, {"?synchronous=normal", false, true}, {"?synchronous=full", true, true}, {"?synchronous=off", false, false}, {"?cache=shared", false, false}} {
		d, err := db.Open(ctx, "sqlite:"+dir+"/x.db"+c.query)
		if (err == nil) != c.ok {
			t.Errorf("%q: error %v", c.query, err)
			continue
		}
		if err == nil {
			if d.SyncsCommits() != c.sync {
				t.Errorf("%q: SyncsCommits %v", c.query, d.SyncsCommits())
			}
			var mode int
			d.W.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&mode)
			if want := map[bool]int{false: 1, true: 2}[c.sync]; mode != want {
				t.Errorf("%q: PRAGMA synchronous = %d, want %d", c.query, mode, want)
			}
			d.Close()
		}
	}
	if d := dbtest.Postgres(t); !d.SyncsCommits() {
		t.Error("PostgreSQL commits are durable; files must be synced with them")
	}
}
