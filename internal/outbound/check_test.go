package outbound

import (
	"context"
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	ctx := context.Background()
	plain, _ := startSink(t, "none")
	starttls, starttlsCA := startSink(t, "starttls")
	implicit, implicitCA := startSink(t, "tls")
	trust := func(roots *x509.CertPool) *Service {
		s := NewService(nil, nil, nil, nil, nil, Config{Hostname: "desk.test"})
		s.tls.roots = roots
		return s
	}
	trusting := trust(starttlsCA)
	login := func(s *sink, mode string) SMTP {
		return SMTP{Host: s.host, Port: s.port, TLS: mode, Username: sinkUser, Password: sinkPass}
	}

	t.Run("good settings pass with every TLS mode", func(t *testing.T) {
		for _, tc := range []struct {
			s   *Service
			cfg SMTP
		}{
			{trusting, login(plain, "none")}, {trusting, login(starttls, "starttls")},
			{trust(implicitCA), login(implicit, "tls")}, {trusting, SMTP{Host: plain.host, Port: plain.port, TLS: "none"}},
		} {
			if err := tc.s.Check(ctx, tc.cfg); err != nil {
				t.Errorf("%s (user %q): %v", tc.cfg.TLS, tc.cfg.Username, err)
			}
		}
		if n := len(plain.messages()) + len(starttls.messages()) + len(implicit.messages()); n != 0 {
			t.Errorf("a check sent %d messages", n)
		}
	})
	t.Run("the failing step is named", func(t *testing.T) {
		wrongPassword := login(starttls, "starttls")
		wrongPassword.Password = "guess"
		closed := login(plain, "none")
		closed.Port = freePort(t)
		for _, tc := range []struct {
			name string
			s    *Service
			cfg  SMTP
			want string
		}{
			{"wrong password", trusting, wrongPassword, "SMTP login failed"},
			{"nothing listening", trusting, closed, "SMTP connection failed"},
			{"no STARTTLS offered", trusting, login(plain, "starttls"), "SMTP connection failed"},
			{"certificate not trusted", trusting, login(implicit, "tls"), "SMTP connection failed"},
			{"no host", trusting, SMTP{}, "no SMTP host"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.s.Check(ctx, tc.cfg)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one containing %q", err, tc.want)
				}
				if strings.Contains(err.Error(), sinkPass) || strings.Contains(err.Error(), "guess") {
					t.Errorf("the error shows the password: %v", err)
				}
			})
		}
	})
	t.Run("a silent server fails when the time is up", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
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
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		a := l.Addr().(*net.TCPAddr)
		err = trusting.Check(short, SMTP{Host: "127.0.0.1", Port: a.Port, TLS: "none"})
		if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
			t.Fatalf("error %v", err)
		}
	})
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
