package outbound

import (
	"fmt"
	"strings"
	"text/template"
)

// texts holds, per language (en, ru, lv), the notifications and the footer of an
// agent's reply. The sentences avoid numbers of things, so no plural
// forms are needed.
var texts = map[string]map[string]string{
	"en": {
		NotifyReceived: `{{if .Name}}Hello {{.Name}},{{else}}Hello,{{end}}

We have received your request and registered it as ticket {{.Number}}: "{{.Subject}}".

Our support team will answer you as soon as possible. To add information, reply to this e-mail and keep {{.Number}} in the subject.
{{if .PortalURL}}
You can also follow your ticket in the customer portal: {{.PortalURL}}
{{end}}
{{.Mailbox}}
`,
		NotifySolved: `{{if .Name}}Hello {{.Name}},{{else}}Hello,{{end}}

Your ticket {{.Number}} "{{.Subject}}" has been marked as solved.

If the problem is not solved or you have more questions, just reply to this e-mail and the ticket will be reopened.
{{if .RateURL}}
How did we do? Rate our work from 1 to 5, it takes a few seconds: {{.RateURL}}
{{end}}{{if .PortalURL}}
You can also see your ticket in the customer portal: {{.PortalURL}}
{{end}}
{{.Mailbox}}
`,
		NotifyMerged: `{{if .Name}}Hello {{.Name}},{{else}}Hello,{{end}}

Your request {{.Number}} "{{.Subject}}" was merged into ticket {{.Into}}, which deals with the same matter. The conversation continues there: everything you wrote under {{.Number}} is now part of {{.Into}}.

To add information, write to us and keep {{.Into}} in the subject.
{{if .PortalURL}}
You can also follow ticket {{.Into}} in the customer portal: {{.PortalURL}}
{{end}}
{{.Mailbox}}
`,
		"footer": `Ticket {{.Number}}. To answer, simply reply to this e-mail.`,
	},
	"ru": {
		NotifyReceived: `{{if .Name}}Здравствуйте, {{.Name}}!{{else}}Здравствуйте!{{end}}

Мы получили ваше обращение и зарегистрировали его под номером {{.Number}}: «{{.Subject}}».

Специалисты поддержки ответят вам в ближайшее время. Чтобы дополнить обращение, ответьте на это письмо, сохранив {{.Number}} в теме.
{{if .PortalURL}}
Следить за обращением можно также на клиентском портале: {{.PortalURL}}
{{end}}
{{.Mailbox}}
`,
		NotifySolved: `{{if .Name}}Здравствуйте, {{.Name}}!{{else}}Здравствуйте!{{end}}

Ваше обращение {{.Number}} «{{.Subject}}» отмечено как решённое.

Если проблема не устранена или у вас остались вопросы, просто ответьте на это письмо — обращение будет открыто снова.
{{if .RateURL}}
Оцените, пожалуйста, нашу работу от 1 до 5 — это займёт несколько секунд: {{.RateURL}}
{{end}}{{if .PortalURL}}
Обращение можно посмотреть также на клиентском портале: {{.PortalURL}}
{{end}}
{{.Mailbox}}
`,
		NotifyMerged: `{{if .Name}}Здравствуйте, {{.Name}}!{{else}}Здравствуйте!{{end}}

Ваше обращение {{.Number}} «{{.Subject}}» объединено с обращением {{.Into}}, которое касается того же вопроса. Переписка продолжается в обращении {{.Into}}: всё, что вы писали по {{.Number}}, теперь находится там.

Чтобы дополнить обращение, напишите нам, указав {{.Into}} в теме письма.
{{if .PortalURL}}
Следить за обращением {{.Into}} можно также на клиентском портале: {{.PortalURL}}
{{end}}
{{.Mailbox}}
`,
		"footer": `Обращение {{.Number}}. Чтобы ответить, просто ответьте на это письмо.`,
	},
	"lv": {
		NotifyReceived: `{{if .Name}}Labdien, {{.Name}}!{{else}}Labdien!{{end}}

Esam saņēmuši jūsu pieteikumu un reģistrējuši to ar numuru {{.Number}}: „{{.Subject}}”.

Atbalsta speciālisti jums atbildēs, cik drīz vien iespējams. Lai papildinātu pieteikumu, atbildiet uz šo e-pastu, saglabājot {{.Number}} temata rindā.
{{if .PortalURL}}
Pieteikuma gaitai varat sekot arī klientu portālā: {{.PortalURL}}
{{end}}
{{.Mailbox}}
`,
		NotifySolved: `{{if .Name}}Labdien, {{.Name}}!{{else}}Labdien!{{end}}

Jūsu pieteikums {{.Number}} „{{.Subject}}” ir atzīmēts kā atrisināts.

Ja problēma nav novērsta vai jums ir vēl kādi jautājumi, vienkārši atbildiet uz šo e-pastu, un pieteikums tiks atvērts atkārtoti.
{{if .RateURL}}
Lūdzu, novērtējiet mūsu darbu no 1 līdz 5 — tas aizņems tikai dažas sekundes: {{.RateURL}}
{{end}}{{if .PortalURL}}
Pieteikumu varat apskatīt arī klientu portālā: {{.PortalURL}}
{{end}}
{{.Mailbox}}
`,
		NotifyMerged: `{{if .Name}}Labdien, {{.Name}}!{{else}}Labdien!{{end}}

Jūsu pieteikums {{.Number}} „{{.Subject}}” ir apvienots ar pieteikumu {{.Into}}, kas attiecas uz to pašu jautājumu. Sarakste turpinās pieteikumā {{.Into}}: viss, ko rakstījāt par {{.Number}}, tagad ir tur.

Lai papildinātu pieteikumu, rakstiet mums, saglabājot {{.Into}} temata rindā.
{{if .PortalURL}}
Pieteikuma {{.Into}} gaitai varat sekot arī klientu portālā: {{.PortalURL}}
{{end}}
{{.Mailbox}}
`,
		"footer": `Pieteikums {{.Number}}. Lai atbildētu, vienkārši atbildiet uz šo e-pastu.`,
	},
}

