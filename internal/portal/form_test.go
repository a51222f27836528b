package portal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/portal"
	"linedesk/internal/ticket"
)

// supportForm is a form as an administrator sets one up.
func (f *fixture) supportForm() portal.Form {
	f.t.Helper()
	fm, err := f.svc.CreateForm(context.Background(), f.admin, portal.FormInput{Name: "Website support",
		Fields: []portal.FormField{
			{Key: "name", Type: portal.FieldText, Labels: map[string]string{"en": "Name", "lv": "Vārds"}},
			{Key: "email", Type: portal.FieldEmail, Required: true, Labels: map[string]string{"en": "E-mail"}},
			{Key: "product", Type: portal.FieldSelect, Options: []string{"Router", "Switch"}, Labels: map[string]string{"en": "Product"}},
			{Key: "message", Type: portal.FieldTextarea, Required: true, Labels: map[string]string{"en": "Message"}},
		},
		Priority: ticket.PriorityHigh, Line: 2, Origins: []string{"https://www.client.example"},
		Thanks: map[string]string{"en": "Thank you!", "lv": "Paldies!"}})
	f.must(err)
	return fm
}

// submission is a person's submission, opened long enough ago.
func (f *fixture) submission(fm portal.Form, ip, email string) portal.Submission {
	return portal.Submission{FormID: fm.ID, Origin: "https://www.client.example", IP: ip,
		Started: f.svc.StartToken(fm.ID, f.clock().Add(-time.Minute)),
		Values:  map[string]string{"name": "Ilze Ozola", "email": email, "product": "Router", "message": "The router reboots every hour.\nSince Monday."}}
}

func TestFormDefinition(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		ctx := context.Background()
		ok := portal.FormInput{Name: "F", Fields: []portal.FormField{{Key: "email", Type: portal.FieldEmail, Required: true,
			Labels: map[string]string{"en": "E-mail"}}}}
		cases := map[string]func(in *portal.FormInput){
			"name":      func(in *portal.FormInput) { in.Name = " " },
			"fields":    func(in *portal.FormInput) { in.Fields = nil },
			"fields[0]": func(in *portal.FormInput) { in.Fields[0].Required = false },
			"fields[1].key": func(in *portal.FormInput) {
				in.Fields = append(in.Fields, portal.FormField{Key: "Bad Key", Type: "text"})
			},
			"fields[1].type": func(in *portal.FormInput) { in.Fields = append(in.Fields, portal.FormField{Key: "x", Type: "colour"}) },
			"fields[1].options": func(in *portal.FormInput) {
				in.Fields = append(in.Fields, portal.FormField{Key: "x", Type: "select", Labels: map[string]string{"en": "X"}})
			},
			"fields[1].labels.en": func(in *portal.FormInput) {
				in.Fields = append(in.Fields, portal.FormField{Key: "x", Type: "text", Labels: map[string]string{"lv": "X"}})
			},
			"origins":  func(in *portal.FormInput) { in.Origins = []string{"https://www.client.example/contact"} },
			"priority": func(in *portal.FormInput) { in.Priority = "whenever" },
			"line":     func(in *portal.FormInput) { in.Line = 5 },
		}
		for field, spoil := range cases {
			in := ok
			in.Fields = append([]portal.FormField{}, ok.Fields...)
			spoil(&in)
			_, err := f.svc.CreateForm(ctx, f.admin, in)
			if e := apperr.As(err); e == nil || e.Field != field {
				t.Errorf("%s: got %v, want an error on that field", field, err)
			}
		}
		if _, err := f.svc.CreateForm(ctx, f.agent, ok); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("an agent defined a form: %v", err)
		}
		if n := f.count(`SELECT count(*) FROM web_forms`); n != 0 {
			t.Errorf("%d forms stored from bad definitions", n)
		}
		fm, err := f.svc.CreateForm(ctx, f.admin, portal.FormInput{Name: "F", Fields: ok.Fields,
			Origins: []string{"HTTPS://WWW.Client.example/", "http://127.0.0.1:8081"}})
		if err != nil || strings.Join(fm.Origins, " ") != "https://www.client.example http://127.0.0.1:8081" || !fm.Active {
			t.Errorf("origins are kept normalised: %+v %v", fm.Origins, err)
		}
	})
}

