package benchutil

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Writer makes help-desk text in Russian, Latvian and English: subjects,
// descriptions, replies and internal notes about printers, passwords,
// VPNs and mail, with inflected words, names, hosts, IP addresses, file
// paths and error codes (a few common ones and many rare ones), of the
// lengths real tickets have. The same seed writes the same text.
type Writer struct {
	rng *rand.Rand
	// Rare counts how often each rare error code was written.
	Rare map[string]int
}

// NewWriter returns a writer seeded with seed.
func NewWriter(seed uint64) *Writer {
	return &Writer{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), Rare: map[string]int{}}
}

// Lang picks a ticket's language: Russian 45%, Latvian 30%, English 25%.
func (w *Writer) Lang() string {
	switch n := w.rng.IntN(100); {
	case n < 45:
		return "ru"
	case n < 75:
		return "lv"
	}
	return "en"
}

func (w *Writer) pick(list []string) string { return list[w.rng.IntN(len(list))] }

// zipf picks from a list with the first entries far more often, as words
// are used.
func (w *Writer) zipf(list []string) string {
	i := int(float64(len(list)) * w.rng.Float64() * w.rng.Float64() * w.rng.Float64())
	return list[min(i, len(list)-1)]
}

// noun is a noun's forms: nominative, genitive, locative (Latvian) or
// prepositional (Russian).
type noun struct{ nom, gen, loc string }

var (
	ruDevices = []noun{{"принтер", "принтера", "принтере"}, {"сканер", "сканера", "сканере"}, {"ноутбук", "ноутбука", "ноутбуке"},
		{"монитор", "монитора", "мониторе"}, {"компьютер", "компьютера", "компьютере"}, {"телефон", "телефона", "телефоне"},
		{"роутер", "роутера", "роутере"}, {"коммутатор", "коммутатора", "коммутаторе"}, {"проектор", "проектора", "проекторе"},
		{"МФУ", "МФУ", "МФУ"}, {"сервер", "сервера", "сервере"}, {"ИБП", "ИБП", "ИБП"}, {"плоттер", "плоттера", "плоттере"},
		{"терминал", "терминала", "терминале"}, {"кассовый аппарат", "кассового аппарата", "кассовом аппарате"}}
	lvDevices = []noun{{"printeris", "printera", "printerī"}, {"skeneris", "skenera", "skenerī"}, {"dators", "datora", "datorā"},
		{"klēpjdators", "klēpjdatora", "klēpjdatorā"}, {"monitors", "monitora", "monitorā"}, {"telefons", "telefona", "telefonā"},
		{"maršrutētājs", "maršrutētāja", "maršrutētājā"}, {"projektors", "projektora", "projektorā"},
		{"serveris", "servera", "serverī"}, {"kopētājs", "kopētāja", "kopētājā"}, {"termināls", "termināla", "terminālī"}}
	enDevices = []string{"printer", "scanner", "laptop", "monitor", "keyboard", "mouse", "desk phone", "router", "switch",
		"projector", "docking station", "webcam", "headset", "badge reader", "UPS", "server", "NAS", "access point", "plotter"}
	systems = []string{"Outlook", "Teams", "SAP", "1C", "Jira", "SharePoint", "CRM", "ERP", "Office 365", "Windows", "VPN",
		"Citrix", "Zoom", "Confluence", "Horizon", "Navision", "Tildes Birojs", "Horizon HR", "e-klase", "Directum"}
	commonCodes = []string{"0x80070005", "0x800CCC0E", "0x80004005", "ERR_CONNECTION_RESET", "ERR_NAME_NOT_RESOLVED",
		"0x8024402C", "0xC004F074", "ORA-12541", "HTTP 502", "0x80072EE7"}
	ruNames = []string{"Мария", "Иван", "Ольга", "Сергей", "Наталья", "Алексей", "Татьяна", "Дмитрий", "Елена", "Андрей"}
	lvNames = []string{"Anna", "Jānis", "Līga", "Andris", "Ilze", "Mārtiņš", "Inese", "Kārlis", "Dace", "Edgars"}
	enNames = []string{"Anna", "John", "Emily", "Mark", "Sarah", "David", "Laura", "Peter", "Kate", "Tom"}
	ruDepts = []string{"бухгалтерии", "отдела кадров", "отдела продаж", "склада", "юридического отдела", "ресепшена",
		"логистики", "маркетинга", "производства", "филиала в Даугавпилсе"}
	lvDepts = []string{"grāmatvedības", "personāla", "pārdošanas", "noliktavas", "juridiskajā", "loģistikas",
		"mārketinga", "ražošanas", "Liepājas filiāles"}
	enDepts = []string{"accounting", "HR", "sales", "warehouse", "legal", "front desk", "logistics", "marketing", "production"}
)

