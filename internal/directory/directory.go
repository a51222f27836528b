// Package directory keeps the people and organisations around tickets:
// companies, contacts, agents, groups and plans.
package directory

import (
	"slices"
	"strings"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// Service manages the directory.
type Service struct {
	db    *db.DB
	hooks []Hook
}

// NewService returns a directory service on d.
func NewService(d *db.DB) *Service {
	return &Service{db: d}
}

// Languages a contact or agent may use.
var Languages = []string{"en", "ru", "lv"}

// Length limits of free-text fields, in characters.
const (
	maxName  = 200
	maxNotes = 10000
)

// Ref changes an optional reference to another record in an update:
// nothing happens unless Set; a nil ID then clears the reference.
type Ref struct {
	Set bool
	ID  *int64
}

// NormalizeEmail lower-cases and trims an address; addresses are compared
// case-insensitively everywhere.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// nameKey is the case-insensitive uniqueness key of a name (SQLite's
// lower() folds only ASCII, so the key is made in Go).
func nameKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// validName trims a required name and checks its length.
func validName(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > maxName {
		return "", apperr.Field(field, "is required (at most %d characters)", maxName)
	}
	return s, nil
}

// validText checks an optional free-text field.
func validText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		return "", apperr.Field(field, "must be at most %d characters", max)
	}
	return s, nil
}

// validLanguage returns lang, "en" when empty, or an error on the field.
func validLanguage(lang string) (string, error) {
	if lang == "" {
		return "en", nil
	}
	if !slices.Contains(Languages, lang) {
		return "", apperr.Field("language", "must be en, ru or lv")
	}
	return lang, nil
}

// set copies *p into dst when p is not nil: how updates apply their fields.
func set[T any](dst *T, p *T) {
	if p != nil {
		*dst = *p
	}
}

// orEmpty makes a nil slice an empty one, so JSON shows [] and not null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