func TestFormSubmission(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, nil)
		ctx := context.Background()
		fm := f.supportForm()
		tickets := func() int { return f.count(`SELECT count(*) FROM tickets`) }

		t.Run("a submission becomes a web_form ticket of a new contact of the domain's company", func(t *testing.T) {
			r, err := f.svc.Submit(ctx, f.submission(fm, "192.0.2.1", "Ilze@Client.example"), "lv")
			if err != nil || r.Thanks != "Paldies!" {
				t.Fatalf("submit: %+v %v", r, err)
			}
			list, _, err := f.tickets.FindTickets(ctx, f.admin, ticket.Filter{Query: ticket.Number(r.Number)})
			f.must(err)
			tk := list[0]
			if tk.Channel != ticket.ChannelWebForm || tk.Priority != ticket.PriorityHigh || tk.Line != 2 ||
				tk.CompanyID == nil || *tk.CompanyID != f.company.ID || tk.Requester.Email != "ilze@client.example" ||
				tk.Requester.Name != "Ilze Ozola" || tk.MailboxID == nil || *tk.MailboxID != f.mailbox.ID {
				t.Errorf("ticket %+v", tk)
			}
			if tk.Subject != "Website support: The router reboots every hour." || !strings.Contains(tk.Description, "Product: Router") {
				t.Errorf("subject %q, description %q", tk.Subject, tk.Description)
			}
			if n := f.count(`SELECT count(*) FROM jobs WHERE kind = 'email.notify' AND payload LIKE '%received%'`); n != 1 {
				t.Errorf("%d receipts asked for, want 1", n)
			}
		})
		refused := []struct {
			name, why string
			spoil     func(s *portal.Submission)
		}{
			{"a filled-in hidden field", portal.RefusedSpam, func(s *portal.Submission) { s.Honeypot = "http://spam.example" }},
			{"sent within a second of opening", portal.RefusedTooFast, func(s *portal.Submission) { s.Started = f.svc.StartToken(fm.ID, f.clock()) }},
			{"a forged start time", portal.RefusedStale, func(s *portal.Submission) { s.Started = "1700000000-forged" }},
			{"a start time of another form", portal.RefusedStale, func(s *portal.Submission) { s.Started = f.svc.StartToken(fm.ID+1, f.clock().Add(-time.Minute)) }},
			{"opened two days ago", portal.RefusedStale, func(s *portal.Submission) { s.Started = f.svc.StartToken(fm.ID, f.clock().Add(-48*time.Hour)) }},
			{"posted from another site", portal.RefusedOrigin, func(s *portal.Submission) { s.Origin = "https://evil.example" }},
			{"posted with no origin", portal.RefusedOrigin, func(s *portal.Submission) { s.Origin = "" }},
		}
		for _, c := range refused {
			t.Run(c.name+" creates nothing", func(t *testing.T) {
				before := tickets()
				s := f.submission(fm, "198.51.100.7", "someone@client.example")
				c.spoil(&s)
				if _, err := f.svc.Submit(ctx, s, "en"); refusal(err) != c.why {
					t.Errorf("got %v, want refused as %s", err, c.why)
				}
				if n := tickets(); n != before {
					t.Errorf("%d tickets created", n-before)
				}
			})
		}
		t.Run("blocked addresses and domains are refused", func(t *testing.T) {
			_, err := f.mail.BlockDomain(ctx, "spam.example", "sends spam")
			f.must(err)
			c := f.contact("Blocked", "blocked@client.example", nil)
			yes, reason := true, "abuse"
			_, err = f.dir.UpdateContact(ctx, c.ID, directory.ContactUpdate{Blocked: &yes, BlockedReason: &reason})
			f.must(err)
			before := tickets()
			for _, e := range []string{"bot@spam.example", "bot@mail.spam.example", "blocked@client.example"} {
				if _, err := f.svc.Submit(ctx, f.submission(fm, "198.51.100.8", e), "en"); refusal(err) != portal.RefusedBlocked {
					t.Errorf("%s: %v, want refused as blocked", e, err)
				}
			}
			if n := tickets(); n != before {
				t.Errorf("%d tickets created", n-before)
			}
		})
		t.Run("the fourth submission in five minutes creates nothing", func(t *testing.T) {
			f.after(time.Hour)
			before := tickets()
			for i := range 3 {
				if _, err := f.svc.Submit(ctx, f.submission(fm, "203.0.113.5", "burst@client.example"), "en"); err != nil {
					t.Fatalf("submission %d: %v", i+1, err)
				}
			}
			if _, err := f.svc.Submit(ctx, f.submission(fm, "203.0.113.5", "burst@client.example"), "en"); refusal(err) != portal.RefusedTooMany {
				t.Errorf("fourth: %v, want refused as too many", err)
			}
			if _, err := f.svc.Submit(ctx, f.submission(fm, "203.0.113.6", "burst@client.example"), "en"); refusal(err) != portal.RefusedTooMany {
				t.Errorf("fourth from another address: %v, want refused: the e-mail address counts too", err)
			}
			if _, err := f.svc.Submit(ctx, f.submission(fm, "203.0.113.5", "other@client.example"), "en"); refusal(err) != portal.RefusedTooMany {
				t.Errorf("fourth from the same client with another address: %v, want refused: the client counts too", err)
			}
			if n := tickets(); n != before+3 {
				t.Errorf("%d tickets created, want 3", n-before)
			}
			f.after(6 * time.Minute)
			if _, err := f.svc.Submit(ctx, f.submission(fm, "203.0.113.5", "burst@client.example"), "en"); err != nil {
				t.Errorf("after five minutes: %v", err)
			}
		})
		t.Run("bad answers name the field and create nothing", func(t *testing.T) {
			f.after(time.Hour)
			before := tickets()
			for key, spoil := range map[string]func(v map[string]string){
				"email":   func(v map[string]string) { v["email"] = "not an address" },
				"message": func(v map[string]string) { v["message"] = "  " },
				"product": func(v map[string]string) { v["product"] = "Toaster" },
			} {
				s := f.submission(fm, "192.0.2.50", "fine@client.example")
				spoil(s.Values)
				_, err := f.svc.Submit(ctx, s, "en")
				var fe *portal.FormError
				if !errorsAs(err, &fe) || fe.Key != key {
					t.Errorf("%s: got %v, want an error on it", key, err)
				}
			}
			if n := tickets(); n != before {
				t.Errorf("%d tickets created", n-before)
			}
		})
		t.Run("a switched-off form takes nothing", func(t *testing.T) {
			off := false
			_, err := f.svc.UpdateForm(ctx, f.admin, fm.ID, portal.FormInput{Name: fm.Name, Fields: fm.Fields,
				Origins: fm.Origins, Active: &off})
			f.must(err)
			if _, err := f.svc.Submit(ctx, f.submission(fm, "192.0.2.60", "late@client.example"), "en"); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("got %v, want not found", err)
			}
		})
	})
}
