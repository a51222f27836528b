package config_test

import (
	"strings"
	"testing"
	"time"

	"linedesk/internal/config"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "sqlite:./linedesk-data/linedesk.db" || c.HTTPAddr != "127.0.0.1:8080" || c.SMTPAddr != "127.0.0.1:2525" ||
		c.DataDir != "./linedesk-data" || c.BaseURL != "http://127.0.0.1:8080" || c.AttachmentMaxBytes != 25<<20 {
		t.Errorf("defaults: %+v", c)
	}
}

func TestOverrides(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"LINEDESK_DATABASE_URL": "postgres://u:p@db/linedesk", "LINEDESK_HTTP_ADDR": "0.0.0.0:9000",
		"LINEDESK_SMTP_ADDR": "", "LINEDESK_BASE_URL": "https://help.example.com", "LINEDESK_WORKERS": "8",
		"LINEDESK_SHUTDOWN_TIMEOUT": "30s", "LINEDESK_LOG_FORMAT": "json", "LINEDESK_LOG_LEVEL": "debug",
		"LINEDESK_SESSION_LIFETIME": "8h", "LINEDESK_TRUSTED_PROXIES": "10.0.0.5, 192.168.0.0/24,::1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPAddr != "" || c.Workers != 8 || c.ShutdownTimeout != 30*time.Second || c.BaseURL != "https://help.example.com" {
		t.Errorf("overrides: %+v", c)
	}
	if c.SessionLifetime != 8*time.Hour || len(c.TrustedProxies) != 3 || c.TrustedProxies[0].String() != "10.0.0.5/32" ||
		c.TrustedProxies[2].String() != "::1/128" {
		t.Errorf("session lifetime %s, trusted proxies %v", c.SessionLifetime, c.TrustedProxies)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	for name, val := range map[string]string{
		"LINEDESK_DATABASE_URL":         "mysql://x",
		"LINEDESK_HTTP_ADDR":            "8080",
		"LINEDESK_SMTP_ADDR":            "host:port",
		"LINEDESK_BASE_URL":             "help.example.com",
		"LINEDESK_ATTACHMENT_MAX_BYTES": "10",
		"LINEDESK_WORKERS":              "0",
		"LINEDESK_SHUTDOWN_TIMEOUT":     "soon",
		"LINEDESK_LOG_LEVEL":            "loud",
		"LINEDESK_LOG_FORMAT":           "xml",
		"LINEDESK_ADMIN_EMAIL":          "admin",
		"LINEDESK_ADMIN_PASSWORD":       "short",
		"LINEDESK_SECRET_KEY":           "too-short",
		"LINEDESK_MAIL_MAX_BYTES":       "1000",
		"LINEDESK_SESSION_LIFETIME":     "1m",
		"LINEDESK_TRUSTED_PROXIES":      "10.0.0.0/99",
	} {
		_, err := config.Load(env(map[string]string{name: val}))
		if err == nil || !strings.HasPrefix(err.Error(), name+":") {
			t.Errorf("%s=%q: got %v", name, val, err)
		}
	}
}
