package imappoll_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"linedesk/internal/imappoll"
)

func TestCheck(t *testing.T) {
	dc := startDovecot(t, dovecotConfig{tls: true})
	ctx := context.Background()
	good := imappoll.Mailbox{Host: "127.0.0.1", Port: dc.port, TLS: imappoll.TLSNone, Username: "u1", Password: "secret"}
	tlsOK := imappoll.Options{InsecureSkipVerify: true}

	t.Run("good settings pass with every TLS mode", func(t *testing.T) {
		for _, mb := range []imappoll.Mailbox{
			good,
			{Host: "127.0.0.1", Port: dc.port, TLS: imappoll.TLSStartTLS, Username: "u1", Password: "secret", Folder: "INBOX"},
			{Host: "127.0.0.1", Port: dc.tlsPort, TLS: imappoll.TLSImplicit, Username: "u1", Password: "secret"},
		} {
			if err := imappoll.Check(ctx, mb, tlsOK); err != nil {
				t.Errorf("%s: %v", mb.TLS, err)
			}
		}
	})
	t.Run("the failing step is named", func(t *testing.T) {
		wrongPassword, noFolder, closedPort := good, good, good
		wrongPassword.Password = "guess"
		noFolder.Folder = "Nowhere"
		closedPort.Port = freePort(t)
		untrusted := good
		untrusted.Port, untrusted.TLS = dc.tlsPort, imappoll.TLSImplicit
		for _, tc := range []struct {
			name string
			mb   imappoll.Mailbox
			opt  imappoll.Options
			want string
		}{
			{"wrong password", wrongPassword, tlsOK, "IMAP login failed"},
			{"missing folder", noFolder, tlsOK, `IMAP folder "Nowhere" could not be opened`},
			{"nothing listening", closedPort, tlsOK, "IMAP connection failed"},
			{"certificate not trusted", untrusted, imappoll.Options{}, "IMAP connection failed"},
			{"no host", imappoll.Mailbox{}, tlsOK, "no IMAP host"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := imappoll.Check(ctx, tc.mb, tc.opt)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one containing %q", err, tc.want)
				}
				if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "guess") {
					t.Errorf("the error shows the password: %v", err)
				}
			})
		}
	})
	t.Run("a silent server fails within the timeout", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		defer l.Close()
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				defer c.Close() // accepted, never greeted
			}
		}()
		mb := good
		mb.Port = l.Addr().(*net.TCPAddr).Port
		start := time.Now()
		err = imappoll.Check(ctx, mb, imappoll.Options{CommandTimeout: 300 * time.Millisecond})
		if err == nil || !strings.Contains(err.Error(), "IMAP connection failed") {
			t.Fatalf("error %v", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %s", d)
		}
	})
}
