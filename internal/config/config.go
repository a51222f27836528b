// Package config loads Linedesk's configuration from the environment and
// validates it, naming the variable at fault.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything `linedesk serve` needs to start.
type Config struct {
	DatabaseURL        string        // LINEDESK_DATABASE_URL
	HTTPAddr           string        // LINEDESK_HTTP_ADDR
	SMTPAddr           string        // LINEDESK_SMTP_ADDR; empty disables inbound SMTP
	DataDir            string        // LINEDESK_DATA_DIR
	BaseURL            string        // LINEDESK_BASE_URL
	LogLevel           slog.Level    // LINEDESK_LOG_LEVEL
	LogFormat          string        // LINEDESK_LOG_FORMAT: text or json
	AttachmentMaxBytes int64         // LINEDESK_ATTACHMENT_MAX_BYTES
	Workers            int           // LINEDESK_WORKERS
	ShutdownTimeout    time.Duration // LINEDESK_SHUTDOWN_TIMEOUT
	AdminEmail         string        // LINEDESK_ADMIN_EMAIL
	AdminPassword      string        // LINEDESK_ADMIN_PASSWORD
	SecretKey          string        // LINEDESK_SECRET_KEY; empty: kept in DATA_DIR/secret.key
	MailMaxBytes       int64         // LINEDESK_MAIL_MAX_BYTES
	SessionLifetime    time.Duration // LINEDESK_SESSION_LIFETIME: how long a workspace sign-in lasts
	PortalSession      time.Duration // LINEDESK_PORTAL_SESSION_LIFETIME: how long a customer's portal sign-in lasts
	TrustedProxies     []*net.IPNet  // LINEDESK_TRUSTED_PROXIES: proxies whose X-Forwarded-For names the client
	SLACheckInterval   time.Duration // LINEDESK_SLA_CHECK_INTERVAL: how often deadlines are checked for warnings and breaches
	Version            string        // the build's version, shown in the workspace; set by the command
}

// Default returns the configuration used when no variable is set.
func Default() Config {
	return Config{
		DatabaseURL:        "sqlite:./linedesk-data/linedesk.db",
		HTTPAddr:           "127.0.0.1:8080",
		SMTPAddr:           "127.0.0.1:2525",
		DataDir:            "./linedesk-data",
		LogLevel:           slog.LevelInfo,
		LogFormat:          "text",
		AttachmentMaxBytes: 25 << 20,
		Workers:            4,
		ShutdownTimeout:    15 * time.Second,
		AdminEmail:         "admin@linedesk.local",
		MailMaxBytes:       50 << 20,
		SessionLifetime:    12 * time.Hour,
		PortalSession:      7 * 24 * time.Hour,
		SLACheckInterval:   30 * time.Second,
		Version:            "dev",
	}
}

// Load reads the configuration from lookupEnv (os.LookupEnv in production)
// over the defaults and validates it.
func Load(lookupEnv func(string) (string, bool)) (Config, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	getenv := func(name string) string { v, _ := lookupEnv(name); return v }
	c := Default()
	str := func(name string, dst *string) {
		if v, ok := lookup(getenv, name); ok {
			*dst = v
		}
	}
	// An empty LINEDESK_SMTP_ADDR disables the listener, so set-but-empty
	// differs from unset here.
	if v, ok := lookupEnv("LINEDESK_SMTP_ADDR"); ok {
		c.SMTPAddr = strings.TrimSpace(v)
	}
	str("LINEDESK_DATABASE_URL", &c.DatabaseURL)
	str("LINEDESK_HTTP_ADDR", &c.HTTPAddr)
	str("LINEDESK_DATA_DIR", &c.DataDir)
	str("LINEDESK_BASE_URL", &c.BaseURL)
	str("LINEDESK_LOG_FORMAT", &c.LogFormat)
	str("LINEDESK_ADMIN_EMAIL", &c.AdminEmail)
	str("LINEDESK_ADMIN_PASSWORD", &c.AdminPassword)
	str("LINEDESK_SECRET_KEY", &c.SecretKey)
	if err := parseInt(getenv, "LINEDESK_MAIL_MAX_BYTES", &c.MailMaxBytes); err != nil {
		return c, err
	}
	if err := parseLevel(getenv, &c.LogLevel); err != nil {
		return c, err
	}
	if err := parseInt(getenv, "LINEDESK_ATTACHMENT_MAX_BYTES", &c.AttachmentMaxBytes); err != nil {
		return c, err
	}
	var workers int64 = int64(c.Workers)
	if err := parseInt(getenv, "LINEDESK_WORKERS", &workers); err != nil {
		return c, err
	}
	c.Workers = int(workers)
	if err := parseDuration(getenv, "LINEDESK_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout); err != nil {
		return c, err
	}
	if err := parseDuration(getenv, "LINEDESK_SESSION_LIFETIME", &c.SessionLifetime); err != nil {
		return c, err
	}
	if err := parseDuration(getenv, "LINEDESK_PORTAL_SESSION_LIFETIME", &c.PortalSession); err != nil {
		return c, err
	}
	if err := parseNets(getenv, "LINEDESK_TRUSTED_PROXIES", &c.TrustedProxies); err != nil {
		return c, err
	}
	if err := parseDuration(getenv, "LINEDESK_SLA_CHECK_INTERVAL", &c.SLACheckInterval); err != nil {
		return c, err
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.HTTPAddr
	}
	return c, c.Validate()
}

