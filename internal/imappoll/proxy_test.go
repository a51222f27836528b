package imappoll_test

import (
	"bytes"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// proxy is a TCP proxy on 127.0.0.1 in front of a server, which a test can
// make stall (keep connections open but forward nothing), cut every
// connection, or cut a connection in the middle of a response.
type proxy struct {
	ln       net.Listener
	target   string
	accepted atomic.Int32

	mu     sync.Mutex
	cond   *sync.Cond
	paused bool
	cut    []byte // the next server data holding this is cut in half
	pairs  map[*pair]bool
}

type pair struct{ client, server net.Conn }

func (p *pair) close() {
	p.client.Close()
	p.server.Close()
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, pairs: map[*pair]bool{}}
	p.cond = sync.NewCond(&p.mu)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			p.accepted.Add(1)
			pr := &pair{client: client, server: server}
			p.mu.Lock()
			p.pairs[pr] = true
			p.mu.Unlock()
			wg.Go(func() { p.pump(pr, server, client, true) })
			wg.Go(func() { p.pump(pr, client, server, false) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		p.dropAll()
		p.resume()
		wg.Wait()
	})
	return p
}

func (p *proxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// pump copies one direction, holding what it read while paused.
func (p *proxy) pump(pr *pair, from, to net.Conn, fromServer bool) {
	defer pr.close()
	buf := make([]byte, 16<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.paused {
				p.cond.Wait()
			}
			chunk := buf[:n]
			cut := false
			if fromServer && p.cut != nil {
				if i := bytes.Index(chunk, p.cut); i >= 0 {
					chunk, cut, p.cut = chunk[:min(len(chunk), i+len(p.cut)+64)], true, nil
				}
			}
			p.mu.Unlock()
			if _, err := to.Write(chunk); err != nil || cut {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// pause stops forwarding in both directions, for open and new connections.
func (p *proxy) pause() {
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
}

func (p *proxy) resume() {
	p.mu.Lock()
	p.paused = false
	p.cond.Broadcast()
	p.mu.Unlock()
}

// dropAll closes every open connection, as a server that goes away would.
func (p *proxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for pr := range p.pairs {
		pr.close()
		delete(p.pairs, pr)
	}
}

// cutAt makes the next server data that holds marker the last: the
// connection is closed a few bytes after it.
func (p *proxy) cutAt(marker string) {
	p.mu.Lock()
	p.cut = []byte(marker)
	p.mu.Unlock()
}
