package dbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection
)

// pgServer is a PostgreSQL server the tests may create databases on.
type pgServer struct {
	base  *url.URL // admin URL; the path names the database
	admin *sql.DB
	cmd   *exec.Cmd // nil when the server was not started here
	dir   string

	removeDir bool // the data are throwaway: the directory goes when the server stops
}

func (s *pgServer) url(database string) string {
	u := *s.base
	u.Path = "/" + database
	return u.String()
}

func connectOrLaunch() (*pgServer, error) {
	if raw := os.Getenv("LINEDESK_TEST_POSTGRES_URL"); raw != "" {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("LINEDESK_TEST_POSTGRES_URL: %w", err)
		}
		return connect(&pgServer{base: u})
	}
	return launch()
}

func connect(s *pgServer) (*pgServer, error) {
	admin, err := sql.Open("pgx", s.url("postgres"))
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err = admin.PingContext(context.Background())
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			admin.Close()
			return nil, fmt.Errorf("connect to test PostgreSQL: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.admin = admin
	return s, nil
}

// launch runs initdb and postgres in a temporary directory, listening only
// on a Unix socket there, tuned for throwaway data (no fsync).
func launch() (*pgServer, error) {
	dir, err := os.MkdirTemp("", "linedesk-pg-")
	if err != nil {
		return nil, err
	}
	s, err := launchIn(dir, "64MB")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.removeDir = true
	return s, nil
}

// launchIn starts postgres on dir/data, creating the cluster unless it
// exists, with the given shared_buffers.
func launchIn(dir, sharedBuffers string) (*pgServer, error) {
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential(dir)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
			"-E", "UTF8", "--locale=C", "--no-sync")
		initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := initdb.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("initdb: %v: %s", err, out)
		}
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir,
		"-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers="+sharedBuffers)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err == nil {
		cmd.Stdout, cmd.Stderr = logf, logf
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	base := &url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/postgres",
		RawQuery: url.Values{"host": {dir}, "sslmode": {"disable"}}.Encode()}
	s, err := connect(&pgServer{base: base, cmd: cmd, dir: dir})
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("%w\n%s", err, log)
	}
	return s, nil
}

func (s *pgServer) stop() {
	if s.admin != nil {
		s.admin.Close()
	}
	if s.cmd != nil {
		s.cmd.Process.Signal(syscall.SIGQUIT)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
		if s.removeDir {
			os.RemoveAll(s.dir)
		}
	}
}

// findBinDir finds PostgreSQL's server binaries: Debian keeps them in
// /usr/lib/postgresql/VERSION/bin; elsewhere they may be on PATH.
func findBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no PostgreSQL server binaries (initdb, postgres) found; install Debian's postgresql package")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// serverCredential picks the user PostgreSQL runs as. It refuses to run as
// root, so under root the server runs as the "postgres" system user, who
// must own the directory.
func serverCredential(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("running as root and no postgres system user exists")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(dir, os.TempDir()) {
		return nil, fmt.Errorf("unexpected directory %s", dir)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}
