package portal_test

import (
	"bytes"
	"context"

	"linedesk/internal/directory"
	"linedesk/internal/kb"
	"linedesk/internal/portal"
	"linedesk/internal/sla"
)

// kbSubjects are what the screenshots type as a new request's subject.
var kbSubjects = map[string]string{"en": "VPN disconnects at home", "ru": "VPN отключается дома", "lv": "VPN atvienojas mājās"}

// kbShowcase fills the knowledge base as a client's customers read it:
// categories, articles in three languages and in fewer, one for the
// manager's plan only, one with a long Russian title; it returns the
// article with pictures the screenshots show.
func (e *e2e) kbShowcase(boss portal.Account) kb.Article {
	ctx := context.Background()
	in := sla.NewPlanInput()
	in.Name = "Premium"
	plan, err := e.a.SLA.CreatePlan(ctx, in)
	e.must(err)
	contact, err := e.a.Directory.FindContact(ctx, boss.ContactID)
	e.must(err)
	_, err = e.a.Directory.UpdateCompany(ctx, *contact.CompanyID, directory.CompanyUpdate{PlanID: directory.Ref{Set: true, ID: &plan.ID}})
	e.must(err)
	category := func(en, ru, lv string, parent *int64) *int64 {
		c, err := e.a.KB.CreateCategory(ctx, e.admin, kb.CategoryInput{ParentID: parent, Names: map[string]string{"en": en, "ru": ru, "lv": lv}})
		e.must(err)
		return &c.ID
	}
	network := category("Network and remote access", "Сеть и удалённый доступ", "Tīkls un attālā piekļuve", nil)
	vpnCat := category("VPN", "VPN", "VPN", network)
	printing := category("Printing", "Печать", "Drukāšana", nil)
	accounts := category("Accounts and passwords", "Учётные записи и пароли", "Konti un paroles", nil)

	up, err := e.a.Attachments.Upload(ctx, e.admin, "vpn-client.png", "image/png", bytes.NewReader(screenshotPNG()))
	e.must(err)
	img := "\n\n![" + "VPN" + "](" + kb.FileRef(up.ID) + ")\n\n"
	vpn := e.article(kb.Settings{Visibility: kb.Public, CategoryID: vpnCat, Position: 1},
		kb.Draft{Language: "en", Title: "Connect to the office VPN from home",
			Body: "Use the **Linedesk VPN** client on a company laptop.\n\n1. Open the client from the tray.\n2. Choose **Office — Riga**.\n3. Sign in with your e-mail and the code from the authenticator." +
				img + "| Error | What to do |\n|---|---|\n| 809 | Restart the router at home |\n| 691 | Reset your password |\n\n> The VPN disconnects after 12 hours: connect again.\n\nStill no luck? Send us the client's log: `Help → Export log`."},
		kb.Draft{Language: "ru", Title: "Подключение к офисному VPN из дома",
			Body: "Используйте клиент **Linedesk VPN** на рабочем ноутбуке.\n\n1. Откройте клиент из области уведомлений.\n2. Выберите **Офис — Рига**.\n3. Войдите с рабочей почтой и кодом из приложения-аутентификатора." +
				img + "| Ошибка | Что делать |\n|---|---|\n| 809 | Перезагрузите домашний роутер |\n| 691 | Сбросьте пароль |\n\n> Через 12 часов VPN отключается: подключитесь снова.\n\nНе помогло? Пришлите нам журнал клиента: `Справка → Экспорт журнала`."},
		kb.Draft{Language: "lv", Title: "Pieslēgšanās biroja VPN no mājām",
			Body: "Izmantojiet **Linedesk VPN** klientu darba klēpjdatorā.\n\n1. Atveriet klientu no paziņojumu joslas.\n2. Izvēlieties **Birojs — Rīga**.\n3. Piesakieties ar darba e-pastu un kodu no autentifikatora." +
				img + "| Kļūda | Ko darīt |\n|---|---|\n| 809 | Restartējiet mājas maršrutētāju |\n| 691 | Atiestatiet paroli |\n\n> Pēc 12 stundām VPN atvienojas: pieslēdzieties vēlreiz.\n\nNepalīdzēja? Atsūtiet mums klienta žurnālu: `Palīdzība → Eksportēt žurnālu`."})
	e.must(e.a.KB.AttachFiles(ctx, e.admin, vpn.ID, []int64{up.ID}))
	e.article(kb.Settings{Visibility: kb.Public, CategoryID: vpnCat, Position: 2},
		kb.Draft{Language: "en", Title: "VPN disconnects every hour", Body: "The home router closes idle connections. Turn on **Keep alive** in the client's settings."},
		kb.Draft{Language: "ru", Title: "VPN отключается каждый час", Body: "Домашний роутер закрывает неактивные соединения. Включите **Keep alive** в настройках клиента."})
	e.article(kb.Settings{Visibility: kb.Public, CategoryID: vpnCat, Position: 3, PlanIDs: []int64{plan.ID}},
		kb.Draft{Language: "en", Title: "Premium: a VPN line of your own", Body: "Premium clients get a dedicated VPN gateway; ask your manager for access."},
		kb.Draft{Language: "ru", Title: "Premium: отдельный канал VPN", Body: "Клиенты Premium получают отдельный шлюз VPN; доступ выдаёт ваш менеджер."},
		kb.Draft{Language: "lv", Title: "Premium: atsevišķs VPN kanāls", Body: "Premium klienti saņem atsevišķu VPN vārteju; piekļuvi piešķir jūsu vadītājs."})
	e.article(kb.Settings{Visibility: kb.Public, CategoryID: network, Position: 4},
		kb.Draft{Language: "ru", Title: "Настройка двухфакторной аутентификации для удалённого доступа к корпоративной почте через Outlook Web Access",
			Body: "Откройте **Безопасность** в профиле и отсканируйте QR-код приложением-аутентификатором."})
	e.article(kb.Settings{Visibility: kb.Public, CategoryID: printing, Position: 5},
		kb.Draft{Language: "en", Title: "The printer prints blank pages", Body: "Replace the toner cartridge: open the front cover and pull the cartridge out."})
	e.article(kb.Settings{Visibility: kb.Public, CategoryID: accounts, Position: 6},
		kb.Draft{Language: "en", Title: "Reset your password", Body: "Press **Forgot password** on the sign-in page and follow the link we e-mail you."},
		kb.Draft{Language: "ru", Title: "Как сбросить пароль", Body: "Нажмите **Забыли пароль?** на странице входа и перейдите по ссылке из письма."},
		kb.Draft{Language: "lv", Title: "Kā atiestatīt paroli", Body: "Pieteikšanās lapā nospiediet **Aizmirsāt paroli?** un atveriet saiti no e-pasta."})
	e.article(kb.Settings{Visibility: kb.Internal, CategoryID: accounts},
		kb.Draft{Language: "en", Title: "Unlock an account in AD", Body: "Use `Unlock-ADAccount`."})
	return vpn
}
