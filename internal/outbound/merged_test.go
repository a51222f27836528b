package outbound

import (
	"fmt"
	"strings"
	"testing"

	"linedesk/internal/db"
	"linedesk/internal/dbtest"
)

// TestMergedNotificationNamesBothTickets: the requester of a merged ticket
// is told, in their language, which ticket the conversation continues in.
func TestMergedNotificationNamesBothTickets(t *testing.T) {
	cases := []struct {
		lang    string
		phrases []string // %[1]d is the merged ticket, %[2]d the survivor
	}{
		{"en", []string{"Hello Kate,", `Your request #%[1]d "Printer jams" was merged into ticket #%[2]d`,
			"The conversation continues there", "keep #%[2]d in the subject"}},
		{"ru", []string{"Здравствуйте, Kate!", "Ваше обращение #%[1]d «Printer jams» объединено с обращением #%[2]d",
			"Переписка продолжается в обращении #%[2]d", "указав #%[2]d в теме письма"}},
		{"lv", []string{"Labdien, Kate!", "Jūsu pieteikums #%[1]d „Printer jams” ir apvienots ar pieteikumu #%[2]d",
			"Sarakste turpinās pieteikumā #%[2]d", "saglabājot #%[2]d temata rindā"}},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for i, c := range cases {
			merged, survivor := int64(8000+2*i), int64(8001+2*i)
			kate := f.contact("Kate", fmt.Sprintf("kate%d@client.example", i), c.lang)
			src := f.ticket(merged, "Printer jams", kate)
			dst := f.ticket(survivor, "Printers on floor 3", kate)
			f.exec(`UPDATE tickets SET status = 'closed', merged_into_id = $1 WHERE id = $2`, dst, src)
			if err := f.notify(int64(300+i), NotifyPayload{TicketID: src, Kind: NotifyMerged}); err != nil {
				t.Fatalf("%s: %v", c.lang, err)
			}
			msgs := f.sink.messages()
			if len(msgs) != i+1 {
				t.Fatalf("%s: %d messages so far, want %d", c.lang, len(msgs), i+1)
			}
			p := parse(t, msgs[i].raw)
			if got := p.header.Get("Auto-Submitted"); got != "auto-generated" {
				t.Errorf("%s: Auto-Submitted = %q", c.lang, got)
			}
			text := strings.ReplaceAll(p.text, "\r\n", "\n")
			for _, phrase := range c.phrases {
				if strings.Contains(phrase, "%") {
					phrase = fmt.Sprintf(phrase, merged, survivor)
				}
				if !strings.Contains(text, phrase) {
					t.Errorf("%s: mail lacks %q:\n%s", c.lang, phrase, text)
				}
			}
		}
	})
}

// TestMergedNotificationNeedsAMerge: a ticket that was not merged has
// nothing to announce, so nothing is sent.
func TestMergedNotificationNeedsAMerge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tk := f.ticket(8100, "Still on its own", f.contact("Ivan", ivan, "en"))
		if err := f.notify(1, NotifyPayload{TicketID: tk, Kind: NotifyMerged}); err != nil {
			t.Fatal(err)
		}
		if n := len(f.sink.messages()); n != 0 {
			t.Errorf("%d mails about a merge that did not happen", n)
		}
	})
}
