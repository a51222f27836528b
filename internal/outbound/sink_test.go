package outbound

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// sink is a real SMTP server (go-smtp) that records every message it
// accepts and answers RCPT and DATA as a test tells it to.
type sink struct {
	host string
	port int

	mu   sync.Mutex
	got  []sunk
	rcpt map[string][]*smtp.SMTPError // queued answers to RCPT per address; nil accepts
	data []*smtp.SMTPError            // queued answers to DATA
}

// sunk is one accepted message: the envelope and the raw bytes.
type sunk struct {
	from string
	to   []string
	raw  []byte
}

const (
	sinkUser = "desk"
	sinkPass = "secret"
)

// startSink starts a sink on 127.0.0.1; tlsMode "starttls" offers
// STARTTLS and "tls" speaks TLS from the start, with a certificate the
// returned pool trusts.
func startSink(t *testing.T, tlsMode string) (*sink, *x509.CertPool) {
	t.Helper()
	s := &sink{rcpt: map[string][]*smtp.SMTPError{}}
	srv := smtp.NewServer(s)
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var pool *x509.CertPool
	if tlsMode != "none" {
		cert, p := selfSigned(t)
		pool = p
		cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
		if tlsMode == "tls" {
			l = tls.NewListener(l, cfg)
		} else {
			srv.TLSConfig = cfg
		}
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	host, port, _ := net.SplitHostPort(l.Addr().String())
	s.host = host
	s.port, _ = strconv.Atoi(port)
	return s, pool
}

// refuseRcpt queues a reply to the next RCPT of addr.
func (s *sink) refuseRcpt(addr string, code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcpt[addr] = append(s.rcpt[addr], &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: msg})
}

// refuseData queues a reply to the next DATA.
func (s *sink) refuseData(code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data = append(s.data, &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: msg})
}

// messages returns what the sink accepted so far.
func (s *sink) messages() []sunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// copies counts the accepted messages addressed (in the envelope) to addr.
func (s *sink) copies(addr string) int {
	n := 0
	for _, m := range s.messages() {
		if slices.Contains(m.to, addr) {
			n++
		}
	}
	return n
}

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

type sinkSession struct {
	sink   *sink
	authed bool
	from   string
	to     []string
}

func (ss *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != sinkUser || pass != sinkPass {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s := ss.sink
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.rcpt[to]; len(q) > 0 {
		s.rcpt[to] = q[1:]
		if q[0] != nil {
			return q[0]
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.sink
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.data) > 0 {
		e := s.data[0]
		s.data = s.data[1:]
		if e != nil {
			return e
		}
	}
	s.got = append(s.got, sunk{from: ss.from, to: slices.Clone(ss.to), raw: raw})
	return nil
}

func (ss *sinkSession) Reset() { ss.from, ss.to = "", nil }

func (ss *sinkSession) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sink.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
