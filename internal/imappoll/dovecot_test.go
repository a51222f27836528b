package imappoll_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

const dovecotBin = "/usr/sbin/dovecot"

// dovecotConfig chooses what the test server offers.
type dovecotConfig struct {
	users  int  // users u1…uN, password "secret" (default 1)
	noIdle bool // leave IDLE out of the capabilities
	noMove bool // leave MOVE out of the capabilities
	tls    bool // also listen with implicit TLS, and offer STARTTLS
}

// dovecot is a Dovecot IMAP server of the test's own, on 127.0.0.1.
type dovecot struct {
	port    int // plain, or STARTTLS when tls is set
	tlsPort int // implicit TLS, when tls is set
	dir     string
}

// startDovecot starts Debian's Dovecot from a temporary configuration. It
// skips the test when Dovecot is not installed, unless
// LINEDESK_REQUIRE_DOVECOT=1.
func startDovecot(t *testing.T, cfg dovecotConfig) *dovecot {
	t.Helper()
	if _, err := os.Stat(dovecotBin); err != nil {
		if os.Getenv("LINEDESK_REQUIRE_DOVECOT") == "1" {
			t.Fatalf("Dovecot is required (LINEDESK_REQUIRE_DOVECOT=1) but %s is missing: install dovecot-imapd", dovecotBin)
		}
		t.Skipf("Dovecot unavailable (%s missing; install dovecot-imapd)", dovecotBin)
	}
	if cfg.users == 0 {
		cfg.users = 1
	}
	// Dovecot's unprivileged processes must reach the directory, so it
	// cannot be t.TempDir() (mode 0700 under a 0700 parent).
	dir, err := os.MkdirTemp("", "linedesk-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	must(t, os.Chmod(dir, 0o755))
	for _, sub := range []string{"run", "state", "mail"} {
		must(t, os.Mkdir(filepath.Join(dir, sub), 0o755))
	}
	if os.Geteuid() == 0 {
		// Mail must not belong to root: Dovecot refuses uid 0 for mail.
		u, err := user.Lookup("dovecot")
		if err != nil {
			t.Fatalf("running as root and no dovecot system user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		must(t, os.Chown(filepath.Join(dir, "mail"), uid, gid))
	}
	var passwd strings.Builder
	for i := 1; i <= cfg.users; i++ {
		fmt.Fprintf(&passwd, "u%d:{PLAIN}secret::::::\n", i)
	}
	must(t, os.WriteFile(filepath.Join(dir, "passwd"), []byte(passwd.String()), 0o644))

	dc := &dovecot{dir: dir, port: freePort(t)}
	conf := dovecotConf(dir, dc.port, cfg)
	if cfg.tls {
		dc.tlsPort = freePort(t)
		writeSelfSignedCert(t, dir)
		conf += fmt.Sprintf(`ssl = yes
ssl_cert = <%[1]s/cert.pem
ssl_key = <%[1]s/key.pem
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[3]d
    ssl = yes
  }
}
`, dir, dc.port, dc.tlsPort)
	} else {
		conf += fmt.Sprintf(`ssl = no
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %d
  }
  inet_listener imaps {
    port = 0
  }
}
`, dc.port)
	}
	confPath := filepath.Join(dir, "dovecot.conf")
	must(t, os.WriteFile(confPath, []byte(conf), 0o644))

	cmd := exec.Command(dovecotBin, "-F", "-c", confPath)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := os.Create(filepath.Join(dir, "stdout.log"))
	must(t, err)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dovecot: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		out.Close()
	})
	if err := dc.waitReady(exited); err != nil {
		t.Fatalf("dovecot did not start: %v\n%s", err, dc.logs())
	}
	return dc
}

func dovecotConf(dir string, port int, cfg dovecotConfig) string {
	caps := "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE SORT UNSELECT CHILDREN NAMESPACE UIDPLUS ESEARCH"
	if !cfg.noIdle {
		caps += " IDLE"
	}
	if !cfg.noMove {
		caps += " MOVE"
	}
	return fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:%[1]s/mail/%%u
imap_capability = %[2]s
passdb {
  driver = passwd-file
  args = %[1]s/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=%[1]s/mail/%%u
}
`, dir, caps)
}

// waitReady waits until a user can log in.
func (dc *dovecot) waitReady(exited <-chan struct{}) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := imapclient.DialInsecure(dc.addr(), nil)
		if err == nil {
			err = c.Login("u1", "secret").Wait()
			c.Close()
			if err == nil {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("dovecot exited: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (dc *dovecot) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(dc.port)) }

func (dc *dovecot) logs() string {
	a, _ := os.ReadFile(filepath.Join(dc.dir, "dovecot.log"))
	b, _ := os.ReadFile(filepath.Join(dc.dir, "stdout.log"))
	return string(a) + string(b)
}

// client logs user in directly, to deliver mail and look at it.
func (dc *dovecot) client(t *testing.T, user string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(dc.addr(), nil)
	if err != nil {
		t.Fatalf("dial dovecot: %v", err)
	}
	if err := c.Login(user, "secret").Wait(); err != nil {
		c.Close()
		t.Fatalf("login %s: %v", user, err)
	}
	return c
}

// appendMsg delivers raw to user's folder with IMAP APPEND and returns
// its UID.
func (dc *dovecot) appendMsg(t *testing.T, user, folder string, raw []byte) uint32 {
	t.Helper()
	c := dc.client(t, user)
	defer c.Close()
	cmd := c.Append(folder, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatalf("append: %v", err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatalf("append: %v", err)
	}
	data, err := cmd.Wait()
	if err != nil {
		t.Fatalf("append to %s/%s: %v", user, folder, err)
	}
	return uint32(data.UID)
}

// caps returns what the server offers a logged-in user.
func (dc *dovecot) caps(t *testing.T) imap.CapSet {
	t.Helper()
	c := dc.client(t, "u1")
	defer c.Close()
	return c.Caps()
}

func (dc *dovecot) create(t *testing.T, user, folder string) {
	t.Helper()
	c := dc.client(t, user)
	defer c.Close()
	if err := c.Create(folder, nil).Wait(); err != nil {
		t.Fatalf("create %s: %v", folder, err)
	}
}

// folder is what a folder holds: each message's flags by UID, and its
// UIDVALIDITY.
type folder struct {
	uidValidity uint32
	flags       map[uint32][]imap.Flag
}

func (f folder) seen(uid uint32) bool {
	for _, fl := range f.flags[uid] {
		if fl == imap.FlagSeen {
			return true
		}
	}
	return false
}

// allSeen reports whether the folder holds exactly uids, all \Seen.
func (f folder) allSeen(uids []uint32) bool {
	if len(f.flags) != len(uids) {
		return false
	}
	for _, u := range uids {
		if !f.seen(u) {
			return false
		}
	}
	return true
}

// look examines a folder read-only, changing nothing.
func (dc *dovecot) look(t *testing.T, user, name string) folder {
	t.Helper()
	c := dc.client(t, user)
	defer c.Close()
	sel, err := c.Select(name, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatalf("examine %s: %v", name, err)
	}
	f := folder{uidValidity: sel.UIDValidity, flags: map[uint32][]imap.Flag{}}
	if sel.NumMessages == 0 {
		return f
	}
	msgs, err := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatalf("fetch flags: %v", err)
	}
	for _, m := range msgs {
		f.flags[uint32(m.UID)] = m.Flags
	}
	return f
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func writeSelfSignedCert(t *testing.T, dir string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
