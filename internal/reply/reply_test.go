package reply_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/dbtest"
	"linedesk/internal/directory"
	"linedesk/internal/job"
	"linedesk/internal/reply"
	"linedesk/internal/ticket"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

type fixture struct {
	ctx     context.Context
	d       *db.DB
	replies *reply.Service
	tickets *ticket.Service
	dir     *directory.Service
	admin   auth.Principal
	anna    auth.Principal // service desk
	ivan    auth.Principal // network
	desk    int64
	network int64
	company directory.Company
}

func newFixture(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := directory.NewService(d)
	tickets := ticket.NewService(d, log, dir, attachment.NewService(d, t.TempDir(), 1<<20), job.NewQueue(d, log))
	f := &fixture{ctx: ctx, d: d, dir: dir, tickets: tickets, replies: reply.NewService(d, log, tickets, dir)}
	for name, id := range map[string]*int64{"Service desk": &f.desk, "Network": &f.network} {
		g, err := dir.CreateGroup(ctx, directory.GroupInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		*id = g.ID
	}
	mk := func(name, email string, role auth.Role, groups ...int64) auth.Principal {
		a, err := dir.CreateAgent(ctx, directory.AgentInput{Name: name, Email: email, Role: role, GroupIDs: groups})
		if err != nil {
			t.Fatal(err)
		}
		return auth.Principal{AgentID: a.ID, Name: a.Name, Email: a.Email, Role: a.Role, Line: a.Line, GroupIDs: a.GroupIDs}
	}
	f.admin = mk("Ada Admin", "ada@support.example", auth.RoleAdmin)
	f.anna = mk("Anna Bērziņa", "anna@support.example", auth.RoleAgent, f.desk)
	f.ivan = mk("Иван Петров", "ivan@support.example", auth.RoleAgent, f.network)
	var err error
	if f.company, err = dir.CreateCompany(ctx, directory.CompanyInput{Name: "SIA Kalniņš"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// ticketFor opens a ticket for a new contact speaking lang.
func (f *fixture) ticketFor(t testing.TB, name, email, lang string) ticket.Ticket {
	t.Helper()
	c, err := f.dir.CreateContact(f.ctx, directory.ContactInput{Name: name, Email: email, Language: lang, CompanyID: &f.company.ID})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := f.tickets.CreateTicket(f.ctx, f.anna, ticket.NewTicket{Subject: "VPN", GroupID: &f.desk,
		Requester: ticket.RequesterRef{ID: &c.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func wantCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("got error %v, want code %s field %q", err, code, field)
	}
}

func ptr[T any](v T) *T { return &v }

func TestCannedResponses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		texts := map[string]string{
			"en": "Hello {{requester.first_name}},\n\nyour ticket {{ticket.number}} ({{ticket.subject}}) for {{company.name}} is with me.\n\n{{agent.name}}",
			"ru": "Здравствуйте, {{requester.first_name}}!\n\nЗаявка {{ticket.number}} «{{ticket.subject}}» компании {{company.name}} у меня.\n\n{{agent.first_name}}",
			"lv": "Labdien, {{requester.name}}!\n\nPieteikums {{ticket.number}} ({{ticket.subject}}) — {{agent.email}}",
		}
		r, err := f.replies.Create(f.ctx, f.anna, reply.Response, reply.Input{Name: "Taken", Texts: texts})
		if err != nil {
			t.Fatal(err)
		}

		t.Run("each language is filled in, and the requester's is chosen", func(t *testing.T) {
			for _, c := range []struct{ name, email, lang, want string }{
				{"Мария Кузнецова", "maria@client.example", "ru",
					"Здравствуйте, Мария!\n\nЗаявка #NUM «VPN» компании SIA Kalniņš у меня.\n\nAnna"},
				{"Jānis Kalniņš", "janis@client.example", "lv",
					"Labdien, Jānis Kalniņš!\n\nPieteikums #NUM (VPN) — anna@support.example"},
				{"John Smith", "john@client.example", "en",
					"Hello John,\n\nyour ticket #NUM (VPN) for SIA Kalniņš is with me.\n\nAnna Bērziņa"},
			} {
				tk := f.ticketFor(t, c.name, c.email, c.lang)
				got, err := f.replies.Fill(f.ctx, f.anna, r.ID, tk.ID, "")
				if err != nil {
					t.Fatal(err)
				}
				want := replaceNum(c.want, tk)
				if got.Language != c.lang || got.Text != want {
					t.Errorf("%s reads (%s)\n%s\nwant\n%s", c.name, got.Language, got.Text, want)
				}
			}
		})

		t.Run("a missing language falls back, an asked-for one wins", func(t *testing.T) {
			only, err := f.replies.Create(f.ctx, f.anna, reply.Response, reply.Input{Name: "Only English",
				Texts: map[string]string{"en": "Hi {{requester.first_name|there}}"}})
			if err != nil {
				t.Fatal(err)
			}
			tk := f.ticketFor(t, "maria@x.example", "maria2@client.example", "ru")
			got, _ := f.replies.Fill(f.ctx, f.anna, only.ID, tk.ID, "")
			if got.Language != "en" || got.Text != "Hi there" {
				t.Errorf("fallback %+v", got)
			}
			got, _ = f.replies.Fill(f.ctx, f.anna, r.ID, tk.ID, "lv")
			if got.Language != "lv" {
				t.Errorf("asked for lv, got %+v", got)
			}
		})

		t.Run("an unknown variable is refused at save and nothing is saved", func(t *testing.T) {
			_, err := f.replies.Create(f.ctx, f.anna, reply.Response, reply.Input{Name: "Typo",
				Texts: map[string]string{"en": "Hi", "ru": "Привет, {{requester.firstname}}"}})
			wantCode(t, err, apperr.Invalid, "texts.ru")
			_, err = f.replies.Update(f.ctx, f.anna, r.ID, r.Version, reply.Input{Name: "Taken",
				Texts: map[string]string{"en": "Hi {{ticket.numbr}}"}})
			wantCode(t, err, apperr.Invalid, "texts.en")
			list, _ := f.replies.List(f.ctx, f.anna, reply.Filter{Kind: reply.Response})
			for _, x := range list {
				if x.Name == "Typo" {
					t.Error("a response with an unknown variable was saved")
				}
			}
			again, _ := f.replies.Find(f.ctx, f.anna, r.ID)
			if again.Texts["en"] != texts["en"] || again.Version != r.Version {
				t.Errorf("a refused update changed the response: %+v", again)
			}
			_, err = f.replies.Create(f.ctx, f.anna, reply.Response, reply.Input{Name: "Empty"})
			wantCode(t, err, apperr.Invalid, "texts")
		})

		t.Run("personal ones are the owner's; shared ones reach the group only", func(t *testing.T) {
			shared, err := f.replies.Create(f.ctx, f.anna, reply.Response, reply.Input{Name: "Desk greeting", GroupID: &f.desk,
				Texts: map[string]string{"en": "Hello"}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.replies.Create(f.ctx, f.anna, reply.Response, reply.Input{Name: "Network", GroupID: &f.network,
				Texts: map[string]string{"en": "Hello"}})
			wantCode(t, err, apperr.Invalid, "group_id")
			_, err = f.replies.Find(f.ctx, f.ivan, r.ID)
			wantCode(t, err, apperr.NotFound, "")
			_, err = f.replies.Find(f.ctx, f.ivan, shared.ID)
			wantCode(t, err, apperr.NotFound, "")
			colleague := f.agent(t, "Līga Ozola", "liga@support.example", f.desk)
			list, err := f.replies.List(f.ctx, colleague, reply.Filter{Kind: reply.Response})
			if err != nil || len(list) != 1 || list[0].ID != shared.ID {
				t.Errorf("a colleague in the group lists %+v, %v", list, err)
			}
			_, err = f.replies.Update(f.ctx, colleague, shared.ID, 0, reply.Input{Name: "Mine now", Texts: map[string]string{"en": "x"}})
			wantCode(t, err, apperr.Forbidden, "")
			tk := f.ticketFor(t, "Līga", "client3@client.example", "en")
			_, err = f.replies.Fill(f.ctx, f.ivan, r.ID, tk.ID, "")
			wantCode(t, err, apperr.NotFound, "")
			if err := f.replies.Delete(f.ctx, f.admin, shared.ID); err != nil {
				t.Errorf("an administrator deletes a shared response: %v", err)
			}
		})
	})
}

func (f *fixture) agent(t *testing.T, name, email string, groups ...int64) auth.Principal {
	t.Helper()
	a, err := f.dir.CreateAgent(f.ctx, directory.AgentInput{Name: name, Email: email, GroupIDs: groups})
	if err != nil {
		t.Fatal(err)
	}
	return auth.Principal{AgentID: a.ID, Name: a.Name, Email: a.Email, Role: a.Role, Line: a.Line, GroupIDs: a.GroupIDs}
}

func replaceNum(s string, tk ticket.Ticket) string {
	return stringsReplace(s, "#NUM", ticket.Number(tk.Number))
}