// Subject writes a ticket's subject.
func (w *Writer) Subject(lang string) string {
	switch lang {
	case "ru":
		d := ruDevices[w.rng.IntN(len(ruDevices))]
		return w.pick([]string{
			"Не работает " + d.nom, strings.ToUpper(d.nom[:2]) + d.nom[2:] + " не печатает", "Перестал работать " + d.nom + " после обновления",
			"Не могу войти в " + w.zipf(systems), "Ошибка " + w.code() + " при запуске " + w.zipf(systems),
			"Медленно работает " + d.nom, "Нужен доступ к " + w.zipf(systems), "Сбросить пароль в " + w.zipf(systems),
			"Не отправляется почта", "Не работает интернет в " + w.pick(ruDepts), "Замена картриджа в " + d.loc,
			"Новый сотрудник: нужен " + d.nom, "Не подключается VPN", "Сломался " + d.nom + " в переговорной",
		})
	case "lv":
		d := lvDevices[w.rng.IntN(len(lvDevices))]
		s := w.pick([]string{
			"Nedarbojas " + d.nom, strings.ToUpper(d.nom[:1]) + d.nom[1:] + " nedrukā", "Pēc atjauninājuma nedarbojas " + d.nom,
			"Nevaru pieslēgties " + w.zipf(systems), "Kļūda " + w.code() + ", palaižot " + w.zipf(systems), "Aizmirsu paroli",
			"Lēni strādā " + d.nom, "Vajag piekļuvi " + w.zipf(systems), "E-pasts netiek nosūtīts", "Nav interneta " + w.pick(lvDepts) + " nodaļā",
			"Jāmaina kasetne " + d.loc, "Jaunam darbiniekam vajag " + d.nom, "VPN neieslēdzas", "Parole nedarbojas",
		})
		return w.maybeFold(s)
	}
	d := w.zipf(enDevices)
	return w.pick([]string{
		"The " + d + " does not work", "The " + d + " is not printing", d + " stopped working after the update",
		"Cannot log in to " + w.zipf(systems), "Error " + w.code() + " when starting " + w.zipf(systems), "The " + d + " is very slow",
		"Need access to " + w.zipf(systems), "Password reset for " + w.zipf(systems), "Emails are not being sent",
		"No internet in the " + w.pick(enDepts) + " office", "Replace the toner in the " + d, "New starter needs a " + d,
		"VPN keeps disconnecting", "Broken " + d + " in the meeting room",
	})
}

// maybeFold writes a tenth of the Latvian text without diacritics, as
// people do on keyboards without Latvian letters.
func (w *Writer) maybeFold(s string) string {
	if w.rng.IntN(10) == 0 {
		return strings.NewReplacer("ā", "a", "č", "c", "ē", "e", "ģ", "g", "ī", "i", "ķ", "k", "ļ", "l", "ņ", "n",
			"š", "s", "ū", "u", "ž", "z").Replace(s)
	}
	return s
}

// code is an error code: usually a common one, sometimes one of many
// rare ones.
func (w *Writer) code() string {
	if w.rng.IntN(5) == 0 {
		c := fmt.Sprintf("0x8%07X", w.rng.IntN(1<<24))
		w.Rare[c]++
		return c
	}
	return w.zipf(commonCodes)
}

func (w *Writer) ip() string {
	return fmt.Sprintf("10.%d.%d.%d", w.rng.IntN(40), w.rng.IntN(256), 1+w.rng.IntN(254))
}

