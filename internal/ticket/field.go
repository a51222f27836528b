package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
)

// FieldType is the type of a custom field's value.
type FieldType string

// The custom field types.
const (
	FieldText     FieldType = "text"
	FieldNumber   FieldType = "number"
	FieldDate     FieldType = "date"
	FieldSelect   FieldType = "select"
	FieldCheckbox FieldType = "checkbox"
)

var fieldTypes = []FieldType{FieldText, FieldNumber, FieldDate, FieldSelect, FieldCheckbox}

// Field is a custom ticket field an administrator defined. A required
// field must have a value before a ticket can be solved: tickets arriving
// by e-mail cannot fill it in, the agent who solves them can.
type Field struct {
	ID        int64     `json:"id"`
	Key       string    `json:"key"`
	Label     string    `json:"label"`
	Type      FieldType `json:"type"`
	Options   []string  `json:"options"`
	Required  bool      `json:"required"`
	Portal    bool      `json:"portal"` // customers fill it in when opening a ticket in the portal
	Active    bool      `json:"active"`
	Position  int       `json:"position"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// FieldInput defines a new custom field.
type FieldInput struct {
	Key      string    `json:"key"`
	Label    string    `json:"label"`
	Type     FieldType `json:"type"`
	Options  []string  `json:"options"`
	Required bool      `json:"required"`
	Portal   bool      `json:"portal"`
	Position int       `json:"position"`
}

// FieldUpdate changes a field; its key and type never change, since
// tickets already hold values of that type under that key.
type FieldUpdate struct {
	Label    *string   `json:"label"`
	Options  *[]string `json:"options"`
	Required *bool     `json:"required"`
	Portal   *bool     `json:"portal"`
	Active   *bool     `json:"active"`
	Position *int      `json:"position"`
}

var fieldKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// CreateField adds a custom field definition (administrators only).
func (s *Service) CreateField(ctx context.Context, p auth.Principal, in FieldInput) (Field, error) {
	if !p.IsAdmin() {
		return Field{}, apperr.Errorf(apperr.Forbidden, "only an administrator may define custom fields")
	}
	if !fieldKey.MatchString(in.Key) {
		return Field{}, apperr.Field("key", "must be lower-case letters, digits and _ starting with a letter (at most 63)")
	}
	if !slices.Contains(fieldTypes, in.Type) {
		return Field{}, apperr.Field("type", "must be text, number, date, select or checkbox")
	}
	f := Field{Key: in.Key, Type: in.Type, Required: in.Required, Portal: in.Portal, Active: true, Position: in.Position}
	if err := f.apply(FieldUpdate{Label: &in.Label, Options: &in.Options}); err != nil {
		return Field{}, err
	}
	opts, _ := json.Marshal(f.Options)
	now := db.Now()
	err := s.db.W.QueryRowContext(ctx, `
		INSERT INTO custom_fields (key, label, type, options, required, portal, active, position, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8, $8) RETURNING id`,
		f.Key, f.Label, f.Type, string(opts), f.Required, f.Portal, f.Position, now).Scan(&f.ID)
	if db.IsUniqueViolation(err) {
		return Field{}, &apperr.Error{Code: apperr.Conflict, Field: "key", Message: "a custom field with this key exists"}
	}
	if err != nil {
		return Field{}, fmt.Errorf("create custom field: %w", err)
	}
	f.CreatedAt, f.UpdatedAt = now, now
	return f, nil
}

// apply validates and applies an update to f.
func (f *Field) apply(u FieldUpdate) error {
	if u.Label != nil {
		label, err := checkText("label", *u.Label, true, 200)
		if err != nil {
			return err
		}
		f.Label = label
	}
	if u.Options != nil {
		f.Options = *u.Options
	}
	if f.Options == nil {
		f.Options = []string{}
	}
	if f.Type == FieldSelect && len(f.Options) == 0 {
		return apperr.Field("options", "a select field needs at least one option")
	}
	if f.Type != FieldSelect && len(f.Options) > 0 {
		return apperr.Field("options", "only select fields have options")
	}
	if u.Required != nil {
		f.Required = *u.Required
	}
	if u.Portal != nil {
		f.Portal = *u.Portal
	}
	if u.Active != nil {
		f.Active = *u.Active
	}
	if u.Position != nil {
		f.Position = *u.Position
	}
	return nil
}

// UpdateField changes a custom field (administrators only).
func (s *Service) UpdateField(ctx context.Context, p auth.Principal, id int64, u FieldUpdate) (Field, error) {
	if !p.IsAdmin() {
		return Field{}, apperr.Errorf(apperr.Forbidden, "only an administrator may change custom fields")
	}
	f, err := s.FindField(ctx, id)
	if err != nil {
		return Field{}, err
	}
	if err := f.apply(u); err != nil {
		return Field{}, err
	}
	opts, _ := json.Marshal(f.Options)
	f.UpdatedAt = db.Now()
	_, err = s.db.W.ExecContext(ctx, `UPDATE custom_fields SET label = $1, options = $2, required = $3, active = $4,
		position = $5, updated_at = $6, portal = $8 WHERE id = $7`, f.Label, string(opts), f.Required, f.Active, f.Position,
		f.UpdatedAt, id, f.Portal)
	if err != nil {
		return Field{}, fmt.Errorf("update custom field %d: %w", id, err)
	}
	return f, nil
}

const fieldColumns = `id, key, label, type, options, required, portal, active, position, created_at, updated_at`

func scanField(row interface{ Scan(...any) error }) (Field, error) {
	var f Field
	var opts string
	err := row.Scan(&f.ID, &f.Key, &f.Label, &f.Type, &opts, &f.Required, &f.Portal, &f.Active, &f.Position, &f.CreatedAt, &f.UpdatedAt)
	if err == nil {
		err = json.Unmarshal([]byte(opts), &f.Options)
	}
	return f, err
}

// FindField returns one custom field definition.
func (s *Service) FindField(ctx context.Context, id int64) (Field, error) {
	f, err := scanField(s.db.R.QueryRowContext(ctx, `SELECT `+fieldColumns+` FROM custom_fields WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Field{}, apperr.NotFoundf("custom field %d not found", id)
	}
	if err != nil {
		return Field{}, fmt.Errorf("find custom field %d: %w", id, err)
	}
	return f, nil
}

// FindFields returns the custom field definitions in display order.
func (s *Service) FindFields(ctx context.Context) ([]Field, error) {
	return findFields(ctx, s.db.R)
}

// FindFieldsIn is FindFields read through q: a hook reads them in the
// change's own transaction, taking no second connection from the pool
// while it holds the change's locks.
func (s *Service) FindFieldsIn(ctx context.Context, q db.Queryer) ([]Field, error) {
	return findFields(ctx, q)
}

func findFields(ctx context.Context, q db.Queryer) ([]Field, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+fieldColumns+` FROM custom_fields ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("list custom fields: %w", err)
	}
	defer rows.Close()
	out := []Field{}
	for rows.Next() {
		f, err := scanField(rows)
		if err != nil {
			return nil, fmt.Errorf("list custom fields: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
