package reply

import (
	"slices"
	"strings"
	"unicode"

	"linedesk/internal/apperr"
)

// A text may hold variables, filled in from the ticket when the text is
// put into a reply: {{requester.first_name}}. A variable may give a
// fallback for when it has no value: {{requester.first_name|there}}. An
// unknown variable is refused when the text is saved, never left blank.

// Variables are the names a text may use.
var Variables = []string{
	"requester.name", "requester.first_name", "requester.email",
	"ticket.number", "ticket.subject",
	"agent.name", "agent.first_name", "agent.email",
	"company.name",
}

// token is one variable in a text.
type token struct {
	start, end int    // of the whole {{…}} in the text
	name       string // the variable
	fallback   string // after the bar, "" when none
}

// tokens finds the variables of a text; a {{ that is not closed, or an
// unknown name, is an error naming the field.
func tokens(field, text string) ([]token, error) {
	var out []token
	for i := 0; ; {
		open := strings.Index(text[i:], "{{")
		if open < 0 {
			return out, nil
		}
		open += i
		end := strings.Index(text[open:], "}}")
		if end < 0 {
			return nil, apperr.Field(field, "a variable is opened with {{ but not closed with }}")
		}
		end += open + 2
		inner := text[open+2 : end-2]
		name, fallback, _ := strings.Cut(inner, "|")
		name = strings.TrimSpace(name)
		if !slices.Contains(Variables, name) {
			return nil, apperr.Field(field, "unknown variable {{%s}}; the variables are %s", shown(name), strings.Join(Variables, ", "))
		}
		out = append(out, token{start: open, end: end, name: name, fallback: strings.TrimSpace(fallback)})
		i = end
	}
}

// shown keeps an unknown name printable in an error.
func shown(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if len(name) > 60 {
		name = name[:60] + "…"
	}
	return name
}

// Fill puts the values into a text; a variable with no value gets its
// fallback, or nothing.
func Fill(text string, values map[string]string) (string, error) {
	toks, err := tokens("text", text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	last := 0
	for _, t := range toks {
		b.WriteString(text[last:t.start])
		v := values[t.name]
		if v == "" {
			v = t.fallback
		}
		b.WriteString(v)
		last = t.end
	}
	b.WriteString(text[last:])
	return b.String(), nil
}

// FirstName is the first word of a person's name, "" for a name that is
// an e-mail address.
func FirstName(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 || strings.Contains(f[0], "@") {
		return ""
	}
	return f[0]
}