func (w *Writer) host() string {
	return fmt.Sprintf("%s-%s%02d", w.pick([]string{"srv", "pc", "nb", "prn", "fs", "dc"}),
		w.pick([]string{"rix", "ogr", "lpx", "dgp", "vnt"}), w.rng.IntN(100))
}

func (w *Writer) path() string {
	return w.pick([]string{"/var/log/syslog", "/var/log/nginx/error.log", `C:\Windows\Logs\CBS\CBS.log`,
		`C:\ProgramData\1C\srvinfo\log.txt`, "/opt/app/logs/app-" + fmt.Sprint(w.rng.IntN(30)) + ".log", "setup.log", "report.xlsx"})
}

func (w *Writer) serial() string {
	const chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	var b strings.Builder
	b.WriteString("SN")
	for range 8 {
		b.WriteByte(chars[w.rng.IntN(len(chars))])
	}
	return b.String()
}

// Description writes a ticket's first message: two to six sentences.
func (w *Writer) Description(lang string) string {
	return w.sentences(lang, 2+w.rng.IntN(5), w.customerSentence)
}

// Comment writes a comment: a customer's or an agent's reply (public) or
// an internal note, one to four sentences.
func (w *Writer) Comment(lang string) (body string, public bool) {
	switch w.rng.IntN(10) {
	case 0, 1:
		return w.sentences(lang, 1+w.rng.IntN(3), w.noteSentence), false
	case 2, 3, 4, 5:
		return w.sentences(lang, 1+w.rng.IntN(3), w.agentSentence), true
	}
	return w.sentences(lang, 1+w.rng.IntN(4), w.customerSentence), true
}

func (w *Writer) sentences(lang string, n int, one func(string) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = one(lang)
	}
	s := strings.Join(parts, " ")
	if lang == "lv" {
		s = w.maybeFold(s)
	}
	return s
}

func (w *Writer) customerSentence(lang string) string {
	switch lang {
	case "ru":
		d := ruDevices[w.rng.IntN(len(ruDevices))]
		return w.pick([]string{
			"С понедельника " + d.nom + " на " + fmt.Sprint(1+w.rng.IntN(9)) + " этаже перестал печатать.",
			"Перезагружали " + d.gen + ", не помогло.", "На экране ошибка " + w.code() + ".",
			"Проблема у " + fmt.Sprint(2+w.rng.IntN(20)) + " сотрудников " + w.pick(ruDepts) + ".",
			"Просьба срочно помочь, не можем работать.", "Во вложении лог " + w.path() + ".",
			"Имя компьютера " + w.host() + ", адрес " + w.ip() + ".", "Письма висят в исходящих и не уходят.",
			"Принтеры печатают пустые страницы.", "Не могу подключиться к " + w.zipf(systems) + " из дома.",
			"Серийный номер " + d.gen + " " + w.serial() + ".", "Пароль не подходит, учётная запись заблокирована.",
			"Интернет то пропадает, то появляется.", "С уважением, " + w.pick(ruNames) + ".",
		})
	case "lv":
		d := lvDevices[w.rng.IntN(len(lvDevices))]
		return w.pick([]string{
			"Kopš pirmdienas " + d.nom + " " + fmt.Sprint(1+w.rng.IntN(9)) + ". stāvā nedrukā.",
			"Restartēju " + d.gen + " vadības paneli, bet nekas nemainījās.", "Ekrānā parādās kļūda " + w.code() + ".",
			"Problēma ir " + fmt.Sprint(2+w.rng.IntN(20)) + " darbiniekiem " + w.pick(lvDepts) + " nodaļā.",
			"Lūdzu, palīdziet steidzami, nevaram strādāt.", "Pielikumā žurnāls " + w.path() + ".",
			"Datora nosaukums " + w.host() + ", IP adrese " + w.ip() + ".", "Vēstules paliek izsūtnē un netiek nosūtītas.",
			"Printeri drukā tukšas lapas.", "Nevaru pieslēgties " + w.zipf(systems) + " no mājām.",
			"Sērijas numurs " + w.serial() + ".", "Parole neder, konts ir bloķēts.", "Internets pazūd un atkal parādās.",
			"Ar cieņu, " + w.pick(lvNames) + ".",
		})
	}
	d := w.zipf(enDevices)
	return w.pick([]string{
		"Since Monday the " + d + " on floor " + fmt.Sprint(1+w.rng.IntN(9)) + " has stopped printing.",
		"I restarted the " + d + " but nothing changed.", "The screen shows error " + w.code() + ".",
		"It affects " + fmt.Sprint(2+w.rng.IntN(20)) + " people in " + w.pick(enDepts) + ".",
		"Please help urgently, we cannot work.", "The log is attached: " + w.path() + ".",
		"Computer name " + w.host() + ", IP address " + w.ip() + ".", "Emails stay in the outbox and are not sent.",
		"The printers print blank pages.", "I cannot connect to " + w.zipf(systems) + " from home.",
		"Serial number " + w.serial() + ".", "My password is rejected and the account is locked.",
		"The internet connection keeps dropping.", "Regards, " + w.pick(enNames) + ".",
	})
}