// templates are texts parsed once; a broken text fails at start-up.
var templates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for lang, set := range texts {
		for name, src := range set {
			key := lang + "/" + name
			out[key] = template.Must(template.New(key).Option("missingkey=error").Parse(src))
		}
	}
	return out
}()

// textData fills a text.
type textData struct {
	Name      string // the contact's name; empty greets without it
	Number    string // "#1042"
	Into      string // "#1043": the ticket a merged one continues in
	Subject   string
	Mailbox   string // who signs: the mailbox's name
	PortalURL string // empty leaves the link out
	RateURL   string // a solved ticket's rating link; empty leaves it out
}

// render fills the named text in lang.
func render(lang, name string, d textData) (string, error) {
	t, ok := templates[lang+"/"+name]
	if !ok {
		return "", fmt.Errorf("no text %q in language %q", name, lang)
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("render text %s/%s: %w", lang, name, err)
	}
	return b.String(), nil
}

// language picks the language to write to a contact in: theirs, else the
// mailbox's default, else English.
func language(contact, mailbox string) string {
	for _, l := range []string{contact, mailbox} {
		l = strings.ToLower(strings.TrimSpace(l))
		if i := strings.IndexAny(l, "-_"); i > 0 {
			l = l[:i]
		}
		if _, ok := texts[l]; ok {
			return l
		}
	}
	return "en"
}

// subject is the mail's subject: the ticket's, with its token in front
// once.
func subject(number int64, ticketSubject string) string {
	token := fmt.Sprintf("[#%d]", number)
	s := strings.TrimSpace(ticketSubject)
	if strings.Contains(s, token) {
		return s
	}
	return token + " " + s
}