// Validate checks every field and names the variable of the first bad one.
func (c Config) Validate() error {
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") &&
		!strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("LINEDESK_DATABASE_URL: %q must start with sqlite: or postgres://", c.DatabaseURL)
	}
	if c.DatabaseURL == "sqlite:" {
		return fmt.Errorf("LINEDESK_DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./linedesk-data/linedesk.db")
	}
	if err := checkAddr(c.HTTPAddr); err != nil {
		return fmt.Errorf("LINEDESK_HTTP_ADDR: %w", err)
	}
	if c.SMTPAddr != "" {
		if err := checkAddr(c.SMTPAddr); err != nil {
			return fmt.Errorf("LINEDESK_SMTP_ADDR: %w", err)
		}
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return fmt.Errorf("LINEDESK_DATA_DIR: must not be empty")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("LINEDESK_BASE_URL: %q must be an absolute http(s) URL", c.BaseURL)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("LINEDESK_LOG_FORMAT: %q must be text or json", c.LogFormat)
	}
	if c.AttachmentMaxBytes < 1024 {
		return fmt.Errorf("LINEDESK_ATTACHMENT_MAX_BYTES: %d is below the minimum of 1024", c.AttachmentMaxBytes)
	}
	if c.SessionLifetime < 5*time.Minute {
		return fmt.Errorf("LINEDESK_SESSION_LIFETIME: %s is below the minimum of 5m", c.SessionLifetime)
	}
	if c.PortalSession < 5*time.Minute {
		return fmt.Errorf("LINEDESK_PORTAL_SESSION_LIFETIME: %s is below the minimum of 5m", c.PortalSession)
	}
	if c.MailMaxBytes < 64<<10 {
		return fmt.Errorf("LINEDESK_MAIL_MAX_BYTES: %d is below the minimum of 65536", c.MailMaxBytes)
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		return fmt.Errorf("LINEDESK_SECRET_KEY: must be at least 32 characters (e.g. openssl rand -base64 32)")
	}
	if c.Workers < 1 || c.Workers > 256 {
		return fmt.Errorf("LINEDESK_WORKERS: %d must be between 1 and 256", c.Workers)
	}
	if c.SLACheckInterval < time.Second || c.SLACheckInterval > time.Hour {
		return fmt.Errorf("LINEDESK_SLA_CHECK_INTERVAL: %s must be between 1s and 1h", c.SLACheckInterval)
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("LINEDESK_SHUTDOWN_TIMEOUT: must be positive")
	}
	if !strings.Contains(c.AdminEmail, "@") {
		return fmt.Errorf("LINEDESK_ADMIN_EMAIL: %q is not an e-mail address", c.AdminEmail)
	}
	if c.AdminPassword != "" && len(c.AdminPassword) < 8 {
		return fmt.Errorf("LINEDESK_ADMIN_PASSWORD: must be at least 8 characters")
	}
	return nil
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := strings.TrimSpace(getenv(name))
	return v, v != ""
}

func parseInt(getenv func(string) string, name string, dst *int64) error {
	v, ok := lookup(getenv, name)
	if !ok {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("%s: %q is not a whole number", name, v)
	}
	*dst = n
	return nil
}

func parseLevel(getenv func(string) string, dst *slog.Level) error {
	v, ok := lookup(getenv, "LINEDESK_LOG_LEVEL")
	if !ok {
		return nil
	}
	if err := dst.UnmarshalText([]byte(v)); err != nil {
		return fmt.Errorf("LINEDESK_LOG_LEVEL: %q must be debug, info, warn or error", v)
	}
	return nil
}

func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has a bad port", addr)
	}
	return nil
}

func parseDuration(getenv func(string) string, name string, dst *time.Duration) error {
	v, ok := lookup(getenv, name)
	if !ok {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%s: %q is not a duration such as 15s or 12h", name, v)
	}
	*dst = d
	return nil
}

// parseNets reads a comma-separated list of addresses or CIDR ranges.
func parseNets(getenv func(string) string, name string, dst *[]*net.IPNet) error {
	v, ok := lookup(getenv, name)
	if !ok {
		return nil
	}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			if ip := net.ParseIP(part); ip != nil && ip.To4() != nil {
				part += "/32"
			} else {
				part += "/128"
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return fmt.Errorf("%s: %q is not an address or CIDR range such as 10.0.0.0/8", name, part)
		}
		*dst = append(*dst, n)
	}
	return nil
}
