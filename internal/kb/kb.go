// Package kb is the knowledge base: articles in Markdown, in categories,
// each in one or more of Linedesk's languages, internal (for agents) or
// public (for the customer portal, optionally only for chosen plans), with
// drafts, publishing, revisions, files, and a record of how articles help
// on tickets.
package kb

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/attachment"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// Languages an article may be written in, the default first.
var Languages = []string{"en", "ru", "lv"}

// Visibility says who reads an article.
type Visibility string

// The visibilities: internal articles are for agents only, public ones
// are shown on the customer portal too.
const (
	Internal Visibility = "internal"
	Public   Visibility = "public"
)

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool { return v == Internal || v == Public }

// ChangeEvent names the change the search index hears of through the
// outbox (see Changes): an article's text, visibility, plans or category
// changed, or the article was deleted.
const ChangeEvent = "kb.article.changed"

// TicketViewer answers whether an agent may see a ticket; *ticket.Service
// is one.
type TicketViewer interface {
	CanViewTicket(ctx context.Context, p auth.Principal, ticketID int64) error
}

// Config is what the knowledge base needs beside the database.
type Config struct {
	// BaseURL is Linedesk's public address: links to portal articles
	// start with it.
	BaseURL string
}

// Service keeps the knowledge base.
type Service struct {
	db      *db.DB
	log     *slog.Logger
	files   *attachment.Service
	tickets TicketViewer
	cfg     Config
	finder  Finder
	indexer Indexer
}

// NewService returns the knowledge base on d.
func NewService(d *db.DB, log *slog.Logger, files *attachment.Service, tickets TicketViewer, cfg Config) *Service {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Service{db: d, log: log, files: files, tickets: tickets, cfg: cfg}
}

// canEdit refuses principals who may not change the knowledge base.
func canEdit(p auth.Principal) error {
	if !p.IsAdmin() {
		return apperr.Errorf(apperr.Forbidden, "only administrators may change the knowledge base")
	}
	return nil
}

// checkLanguage returns an error on field unless lang is one of Languages.
func checkLanguage(field, lang string) error {
	if !slices.Contains(Languages, lang) {
		return apperr.Field(field, "must be en, ru or lv")
	}
	return nil
}

// cleanText trims a free-text field and checks it.
func cleanText(field, s string, required bool, max int) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		return "", apperr.Field(field, "must be valid UTF-8 text")
	case required && s == "":
		return "", apperr.Field(field, "is required")
	case utf8.RuneCountInString(s) > max:
		return "", apperr.Field(field, "must be at most %d characters", max)
	}
	return s, nil
}

// Length limits, in characters.
const (
	maxTitle = 300
	maxBody  = 200_000
	maxName  = 200
)

// titleKey is the case-folded form titles are matched on (SQLite's
// lower() folds only ASCII, so the key is made in Go).
func titleKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// likeContains is a LIKE pattern matching s anywhere, with LIKE's own
// characters escaped by a backslash.
func likeContains(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// orEmpty makes a nil slice an empty one, so JSON shows [] and not null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func optionalTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func idList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = itoa(id)
	}
	return strings.Join(parts, ", ")
}
