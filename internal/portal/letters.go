package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"

	"linedesk/internal/outbound"
)

// The letters the portal writes.
const (
	textSignIn   = "signin"   // a sign-in link someone asked for
	textInvite   = "invite"   // an agent's invitation
	textApproved = "approved" // an administrator approved a registration
	textConfirm  = "confirm"  // confirm the address of a registration
)

// letterTexts are the subject and body of each letter, per language. The
// sentences avoid numbers of things, so no plural forms are needed.
var letterTexts = map[string]map[string][2]string{
	"en": {
		textSignIn: {"Your sign-in link", `{{if .Name}}Hello {{.Name}},{{else}}Hello,{{end}}

Someone (we hope you) asked to sign in to the customer portal with this address. Open this link to sign in:

{{.URL}}

The link works once, for 20 minutes. If you did not ask for it, ignore this e-mail: nobody can sign in without it.
`},
		textInvite: {"You are invited to the customer portal", `{{if .Name}}Hello {{.Name}},{{else}}Hello,{{end}}

Our support team has given you access to the customer portal, where you can open requests, follow them and talk to us.

Open this link to sign in and choose your password:

{{.URL}}

The link works once, for 7 days. Later you can always ask for a new sign-in link on the portal's sign-in page.
`},
		textApproved: {"Your access to the customer portal is approved", `{{if .Name}}Hello {{.Name}},{{else}}Hello,{{end}}

Your registration for the customer portal has been approved. Open this link to sign in and choose your password:

{{.URL}}

The link works once, for 7 days.
`},
		textConfirm: {"Confirm your e-mail address", `{{if .Name}}Hello {{.Name}},{{else}}Hello,{{end}}

Thank you for registering for the customer portal. Open this link to confirm that this address is yours:

{{.URL}}

The link works once, for 24 hours. If you did not register, ignore this e-mail: nothing happens without the link.
`},
	},
	"ru": {
		textSignIn: {"Ссылка для входа", `{{if .Name}}Здравствуйте, {{.Name}}!{{else}}Здравствуйте!{{end}}

Кто-то (надеемся, что вы) запросил вход на клиентский портал с этим адресом. Чтобы войти, откройте ссылку:

{{.URL}}

Ссылка действует один раз в течение 20 минут. Если вы её не запрашивали, просто проигнорируйте это письмо: без ссылки никто не войдёт.
`},
		textInvite: {"Приглашение на клиентский портал", `{{if .Name}}Здравствуйте, {{.Name}}!{{else}}Здравствуйте!{{end}}

Служба поддержки открыла вам доступ к клиентскому порталу: там можно создавать обращения, следить за ними и переписываться с нами.

Чтобы войти и выбрать пароль, откройте ссылку:

{{.URL}}

Ссылка действует один раз в течение 7 дней. Позже новую ссылку для входа всегда можно запросить на странице входа портала.
`},
		textApproved: {"Доступ к клиентскому порталу открыт", `{{if .Name}}Здравствуйте, {{.Name}}!{{else}}Здравствуйте!{{end}}

Ваша регистрация на клиентском портале одобрена. Чтобы войти и выбрать пароль, откройте ссылку:

{{.URL}}

Ссылка действует один раз в течение 7 дней.
`},
		textConfirm: {"Подтвердите адрес электронной почты", `{{if .Name}}Здравствуйте, {{.Name}}!{{else}}Здравствуйте!{{end}}

Спасибо за регистрацию на клиентском портале. Чтобы подтвердить, что это ваш адрес, откройте ссылку:

{{.URL}}

Ссылка действует один раз в течение 24 часов. Если вы не регистрировались, просто проигнорируйте это письмо: без ссылки ничего не произойдёт.
`},
	},
	"lv": {
		textSignIn: {"Jūsu pieteikšanās saite", `{{if .Name}}Labdien, {{.Name}}!{{else}}Labdien!{{end}}

Kāds (ceram, ka jūs) lūdza pieteikties klientu portālā ar šo adresi. Lai pieteiktos, atveriet saiti:

{{.URL}}

Saite darbojas vienu reizi 20 minūšu laikā. Ja to nelūdzāt, neņemiet šo e-pastu vērā: bez saites neviens nevar pieteikties.
`},
		textInvite: {"Ielūgums uz klientu portālu", `{{if .Name}}Labdien, {{.Name}}!{{else}}Labdien!{{end}}

Atbalsta komanda jums ir piešķīrusi piekļuvi klientu portālam, kur varat iesniegt pieteikumus, sekot tiem un sazināties ar mums.

Lai pieteiktos un izvēlētos paroli, atveriet saiti:

{{.URL}}

Saite darbojas vienu reizi 7 dienu laikā. Vēlāk jaunu pieteikšanās saiti vienmēr varat pieprasīt portāla pieteikšanās lapā.
`},
		textApproved: {"Piekļuve klientu portālam ir apstiprināta", `{{if .Name}}Labdien, {{.Name}}!{{else}}Labdien!{{end}}

Jūsu reģistrācija klientu portālā ir apstiprināta. Lai pieteiktos un izvēlētos paroli, atveriet saiti:

{{.URL}}

Saite darbojas vienu reizi 7 dienu laikā.
`},
		textConfirm: {"Apstipriniet savu e-pasta adresi", `{{if .Name}}Labdien, {{.Name}}!{{else}}Labdien!{{end}}

Paldies par reģistrēšanos klientu portālā. Lai apstiprinātu, ka šī adrese ir jūsu, atveriet saiti:

{{.URL}}

Saite darbojas vienu reizi 24 stundu laikā. Ja nereģistrējāties, neņemiet šo e-pastu vērā: bez saites nekas nenotiks.
`},
	},
}

// letterTemplates are the bodies, parsed once.
var letterTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for lang, texts := range letterTexts {
		for name, t := range texts {
			out[lang+"/"+name] = template.Must(template.New(name).Option("missingkey=error").Parse(t[1]))
		}
	}
	return out
}()

// LinkLetter writes the letter that carries a link, for outbound. A link
// used or expired before its letter went out is not sent any more.
func (s *Service) LinkLetter(ctx context.Context, raw json.RawMessage) (outbound.Letter, bool, error) {
	var ref linkRef
	if err := json.Unmarshal(raw, &ref); err != nil {
		return outbound.Letter{}, false, fmt.Errorf("link letter: %w", err)
	}
	l, err := loadLink(ctx, s.db.R, ref.LinkID)
	var r *Refusal
	if errors.As(err, &r) {
		return outbound.Letter{}, false, nil
	}
	if err != nil {
		return outbound.Letter{}, false, err
	}
	if l.usedAt != nil || !s.now().Before(l.expiresAt) {
		return outbound.Letter{}, false, nil
	}
	mailbox, err := s.Sender(ctx)
	if err != nil {
		return outbound.Letter{}, false, err
	}
	lang := l.lang
	if _, ok := letterTexts[lang]; !ok {
		lang = "en"
	}
	t, ok := letterTemplates[lang+"/"+ref.Text]
	if !ok {
		return outbound.Letter{}, false, fmt.Errorf("link letter %d: no text %q", l.id, ref.Text)
	}
	var body strings.Builder
	if err := t.Execute(&body, map[string]string{"Name": l.name, "URL": s.linkURL(l)}); err != nil {
		return outbound.Letter{}, false, fmt.Errorf("link letter %d: %w", l.id, err)
	}
	return outbound.Letter{MailboxID: mailbox, To: l.email, Name: l.name, Subject: letterTexts[lang][ref.Text][0],
		Body: body.String()}, true, nil
}
