package reply_test

import (
	"strings"
	"testing"

	"linedesk/internal/apperr"
	"linedesk/internal/reply"
)

func TestFill(t *testing.T) {
	values := map[string]string{"requester.first_name": "Мария", "ticket.number": "#1042", "agent.name": "Anna Bērziņa",
		"company.name": ""}
	for _, c := range []struct{ in, want string }{
		{"Здравствуйте, {{requester.first_name}}!", "Здравствуйте, Мария!"},
		{"Ticket {{ ticket.number }} — {{agent.name}}", "Ticket #1042 — Anna Bērziņa"},
		{"Hello {{company.name|there}}", "Hello there"},
		{"Hello {{requester.first_name | there}}", "Hello Мария"},
		{"No variables {here}", "No variables {here}"},
		{"{{ticket.number}}{{ticket.number}}", "#1042#1042"},
	} {
		got, err := reply.Fill(c.in, values)
		if err != nil || got != c.want {
			t.Errorf("Fill(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"Hi {{requester.firstname}}", "Hi {{ticket.number", "{{}}", "{{agent.password}}"} {
		_, err := reply.Fill(bad, values)
		if !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Fill(%q) accepted: %v", bad, err)
		}
	}
	_, err := reply.Fill("Hi {{requester.firstname}}", values)
	if e := apperr.As(err); e == nil || !strings.Contains(e.Message, "unknown variable {{requester.firstname}}") {
		t.Errorf("error %v does not name the variable", err)
	}
}

func TestFirstName(t *testing.T) {
	for in, want := range map[string]string{"Anna Bērziņa": "Anna", "Иван": "Иван", " ": "", "maria@client.example": ""} {
		if got := reply.FirstName(in); got != want {
			t.Errorf("FirstName(%q) = %q, want %q", in, got, want)
		}
	}
}
