package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// tlsSettings are the TLS choices a test may change.
type tlsSettings struct {
	roots *x509.CertPool // nil: the system's
}

// delivery is what the server said of each recipient of one attempt.
type delivery struct {
	sent     []string          // accepted with the message
	failed   map[string]string // refused for good (5xx): the server's reply
	deferred map[string]string // refused for now (4xx): the server's reply
}

// transmit sends raw to rcpts in one SMTP transaction, reading the
// server's answer to each RCPT: a 5xx refuses that recipient for good, a
// 4xx defers it, and the others still get the message. A returned error
// (connection, TLS, authentication, MAIL FROM, a temporary DATA reply)
// leaves every recipient not in failed to be tried again.
func (s *Service) transmit(ctx context.Context, cfg SMTP, rcpts []string, raw []byte) (delivery, error) {
	d := delivery{failed: map[string]string{}, deferred: map[string]string{}}
	c, closeConn, err := s.dial(ctx, cfg)
	if err != nil {
		return d, err
	}
	defer closeConn()
	opts := &smtp.MailOptions{Size: int64(len(raw)), UTF8: !isASCII(cfg.From) || !allASCII(rcpts)}
	if err := c.Mail(cfg.From, opts); err != nil {
		return d, fmt.Errorf("MAIL FROM <%s>: %w", cfg.From, err)
	}
	var accepted []string
	for _, r := range rcpts {
		err := c.Rcpt(r, nil)
		var se *smtp.SMTPError
		switch {
		case err == nil:
			accepted = append(accepted, r)
		case errors.As(err, &se) && se.Code >= 500:
			d.failed[r] = serverReply(se)
		case errors.As(err, &se):
			d.deferred[r] = serverReply(se)
		default:
			return d, fmt.Errorf("RCPT TO <%s>: %w", r, err)
		}
	}
	if len(accepted) == 0 {
		c.Quit()
		return d, nil
	}
	w, err := c.Data()
	if err != nil {
		return refusedData(d, accepted, err)
	}
	if _, err := w.Write(raw); err != nil {
		return d, fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return refusedData(d, accepted, err)
	}
	d.sent = accepted
	c.Quit()
	return d, nil
}

// refusedData applies a refused DATA to every recipient accepted so far.
func refusedData(d delivery, accepted []string, err error) (delivery, error) {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		for _, r := range accepted {
			d.failed[r] = serverReply(se)
		}
		return d, nil
	}
	return d, fmt.Errorf("DATA: %w", err)
}

// dial connects, secures and authenticates a session with cfg's server.
// The session ends when ctx does; call the returned func when done.
func (s *Service) dial(ctx context.Context, cfg SMTP) (*smtp.Client, func(), error) {
	port := cfg.Port
	if port == 0 {
		port = map[string]int{"tls": 465, "none": 25}[cfg.TLS]
		if port == 0 {
			port = 587
		}
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(port))
	dialer := net.Dialer{Timeout: 30 * time.Second}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	tlsConfig := &tls.Config{ServerName: cfg.Host, RootCAs: s.tls.roots, MinVersion: tls.VersionTLS12}
	var c *smtp.Client
	switch cfg.TLS {
	case "tls":
		c = smtp.NewClient(tls.Client(conn, tlsConfig))
	case "starttls", "":
		c, err = smtp.NewClientStartTLS(conn, tlsConfig)
	case "none":
		c = smtp.NewClient(conn)
	default:
		err = fmt.Errorf("unknown TLS mode %q", cfg.TLS)
	}
	if err == nil {
		c.CommandTimeout, c.SubmissionTimeout = 2*time.Minute, 5*time.Minute
		// After STARTTLS the client greets again, now with our name.
		err = c.Hello(s.cfg.Hostname)
	}
	if err == nil && cfg.Username != "" {
		err = authenticate(c, cfg)
	}
	if err != nil {
		stop()
		conn.Close()
		return nil, nil, fmt.Errorf("SMTP session with %s: %w", addr, err)
	}
	return c, func() { stop(); c.Close() }, nil
}

func authenticate(c *smtp.Client, cfg SMTP) error {
	switch {
	case c.SupportsAuth("PLAIN"):
		return c.Auth(sasl.NewPlainClient("", cfg.Username, cfg.Password))
	case c.SupportsAuth("LOGIN"):
		return c.Auth(sasl.NewLoginClient(cfg.Username, cfg.Password))
	}
	return errors.New("the server offers neither AUTH PLAIN nor AUTH LOGIN")
}

// serverReply is the server's answer as an operator reads it in a log:
// "550 5.1.1 no such user".
func serverReply(se *smtp.SMTPError) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(se.Code))
	if ec := se.EnhancedCode; ec != smtp.EnhancedCodeNotSet && ec != smtp.NoEnhancedCode {
		fmt.Fprintf(&b, " %d.%d.%d", ec[0], ec[1], ec[2])
	}
	if msg := strings.TrimSpace(se.Message); msg != "" {
		b.WriteString(" " + strings.ReplaceAll(msg, "\n", " "))
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func allASCII(ss []string) bool {
	for _, s := range ss {
		if !isASCII(s) {
			return false
		}
	}
	return true
}
