package email

import (
	"bufio"
	"bytes"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

var (
	// bounceSubject matches the subjects MTAs give non-standard bounces.
	bounceSubject = regexp.MustCompile(`(?i)(undeliver(ed|able)|delivery (status|failure|failed|notification|report|has failed|problem)|mail delivery (failed|failure)|returned mail|failure notice|non recapitabile|unzustellbar|non remis|mail system error|could not be delivered|postmaster notify|warning: could not send|недоставленное сообщение|не доставлено|не удалось доставить|nepiegādāt|nav piegādāt)`)

	// bouncePhrase matches what the human-readable part of a bounce says.
	bouncePhrase = regexp.MustCompile(`(?i)(could not be delivered|couldn't be delivered|was not delivered|undeliverable|undelivered|delivery (to the following recipients? )?(has )?failed|permanent (error|failure)|user unknown|unknown user|no such user|mailbox (is )?(full|unavailable|not found)|over quota|did not reach|returned to sender|unable to deliver|could not deliver|address(es)? failed|не (может быть )?доставлено|не удалось доставить|nevarēja piegādāt)`)

	// originalMarker ends the human-readable part of a text bounce: what
	// follows is the returned message.
	originalMarker = regexp.MustCompile(`(?im)^.*(original message (follows|headers?|below|is attached)|headers? of the original|returned message|message (headers )?follows|copy of (the |your )?(original )?message|below this line|unsent message below|^-+ ?original message ?-+|^(received|return-path|message-id):)`)

	quotedMessageID = regexp.MustCompile(`(?im)^[ \t>]*message-id[ \t]*:\s*(<[^<>\s]+>)`)
	jsonMessageID   = regexp.MustCompile(`(?i)"message-id\\?"\s*,\s*\\?"value\\?"\s*:\s*\\?"(<[^<>"\\\s]+>)`)
	enhancedStatus  = regexp.MustCompile(`\b([245])\.\d{1,3}\.\d{1,3}\b`)
	temporaryWords  = regexp.MustCompile(`(?i)(delay|delayed|will (be )?retr|still trying|temporar|warning)`)

	sesType      = regexp.MustCompile(`notificationType\\?"\s*:\s*\\?"(Bounce|Complaint)`)
	sesRecipient = regexp.MustCompile(`emailAddress\\?"\s*:\s*\\?"([^"\\\s]+@[^"\\\s]+)`)
	sesPermanent = regexp.MustCompile(`bounceType\\?"\s*:\s*\\?"Permanent`)
)

// maxRecipients bounds the recipients read from one bounce.
const maxRecipients = 50

// detectBounce recognises delivery status notifications: RFC 3464 reports,
// RFC 5965 feedback reports (returned with Permanent false), Amazon SES
// notifications, and the non-standard bounces MTAs send from MAILER-DAEMON
// or postmaster. It returns nil for other mail.
func detectBounce(m *Message, r *report) *Bounce {
	var b *Bounce
	var fields textproto.MIMEHeader
	switch {
	case len(r.status) > 0:
		b, fields = dsnBounce(r.status)
	case len(r.feedback) > 0:
		b, fields = feedbackBounce(r.feedback)
	case sesBounce(m) != nil:
		b = sesBounce(m)
	case r.reportType == "delivery-status" || m.Header.Get("X-Failed-Recipients") != "" || looksLikeBounce(m, r):
		b = textBounce(m)
	default:
		return nil
	}
	if len(b.Recipients) == 0 {
		b.Recipients = addressList(m.Header.Values("X-Failed-Recipients"))
	}
	b.OriginalMessageID = originalMessageID(m, r, fields)
	return b
}

// looksLikeBounce applies to mail from a mail system: a bounce subject (not
// a person's "Fwd: Undeliverable"), a returned message, or bounce wording.
func looksLikeBounce(m *Message, r *report) bool {
	if !isSystemSender(m) {
		return false
	}
	if bounceSubject.MatchString(m.Subject) && !hasReplyPrefix(m.Subject) {
		return true
	}
	return len(r.originals) > 0 || bouncePhrase.MatchString(truncate(m.Text, 16<<10))
}

// dsnBounce reads message/delivery-status parts: the failed recipients and
// whether any failure is permanent. When nothing failed (a delay warning)
// the delayed recipients are returned, not permanent.
func dsnBounce(parts [][]byte) (*Bounce, textproto.MIMEHeader) {
	b := &Bounce{}
	var delayed []string
	all := textproto.MIMEHeader{}
	for _, data := range parts {
		for _, block := range fieldBlocks(data) {
			for k, v := range block {
				all[k] = append(all[k], v...)
			}
			addr := dsnAddress(block.Get("Final-Recipient"))
			if addr == "" {
				addr = dsnAddress(block.Get("Original-Recipient"))
			}
			if addr == "" {
				continue
			}
			action := fieldWord(block.Get("Action"))
			status := strings.TrimSpace(block.Get("Status"))
			switch {
			case action == "failed" || action == "" && !strings.HasPrefix(status, "4") && !strings.HasPrefix(status, "2"):
				b.Recipients = appendUnique(b.Recipients, addr)
				if status == "" || strings.HasPrefix(status, "5") {
					b.Permanent = true
				}
			case action == "delayed" || strings.HasPrefix(status, "4"):
				delayed = appendUnique(delayed, addr)
			}
		}
	}
	if len(b.Recipients) == 0 {
		b.Recipients = delayed
	}
	return b, all
}

// feedbackBounce reads message/feedback-report parts (RFC 5965).
func feedbackBounce(parts [][]byte) (*Bounce, textproto.MIMEHeader) {
	b := &Bounce{}
	all := textproto.MIMEHeader{}
	for _, data := range parts {
		for _, block := range fieldBlocks(data) {
			for k, v := range block {
				all[k] = append(all[k], v...)
			}
		}
	}
	b.Recipients = addressList(all.Values("Original-Rcpt-To"))
	return b, all
}

// textBounce reads a bounce that has no machine-readable report: the
// recipients named in the human-readable part and whether the failure is
// permanent (a 5.x.x status; failing that, anything but delay wording).
func textBounce(m *Message) *Bounce {
	human := m.Text
	if loc := originalMarker.FindStringIndex(human); loc != nil {
		human = human[:loc[0]]
	}
	human = truncate(human, 64<<10)
	b := &Bounce{Recipients: addressList(m.Header.Values("X-Failed-Recipients"))}
	if len(b.Recipients) == 0 {
		skip := map[string]bool{m.From.Email: true}
		for _, a := range m.To {
			skip[a.Email] = true
		}
		for _, a := range addrSpec.FindAllString(human, maxRecipients*4) {
			a = strings.ToLower(strings.Trim(a, ".<>'`"))
			if !skip[a] && !daemonNames[localPart(a)] {
				b.Recipients = appendUnique(b.Recipients, a)
			}
		}
	}
	switch codes := enhancedStatus.FindAllStringSubmatch(human, -1); {
	case hasCode(codes, "5"):
		b.Permanent = true
	case hasCode(codes, "4"):
		b.Permanent = false
	default:
		b.Permanent = !temporaryWords.MatchString(m.Subject)
	}
	return b
}

func hasCode(codes [][]string, class string) bool {
	for _, c := range codes {
		if c[1] == class {
			return true
		}
	}
	return false
}

// sesBounce reads an Amazon SES bounce or complaint delivered as an SNS
// notification (JSON in the body).
func sesBounce(m *Message) *Bounce {
	domain := m.From.Email[strings.LastIndexByte(m.From.Email, '@')+1:]
	if !strings.HasSuffix(domain, "amazonaws.com") && !strings.HasSuffix(domain, "amazonses.com") {
		return nil
	}
	t := sesType.FindStringSubmatch(m.Text)
	if t == nil {
		return nil
	}
	b := &Bounce{Permanent: t[1] == "Bounce" && sesPermanent.MatchString(m.Text)}
	for _, sm := range sesRecipient.FindAllStringSubmatch(m.Text, maxRecipients) {
		b.Recipients = appendUnique(b.Recipients, strings.ToLower(sm[1]))
	}
	return b
}

// originalMessageID finds the Message-ID of the returned message: in an
// attached message or its headers, in Original-Message-ID fields, or quoted
// in the text.
func originalMessageID(m *Message, r *report, fields textproto.MIMEHeader) string {
	for _, o := range r.originals {
		if id := firstID(readHeaderBlock(bytes.TrimLeft(o, "\r\n")).Get("Message-Id")); id != "" {
			return id
		}
	}
	for _, name := range []string{"Original-Message-Id", "X-Original-Message-Id"} {
		if id := firstID(fields.Get(name)); id != "" {
			return id
		}
		if id := firstID(m.Header.Get(name)); id != "" {
			return id
		}
	}
	texts := []string{m.Text}
	for _, s := range r.status { // broken reports sometimes hold the headers
		texts = append(texts, string(s))
	}
	for _, t := range r.texts {
		s, _ := decodeBytes(t.data, t.charset)
		texts = append(texts, s)
	}
	for _, t := range texts {
		if sm := quotedMessageID.FindStringSubmatch(t); sm != nil {
			return firstID(sm[1])
		}
		if sm := jsonMessageID.FindStringSubmatch(t); sm != nil {
			return firstID(sm[1])
		}
	}
	return ""
}

// fieldBlocks parses blank-line separated blocks of header fields, as in a
// delivery-status or feedback-report body.
func fieldBlocks(data []byte) []textproto.MIMEHeader {
	var blocks []textproto.MIMEHeader
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	for _, chunk := range bytes.Split(data, []byte("\n\n")) {
		if len(bytes.TrimSpace(chunk)) == 0 {
			continue
		}
		if h := readHeaderBlock(bytes.TrimLeft(chunk, "\n")); len(h) > 0 {
			blocks = append(blocks, h)
		}
	}
	return blocks
}

// readHeaderBlock reads the header fields at the start of data tolerantly.
func readHeaderBlock(data []byte) textproto.MIMEHeader {
	h, err := enmime.ReadHeader(bufio.NewReader(bytes.NewReader(data)), discardErrors{})
	if err != nil && h == nil {
		return textproto.MIMEHeader{}
	}
	return h
}

type discardErrors struct{}

func (discardErrors) AddError(string, string, ...any)   {}
func (discardErrors) AddWarning(string, string, ...any) {}

// dsnAddress reads "rfc822; user@example.com" (the address type is optional).
func dsnAddress(v string) string {
	if _, after, ok := strings.Cut(v, ";"); ok {
		v = after
	}
	v = strings.ToLower(strings.Trim(strings.TrimSpace(v), "<>"))
	if !strings.Contains(v, "@") {
		return ""
	}
	return v
}

// addressList reads addresses from comma-separated header values.
func addressList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, a := range addrSpec.FindAllString(v, maxRecipients) {
			out = appendUnique(out, strings.ToLower(strings.Trim(a, ".<>")))
		}
	}
	return out
}

func appendUnique(list []string, s string) []string {
	if len(list) >= maxRecipients {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
