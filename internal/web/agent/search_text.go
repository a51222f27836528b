package agent

import (
	"strings"

	"linedesk/internal/i18n"
	"linedesk/internal/search"
)

// syntaxHelp explains the query language with an example of each part.
func syntaxHelp(l *i18n.Localizer) []syntaxRow {
	return []syntaxRow{
		{"принтер не печатает", l.T("search.syntax.words")},
		{`"printer offline"`, l.T("search.syntax.phrase")},
		{`vpn -wifi -"home office"`, l.T("search.syntax.exclude")},
		{"#1042", l.T("search.syntax.number")},
		{"status:open  status:unsolved  -status:closed", l.T("search.syntax.status")},
		{"priority:high  type:incident  channel:email", l.T("search.syntax.fields")},
		{`company:"Acme Ltd"  from:user@x.lv`, l.T("search.syntax.people")},
		{"group:Network  assignee:me  assignee:none", l.T("search.syntax.team")},
		{"tag:vpn", l.T("search.syntax.tag")},
		{"0x80070005  10.0.0.1  user@x.lv  /var/log/syslog", l.T("search.syntax.technical")},
	}
}

// queryMessage says what is wrong with a query in the reader's language.
func queryMessage(l *i18n.Localizer, e *search.QueryError) string {
	arg := e.Arg
	switch e.Code {
	case "unterminated_quote":
		return l.T("search.error.unterminated_quote")
	case "empty_value":
		return l.T("search.error.empty_value", "Field", arg(0))
	case "unknown_field":
		return l.T("search.error.unknown_field", "Field", arg(0), "Suggestion", arg(1))
	case "bad_value":
		return l.T("search.error.bad_value", "Value", arg(0), "Allowed", arg(2))
	case "bad_number":
		return l.T("search.error.bad_number", "Value", arg(0))
	case "no_match":
		return noMatch(l, arg(0), arg(1))
	case "not_available":
		return l.T("search.error.not_available", "Field", arg(0))
	case "too_long":
		return l.T("search.error.too_long", "Max", arg(0))
	case "too_many":
		return l.T("search.error.too_many", "Max", arg(0))
	case "no_terms":
		return l.T("search.error.no_terms")
	case "empty":
		return l.T("search.error.empty")
	}
	return strings.TrimSpace(e.Error())
}

// noMatch says that a filter's name matches nothing.
func noMatch(l *i18n.Localizer, what, value string) string {
	switch what {
	case "company":
		return l.T("search.error.no_company", "Value", value)
	case "group":
		return l.T("search.error.no_group", "Value", value)
	case "agent":
		return l.T("search.error.no_agent", "Value", value)
	}
	return l.T("search.error.no_contact", "Value", value)
}
