package email

import "testing"

func TestSubjectToken(t *testing.T) {
	tests := []struct {
		subject string
		want    int64
		ok      bool
	}{
		{"[#1042] Printer", 1042, true},
		{"Re: [#1042] Printer", 1042, true},
		{"RE: RE: Fwd: [#1042] Printer", 1042, true},
		{"FW: AW: WG: Printer [#1042]", 1042, true},
		{"Отв: Ответ: Пересл: [#1042] Принтер", 1042, true},
		{"ОТВ: [#1042]", 1042, true},
		{"Atb.: Pārs.: [#1042] Printeris", 1042, true},
		{"Re[2]: Re: [Fwd: [#7] nested]", 7, true},
		{"Printer broken", 0, false},
		{"[#] empty", 0, false},
		{"[#0] zero", 0, false},
		{"# 1042 no brackets", 0, false},
		{"[#99999999999999999999] overflow", 0, false},
	}
	for _, tt := range tests {
		got, ok := SubjectToken(tt.subject)
		if got != tt.want || ok != tt.ok {
			t.Errorf("SubjectToken(%q) = %d, %v; want %d, %v", tt.subject, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCleanSubject(t *testing.T) {
	tests := map[string]string{
		"Re: [#1042] Printer":         "Printer",
		"RE: Re: FWD: Fw: Printer":    "Printer",
		"[#1042] Re: Printer":         "Printer",
		"AW: WG: Drucker":             "Drucker",
		"Отв: Ответ: Пересл: Принтер": "Принтер",
		"ОТВЕТ: пересл: Принтер":      "Принтер",
		"Atb.: Pārs.: Printeris":      "Printeris",
		"ATB: PĀRS.: Printeris":       "Printeris",
		"Re[3]: Re(2): Printer":       "Printer",
		"Printer  [#5]  in  room 3":   "Printer in room 3",
		"Reboot: server":              "Reboot: server",
		"Regarding the invoice":       "Regarding the invoice",
		"":                            "",
	}
	for in, want := range tests {
		if got := CleanSubject(in); got != want {
			t.Errorf("CleanSubject(%q) = %q, want %q", in, got, want)
		}
	}
}
