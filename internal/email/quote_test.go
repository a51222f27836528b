package email

import "testing"

func TestSplitQuoted(t *testing.T) {
	tests := []struct {
		name, visible, quoted string
	}{
		{"nothing to fold", "Hello,\nthe printer is broken.\n", ""},
		{"English attribution",
			"Thanks, it works.\n\n",
			"On Tue, 5 Mar 2024 at 14:07, Support <support@linedesk.test> wrote:\n> Please restart it.\n"},
		{"English attribution wrapped over two lines",
			"Thanks.\n\n",
			"On Tue, 5 Mar 2024 at 14:07, Linedesk Support <\nsupport@linedesk.test> wrote:\n> Restart it.\n"},
		{"Russian пишет",
			"Спасибо, заработало.\n\n",
			"05.03.2024 14:07, Служба поддержки пишет:\n> Перезагрузите принтер.\n"},
		{"Russian написал(а)",
			"Спасибо.\n",
			"Вторник, 5 марта 2024, 14:07 +03:00 от Поддержка <support@linedesk.test> написал(а):\n> Текст\n"},
		{"Russian написал",
			"Спасибо.\n",
			"Иван написал:\n> Текст\n"},
		{"Gmail in Russian without a verb",
			"Спасибо.\n\n",
			"вт, 5 мар. 2024 г. в 14:07, Поддержка <support@linedesk.test>:\n> Текст\n"},
		{"Latvian rakstīja",
			"Paldies, strādā.\n\n",
			"otrd., 2024. g. 5. marts, plkst. 14:07 — lietotājs Atbalsts (<support@linedesk.test>) rakstīja:\n> Restartējiet.\n"},
		{"Outlook English block",
			"It works now.\n\n",
			"________________________________\nFrom: Support <support@linedesk.test>\nSent: Tuesday, March 5, 2024 2:07 PM\nTo: Ivan <ivan@example.com>\nSubject: RE: [#1042] Printer\n\nPlease restart it.\n"},
		{"Outlook Russian block",
			"Заработало.\n\n",
			"От: Поддержка <support@linedesk.test>\nОтправлено: 5 марта 2024 г. 14:07\nКому: Иван <ivan@example.com>\nТема: RE: [#1042] Принтер\n\nПерезагрузите.\n"},
		{"Outlook Latvian block",
			"Strādā.\n\n",
			"No: Atbalsts <support@linedesk.test>\nNosūtīts: otrdiena, 2024. gada 5. marts 14:07\nKam: Jānis <janis@example.lv>\nTemats: RE: [#1042] Printeris\n\nRestartējiet.\n"},
		{"Original Message separator",
			"See below.\n\n",
			"-----Original Message-----\nFrom: Support\nPlease restart.\n"},
		{"Russian separator",
			"См. ниже.\n",
			"-----Исходное сообщение-----\nОт: Поддержка\n"},
		{"Latvian separator",
			"Skatīt zemāk.\n",
			"-----Sākotnējais ziņojums-----\nNo: Atbalsts\n"},
		{"trailing > block",
			"Done, thanks.\n\n",
			"> Please restart it.\n>\n> Support\n"},
		{"signature",
			"The printer is broken.\n",
			"-- \nIvan Petrov\nAccounting\n"},
		{"signature without its trailing space",
			"Broken again.\n",
			"--\nIvan\n"},
		{"CRLF line ends",
			"Thanks.\r\n\r\n",
			"On Mon, Support wrote:\r\n> x\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			visible, quoted := SplitQuoted(tt.visible + tt.quoted)
			if visible != tt.visible || quoted != tt.quoted {
				t.Errorf("SplitQuoted =\n%q\n%q\nwant\n%q\n%q", visible, quoted, tt.visible, tt.quoted)
			}
		})
	}
}

// TestSplitQuotedKeepsAnswers checks texts where folding would hide what the
// author wrote: nothing is folded, or only what follows the answers.
func TestSplitQuotedKeepsAnswers(t *testing.T) {
	tests := []struct{ name, text, visible string }{
		{"interleaved answers stay visible",
			"> Is it on?\nYes.\n> Is it plugged in?\nYes.\n",
			"> Is it on?\nYes.\n> Is it plugged in?\nYes.\n"},
		{"bare forward stays visible",
			"From: Boss <boss@example.com>\nSent: Monday\nTo: Ivan\nSubject: Printer\n\nPlease handle.\n",
			"From: Boss <boss@example.com>\nSent: Monday\nTo: Ivan\nSubject: Printer\n\nPlease handle.\n"},
		{"a From line alone is text",
			"From: the accounting department\nWe need a new printer.\n",
			"From: the accounting department\nWe need a new printer.\n"},
		{"bottom posting folds only the signature",
			"> Restart it.\nDone.\n-- \nIvan\n",
			"> Restart it.\nDone.\n"},
		{"a long paragraph ending in wrote: is text",
			"Hello.\n" + longLine() + " and then he wrote:\nmore\n",
			"Hello.\n" + longLine() + " and then he wrote:\nmore\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			visible, quoted := SplitQuoted(tt.text)
			if visible+quoted != tt.text {
				t.Fatalf("text lost: %q + %q", visible, quoted)
			}
			if visible != tt.visible {
				t.Errorf("visible = %q, want %q", visible, tt.visible)
			}
		})
	}
}

func longLine() string {
	s := "This"
	for len(s) < maxAttribution {
		s += " is a long sentence"
	}
	return s
}
