package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"linedesk/internal/benchutil"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

// benchClient keeps enough idle connections for the parallel clients, as
// a load balancer or integration would.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}}

func post(b *testing.B, url, token string, body []byte) {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := benchClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		b.Fatalf("status %d", res.StatusCode)
	}
}

// BenchmarkHTTPCreateTicket posts tickets from 16 concurrent clients over
// keep-alive connections: token check, JSON, validation, transaction.
func BenchmarkHTTPCreateTicket(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		e := newEnv(b, d)
		url := e.srv.URL + "/api/v1/tickets"
		var n atomic.Int64
		var rec benchutil.Recorder
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				body := fmt.Appendf(nil, `{"subject":"Printer does not print","description":"Since this morning the office printer shows an error.","priority":"high","channel":"api","requester":{"email":"caller%d@client.example","name":"Caller %d"},"tags":["printer"]}`, i%500, i%500)
				rec.Time(func() { post(b, url, e.admin, body) })
			}
		})
		b.StopTimer()
		rec.Report(b)
	})
}

// BenchmarkHTTPListTickets lists one 50-row page of an agent's group
// queue through HTTP from a store of 100,000 tickets.
func BenchmarkHTTPListTickets(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) {
		seed, err := benchutil.SeedTickets(context.Background(), d, 100_000)
		if err != nil {
			b.Fatal(err)
		}
		e := newEnv(b, d)
		token, _, err := e.auth.CreateToken(context.Background(), seed.Agents[0], "bench")
		if err != nil {
			b.Fatal(err)
		}
		url := fmt.Sprintf("%s/api/v1/tickets?status=open,pending&group_id=%d&per_page=50", e.srv.URL, seed.Groups[0])
		var rec benchutil.Recorder
		for b.Loop() {
			rec.Time(func() {
				req, _ := http.NewRequest("GET", url, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := benchClient.Do(req)
				if err != nil || res.StatusCode != 200 {
					b.Fatalf("%v %v", res, err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			})
		}
		rec.Report(b)
	})
}

// BenchmarkHTTPCreateTicketPaced sends POST /api/v1/tickets at a fixed
// 2,000 requests a second (open loop) and measures each request from the
// moment it was due, so a server that falls behind cannot hide its delay.
// It shows whether the target rate is held with p99 ≤ 20 ms.
func BenchmarkHTTPCreateTicketPaced(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, d *db.DB) { createPaced(b, newEnv(b, d), 2000) })
}

// createPaced posts tickets at rate a second and reports each request's
// latency from its due time.
func createPaced(b *testing.B, e *env, rate int) {
	url := e.srv.URL + "/api/v1/tickets"
	var rec benchutil.Recorder
	due := make(chan time.Time, 64)
	var wg sync.WaitGroup
	for w := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			i := w
			for at := range due {
				time.Sleep(time.Until(at))
				i += 64
				body := fmt.Appendf(nil, `{"subject":"Printer does not print","priority":"high","requester":{"email":"caller%d@client.example"}}`, i%500)
				post(b, url, e.admin, body)
				rec.Add(time.Since(at))
			}
		}()
	}
	start := time.Now()
	i := 0
	for b.Loop() {
		due <- start.Add(time.Duration(i) * time.Second / time.Duration(rate))
		i++
	}
	close(due)
	wg.Wait()
	rec.Report(b)
}