func (w *Writer) agentSentence(lang string) string {
	switch lang {
	case "ru":
		return w.pick([]string{
			"Здравствуйте, " + w.pick(ruNames) + "! Пришлите, пожалуйста, скриншот ошибки.", "Перезапустили службу печати, проверьте.",
			"Передали заявку во вторую линию.", "Обновили драйвер, попробуйте ещё раз.", "Пароль сброшен, временный пароль отправлен по SMS.",
			"Заменили картридж, печать восстановлена.", "Доступ к " + w.zipf(systems) + " выдан.", "Подключитесь, пожалуйста, к VPN заново.",
		})
	case "lv":
		return w.pick([]string{
			"Labdien, " + w.pick(lvNames) + "! Lūdzu, atsūtiet kļūdas ekrānuzņēmumu.", "Restartējām drukas servisu, lūdzu, pārbaudiet.",
			"Pieteikums nodots otrajai līnijai.", "Atjauninājām draiveri, mēģiniet vēlreiz.", "Parole atiestatīta, pagaidu parole nosūtīta ar SMS.",
			"Nomainījām kasetni, drukāšana atjaunota.", "Piekļuve " + w.zipf(systems) + " piešķirta.", "Lūdzu, pieslēdzieties VPN vēlreiz.",
		})
	}
	return w.pick([]string{
		"Hello " + w.pick(enNames) + ", could you send a screenshot of the error?", "We restarted the print spooler, please check again.",
		"I have passed this to the second line.", "We updated the driver, please try again.", "The password was reset; a temporary one was sent by SMS.",
		"We replaced the toner, printing works again.", "Access to " + w.zipf(systems) + " has been granted.", "Please reconnect to the VPN.",
	})
}

func (w *Writer) noteSentence(lang string) string {
	switch lang {
	case "ru":
		return w.pick([]string{"Логи на " + w.host() + ": " + w.code() + " каждые " + fmt.Sprint(2+w.rng.IntN(30)) + " минут.",
			"Открыли заявку у поставщика, номер " + w.serial() + ".", "Похоже на проблему с DHCP на " + w.ip() + ".",
			"Клиент VIP, решить сегодня.", "Проверить квоту почтового ящика."})
	case "lv":
		return w.pick([]string{"Žurnāli " + w.host() + ": " + w.code() + " ik pēc " + fmt.Sprint(2+w.rng.IntN(30)) + " minūtēm.",
			"Atvērts pieteikums pie piegādātāja, numurs " + w.serial() + ".", "Izskatās pēc DHCP problēmas " + w.ip() + ".",
			"VIP klients, jāatrisina šodien.", "Pārbaudīt pastkastes kvotu."})
	}
	return w.pick([]string{"Logs on " + w.host() + ": " + w.code() + " every " + fmt.Sprint(2+w.rng.IntN(30)) + " minutes.",
		"Vendor case opened, reference " + w.serial() + ".", "Looks like a DHCP problem on " + w.ip() + ".",
		"VIP customer, solve today.", "Check the mailbox quota."})
}

// Comments is how many comments a ticket gets: 0 to 10, 5 on average.
func (w *Writer) Comments() int { return w.rng.IntN(11) }
