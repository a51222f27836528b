package mailbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"linedesk/internal/apperr"
)

// SMTPServer is the inbound SMTP listener: it accepts mail for the active
// mailboxes and answers 250 only once the message is stored.
//
// A message for several mailboxes is stored once, under the first
// accepted mailbox, with every accepted recipient in its envelope; the
// content key would make a second copy a duplicate anyway, and routing
// rules on "to" see all the recipients. So one message makes one ticket,
// and no accepted recipient is lost.
type SMTPServer struct {
	// Set these before Run to change the defaults.
	ReadTimeout   time.Duration // per command, and per read of the message; default 5 minutes
	WriteTimeout  time.Duration // per reply; default 1 minute
	MaxRecipients int           // default 100
	Grace         time.Duration // how long Run waits at shutdown for sessions to end; default 10 s

	svc  *Service
	addr string
	log  *slog.Logger

	ready chan struct{} // closed once listening, or once Run failed
	bound string

	mu    sync.Mutex
	conns map[*trackedConn]struct{} // open connections
	open  sync.WaitGroup            // one per open connection
}

// NewSMTPServer returns a listener for addr ("host:port"; port 0 picks a
// free one) that stores mail through s.
func NewSMTPServer(s *Service, addr string, log *slog.Logger) *SMTPServer {
	if log == nil {
		log = s.log
	}
	return &SMTPServer{
		ReadTimeout: 5 * time.Minute, WriteTimeout: time.Minute, MaxRecipients: 100, Grace: 10 * time.Second,
		svc: s, addr: addr, log: log,
		ready: make(chan struct{}), conns: map[*trackedConn]struct{}{},
	}
}

// Addr waits until Run is listening and returns the address it listens
// on, or "" when Run failed to listen.
func (m *SMTPServer) Addr() string {
	<-m.ready
	return m.bound
}

// Run listens and serves until ctx ends, then stops accepting, gives the
// open sessions Grace to finish, closes the rest, and returns once every
// connection is over: a message being stored is stored (and its session
// ends) before Run returns.
func (m *SMTPServer) Run(ctx context.Context) error {
	raw, err := net.Listen("tcp", m.addr)
	if err != nil {
		close(m.ready)
		return fmt.Errorf("smtp listener: %w", err)
	}
	m.bound = raw.Addr().String()
	close(m.ready)

	srv := smtp.NewServer(m)
	srv.Domain = "linedesk"
	srv.ReadTimeout = m.ReadTimeout
	srv.WriteTimeout = m.WriteTimeout
	srv.MaxRecipients = m.MaxRecipients
	srv.MaxMessageBytes = m.svc.MaxBytes()
	// Mailers that never wrap HTML send very long lines; refusing them
	// would drop real mail, and the message size limit still applies.
	srv.MaxLineLength = 1 << 20
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = slogLogger{m.log}

	m.log.Info("smtp listening", "addr", m.bound)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(&trackingListener{Listener: raw, srv: m}) }()

	var serveErr error
	select {
	case serveErr = <-served:
		served = nil
	case <-ctx.Done():
	}
	grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.Grace)
	defer cancel()
	if err := srv.Shutdown(grace); errors.Is(err, context.DeadlineExceeded) {
		m.closeConns()
	}
	raw.Close() // in case Serve had not registered it yet
	if served != nil {
		serveErr = <-served
	}
	// Every connection goroutine closes its connection last, after any
	// Store it was running has returned.
	m.open.Wait()
	if serveErr != nil && !errors.Is(serveErr, net.ErrClosed) {
		return fmt.Errorf("smtp listener: %w", serveErr)
	}
	return nil
}

// closeConns ends the connections still open after the grace period. A
// session storing a message finishes storing it; its client then misses
// the reply and sends again, which Store recognises as a duplicate.
func (m *SMTPServer) closeConns() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for c := range m.conns {
		c.Conn.Close() // the inner connection: the session's own Close still counts it out
	}
}

// trackingListener counts the connections it accepts until each is closed
// by its session.
type trackingListener struct {
	net.Listener
	srv *SMTPServer
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	t := &trackedConn{Conn: c, srv: l.srv}
	l.srv.mu.Lock()
	l.srv.conns[t] = struct{}{}
	l.srv.open.Add(1)
	l.srv.mu.Unlock()
	return t, nil
}

type trackedConn struct {
	net.Conn
	srv  *SMTPServer
	once sync.Once
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.srv.mu.Lock()
		delete(c.srv.conns, c)
		c.srv.mu.Unlock()
		c.srv.open.Done()
	})
	return err
}

// NewSession starts a session once the client has said hello (smtp.Backend).
func (m *SMTPServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: m, conn: c}, nil
}

// session is one SMTP conversation.
type session struct {
	srv       *SMTPServer
	conn      *smtp.Conn
	from      string
	mailboxes []int64  // accepted mailboxes, in RCPT order
	to        []string // accepted recipients
}

var (
	errNoMailbox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "No such mailbox here"}
	errTryLater = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "Temporary failure, please try again later"}
)

func (s *session) Reset() {
	s.from, s.mailboxes, s.to = "", nil, nil
}

func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.Reset()
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	// Lookups outlive a closing listener: a session in progress finishes.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mb, err := s.srv.svc.FindByAddress(ctx, to)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !mb.Active) {
		return errNoMailbox
	}
	if err != nil {
		s.srv.log.Error("smtp: look up recipient", "rcpt", to, "err", err)
		return errTryLater
	}
	if !slices.Contains(s.mailboxes, mb.ID) {
		s.mailboxes = append(s.mailboxes, mb.ID)
	}
	if !slices.Contains(s.to, mb.Address) {
		s.to = append(s.to, mb.Address)
	}
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(&deadlineReader{r: r, conn: s.conn.Conn(), timeout: s.srv.ReadTimeout})
	if err != nil {
		// ErrDataTooLarge answers 552 5.3.4; anything else is a broken
		// connection that hears no answer.
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id, dup, err := s.srv.svc.Store(ctx, Raw{
		MailboxID: s.mailboxes[0], Source: SourceSMTP,
		EnvelopeFrom: s.from, EnvelopeTo: s.to, Data: data,
	})
	if apperr.Is(err, apperr.TooLarge) {
		return smtp.ErrDataTooLarge
	}
	if err != nil {
		s.srv.log.Error("smtp: store message", "from", s.from, "to", s.to, "err", err)
		return errTryLater
	}
	s.srv.log.Debug("smtp: message stored", "inbound", id, "duplicate", dup, "to", s.to, "size", len(data))
	return nil
}

// deadlineReader moves the connection's read deadline forward on every
// read, so a large message may take as long as it needs while it keeps
// arriving, but a stalled one times out.
type deadlineReader struct {
	r       io.Reader
	conn    net.Conn
	timeout time.Duration
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	if d.timeout > 0 {
		d.conn.SetReadDeadline(time.Now().Add(d.timeout))
	}
	return d.r.Read(p)
}

// slogLogger passes go-smtp's internal errors to slog.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) { l.log.Warn("smtp: " + fmt.Sprintf(format, v...)) }
func (l slogLogger) Println(v ...any)               { l.log.Warn("smtp: " + fmt.Sprintln(v...)) }
