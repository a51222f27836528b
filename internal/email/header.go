package email

import (
	"io"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// readHeaders fills the fields that come from the top-level header.
func (m *Message) readHeaders() {
	h := m.Header
	m.MessageID = firstID(h.Get("Message-Id"))
	m.InReplyTo = parseIDs(h.Get("In-Reply-To"))
	m.References = parseIDs(strings.Join(h.Values("References"), " "))
	m.Subject = m.HeaderValue("Subject")
	m.To = m.addresses("To")
	m.Cc = m.addresses("Cc")
	m.ReplyTo = m.addresses("Reply-To")
	if from := m.addresses("From"); len(from) > 0 {
		m.From = from[0]
	} else if sender := m.addresses("Sender"); len(sender) > 0 {
		m.From = sender[0]
	} else if name := strings.Trim(m.HeaderValue("From"), ` <>"'`); name != "" {
		// "MAILER-DAEMON <>", "Mail Delivery Subsystem <MAILER-DAEMON>": no
		// address, but the name still tells who sent it.
		m.From.Name = strings.Join(strings.FieldsFunc(name, func(r rune) bool { return r == '<' || r == '>' || r == ' ' }), " ")
	}
	if m.From.Email == "" && !isNullPath(h.Get("Return-Path")) {
		m.problem("no readable From address")
	}
	m.Date = m.date()
}

// addresses parses an address-list header field. It tries the standard
// parser first and falls back to picking out anything that looks like an
// address, so one broken entry does not lose the rest.
func (m *Message) addresses(field string) []Address {
	raw := strings.Join(m.Header.Values(field), ", ")
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	if !utf8.ValidString(raw) {
		raw, _ = decodeBytes([]byte(raw), m.charsetHint)
	}
	p := mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charsetReader}}
	list, err := p.ParseList(raw)
	if err != nil {
		m.problem("%s: %v", field, err)
		return looseAddresses(raw)
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		out = append(out, Address{Name: cleanName(a.Name, a.Address), Email: strings.ToLower(a.Address)})
	}
	return out
}

// charsetReader lets net/mail decode encoded-words in any charset we know,
// with the same fallback as the rest of the package.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	s, _ := decodeBytes(b, label)
	return strings.NewReader(s), nil
}

var (
	addrSpec  = regexp.MustCompile(`[^\s<>()",;:\[\]\\]+@[^\s<>()",;:\[\]\\]+`)
	nameTrim  = ` "'<>,;`
	listSplit = regexp.MustCompile(`,|;`)
)

// looseAddresses extracts addresses from a header net/mail cannot parse:
// each comma- or semicolon-separated item yields its address and whatever
// text surrounds it as the name.
func looseAddresses(raw string) []Address {
	var out []Address
	for _, item := range listSplit.Split(raw, 200) {
		loc := addrSpec.FindStringIndex(item)
		if loc == nil {
			continue
		}
		email := strings.ToLower(strings.Trim(item[loc[0]:loc[1]], ".<>"))
		name := strings.Trim(item[:loc[0]]+" "+item[loc[1]:], nameTrim)
		out = append(out, Address{Name: cleanName(name, email), Email: email})
	}
	return out
}

// cleanName decodes encoded-words net/mail left (inside quotes, for
// example) and drops a name that only repeats the address.
func cleanName(name, email string) string {
	name = strings.Trim(cleanText(decodeWords(name)), ` "'`)
	if strings.EqualFold(name, email) {
		return ""
	}
	return name
}

// msgID matches one <id>. Ids with whitespace or nested brackets are invalid.
var msgID = regexp.MustCompile(`<([^<>\s]{1,900})>`)

// parseIDs returns the message ids in a Message-ID, In-Reply-To or
// References field, without brackets, in order and without duplicates. When
// a field has no brackets at all, words containing an '@' are taken as ids.
func parseIDs(v string) []string {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !seen[id] && utf8.ValidString(id) && !strings.ContainsFunc(id, isControl) {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if matches := msgID.FindAllStringSubmatch(v, -1); matches != nil {
		for _, m := range matches {
			add(m[1])
		}
		return ids
	}
	if strings.ContainsAny(v, "<>") {
		return nil
	}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }) {
		if strings.Contains(f, "@") && len(f) < 900 {
			add(f)
		}
	}
	return ids
}

func firstID(v string) string {
	if ids := parseIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// isNullPath reports whether a Return-Path is the null reverse path "<>"
// that bounces and other automatic mail carry.
func isNullPath(v string) bool {
	v = strings.TrimSpace(v)
	return v != "" && strings.Trim(v, "<> \t") == ""
}

// date reads the Date field, falling back to the newest Received field.
func (m *Message) date() time.Time {
	if v := m.Header.Get("Date"); v != "" {
		if t, ok := parseDate(v); ok {
			return t
		}
		m.problem("unreadable Date %q", truncate(v, 80))
	} else {
		m.problem("no Date")
	}
	for _, r := range m.Header.Values("Received") {
		if i := strings.LastIndexByte(r, ';'); i >= 0 {
			if t, ok := parseDate(r[i+1:]); ok {
				return t
			}
		}
	}
	return time.Time{}
}

var (
	dateComment = regexp.MustCompile(`\([^()]*\)`)
	dateLayouts = []string{
		"Mon, 2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05 MST",
		"Mon, 2 Jan 2006 15:04 -0700",
		"2 Jan 2006 15:04:05 -0700",
		"2 Jan 2006 15:04 -0700",
		"Mon, 2 Jan 06 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05",
		"Mon, 2 Jan 2006 15:04:05 -0700 MST",
		"Monday, January 2, 2006 3:04 PM",
		"Mon Jan 2 15:04:05 2006",
		"Mon Jan 2 15:04:05 MST 2006",
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05",
		time.RFC3339,
	}
)

// parseDate reads the date formats seen in real mail, strict RFC 5322 first.
func parseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if t, err := mail.ParseDate(v); err == nil {
		return t, true
	}
	v = strings.Join(strings.Fields(dateComment.ReplaceAllString(v, " ")), " ")
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	if t, err := mail.ParseDate(v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
