package portal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/auth"
	"linedesk/internal/db"
	"linedesk/internal/directory"
	"linedesk/internal/ticket"
)

// Types of a web form's field.
const (
	FieldText     = "text"
	FieldTextarea = "textarea"
	FieldEmail    = "email"
	FieldPhone    = "phone"
	FieldSelect   = "select"
	FieldCheckbox = "checkbox"
	FieldFile     = "file"
)

// FieldTypes lists the types a form's field may have.
var FieldTypes = []string{FieldText, FieldTextarea, FieldEmail, FieldPhone, FieldSelect, FieldCheckbox, FieldFile}

// Keys with a meaning: the requester's address (required in every form),
// their name, the ticket's subject and its description.
const (
	KeyEmail   = "email"
	KeyName    = "name"
	KeySubject = "subject"
	KeyMessage = "message"
)

// FormField is one field of a web form.
type FormField struct {
	Key      string            `json:"key"`
	Type     string            `json:"type"`
	Required bool              `json:"required"`
	Labels   map[string]string `json:"labels"`            // by language; English at least
	Options  []string          `json:"options,omitempty"` // a select's choices
}

// Label is the field's label in lang, or in English when it has none.
func (f FormField) Label(lang string) string {
	if l := f.Labels[lang]; l != "" {
		return l
	}
	return f.Labels["en"]
}

// Form is a web form a client's site embeds; its submissions become
// tickets.
type Form struct {
	ID       int64             `json:"id"`
	Name     string            `json:"name"`
	Fields   []FormField       `json:"fields"`
	GroupID  *int64            `json:"group_id"`
	Line     int               `json:"line"`
	Priority ticket.Priority   `json:"priority"`
	Thanks   map[string]string `json:"thanks"`  // the thank-you text by language; empty: a standard one
	Origins  []string          `json:"origins"` // sites allowed to embed the form and post to it, as https://host[:port]
	Active   bool              `json:"active"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ThanksIn is the form's thank-you text in lang, English when it has none
// in lang, "" when it has none at all.
func (f Form) ThanksIn(lang string) string {
	if t := f.Thanks[lang]; t != "" {
		return t
	}
	return f.Thanks["en"]
}

// AllowsOrigin reports whether pages of origin may embed and post the
// form.
func (f Form) AllowsOrigin(origin string) bool {
	return origin != "" && slices.Contains(f.Origins, strings.ToLower(strings.TrimRight(origin, "/")))
}

// FormInput defines a form, or all of it again on change.
type FormInput struct {
	Name     string            `json:"name"`
	Fields   []FormField       `json:"fields"`
	GroupID  *int64            `json:"group_id"`
	Line     int               `json:"line"`
	Priority ticket.Priority   `json:"priority"`
	Thanks   map[string]string `json:"thanks"`
	Origins  []string          `json:"origins"`
	Active   *bool             `json:"active"` // nil: active
}

var formKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,30}$`)

// normalize checks a form's definition, naming the field at fault.
func (in *FormInput) normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 {
		return apperr.Field("name", "is required (at most 200 characters)")
	}
	if in.Line == 0 {
		in.Line = 1
	}
	if in.Line < 1 || in.Line > 4 {
		return apperr.Field("line", "must be 1, 2, 3 or 4")
	}
	if in.Priority == "" {
		in.Priority = ticket.PriorityNormal
	}
	if !in.Priority.Valid() {
		return apperr.Field("priority", "must be low, normal, high or urgent")
	}
	if err := normalizeFields(in.Fields); err != nil {
		return err
	}
	var err error
	if in.Origins, err = normalizeOrigins(in.Origins); err != nil {
		return err
	}
	thanks := map[string]string{}
	for lang, t := range in.Thanks {
		if !slices.Contains(directory.Languages, lang) {
			return apperr.Field("thanks", "%q is not a language (en, ru, lv)", lang)
		}
		if t = strings.TrimSpace(t); utf8.RuneCountInString(t) > 2000 {
			return apperr.Field("thanks", "must be at most 2000 characters")
		} else if t != "" {
			thanks[lang] = t
		}
	}
	in.Thanks = thanks
	return nil
}

func normalizeFields(fields []FormField) error {
	if len(fields) == 0 || len(fields) > 30 {
		return apperr.Field("fields", "a form has 1 to 30 fields")
	}
	seen := map[string]bool{}
	email := false
	for i := range fields {
		f := &fields[i]
		at := fmt.Sprintf("fields[%d]", i)
		f.Key = strings.TrimSpace(f.Key)
		switch {
		case !formKey.MatchString(f.Key):
			return apperr.Field(at+".key", "must be lower-case letters, digits and _ starting with a letter (at most 31)")
		case seen[f.Key]:
			return apperr.Field(at+".key", "%q is used twice", f.Key)
		case !slices.Contains(FieldTypes, f.Type):
			return apperr.Field(at+".type", "must be one of %s", strings.Join(FieldTypes, ", "))
		}
		seen[f.Key] = true
		if err := normalizeLabels(at, f); err != nil {
			return err
		}
		if f.Type == FieldSelect && len(f.Options) == 0 {
			return apperr.Field(at+".options", "a select field needs at least one option")
		}
		if f.Type != FieldSelect {
			f.Options = nil
		}
		if f.Key == KeyEmail {
			if f.Type != FieldEmail || !f.Required {
				return apperr.Field(at, "the email field must be a required e-mail field: replies go to it")
			}
			email = true
		}
	}
	if !email {
		return apperr.Field("fields", "a form needs a required e-mail field with the key email: replies go to it")
	}
	return nil
}

func normalizeLabels(at string, f *FormField) error {
	labels := map[string]string{}
	for lang, l := range f.Labels {
		if !slices.Contains(directory.Languages, lang) {
			return apperr.Field(at+".labels", "%q is not a language (en, ru, lv)", lang)
		}
		if l = strings.TrimSpace(l); utf8.RuneCountInString(l) > 200 {
			return apperr.Field(at+".labels", "must be at most 200 characters")
		} else if l != "" {
			labels[lang] = l
		}
	}
	if labels["en"] == "" {
		return apperr.Field(at+".labels.en", "the English label is required")
	}
	f.Labels = labels
	opts := []string{}
	for _, o := range f.Options {
		if o = strings.TrimSpace(o); o != "" && !slices.Contains(opts, o) {
			opts = append(opts, o)
		}
	}
	f.Options = opts
	return nil
}

// normalizeOrigins checks the sites a form may be embedded on: an origin
// is a scheme and a host (and port), nothing more.
func normalizeOrigins(list []string) ([]string, error) {
	out := []string{}
	for _, o := range list {
		o = strings.ToLower(strings.TrimRight(strings.TrimSpace(o), "/"))
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" ||
			u.RawQuery != "" || u.User != nil || u.Fragment != "" {
			return nil, apperr.Field("origins", "%q is not a site address such as https://www.client.example", o)
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	if len(out) > 50 {
		return nil, apperr.Field("origins", "at most 50 sites")
	}
	return out, nil
}

const formColumns = `id, name, fields, group_id, line, priority, thanks, origins, active, created_at, updated_at`

func scanForm(row db.Scanner) (Form, error) {
	var f Form
	var fields, thanks, origins string
	err := row.Scan(&f.ID, &f.Name, &fields, &f.GroupID, &f.Line, &f.Priority, &thanks, &origins, &f.Active,
		&f.CreatedAt, &f.UpdatedAt)
	if err != nil {
		return f, err
	}
	return f, errors.Join(json.Unmarshal([]byte(fields), &f.Fields), json.Unmarshal([]byte(thanks), &f.Thanks),
		json.Unmarshal([]byte(origins), &f.Origins))
}

func encodeForm(in FormInput) (fields, thanks, origins string) {
	a, _ := json.Marshal(in.Fields)
	b, _ := json.Marshal(in.Thanks)
	c, _ := json.Marshal(in.Origins)
	return string(a), string(b), string(c)
}

func formWriteError(err error, in FormInput) error {
	if db.IsForeignKeyViolation(err) && in.GroupID != nil {
		return apperr.Field("group_id", "group %d does not exist", *in.GroupID)
	}
	if err != nil {
		return fmt.Errorf("save web form: %w", err)
	}
	return nil
}

// CreateForm defines a web form (administrators only).
func (s *Service) CreateForm(ctx context.Context, p auth.Principal, in FormInput) (Form, error) {
	if !p.IsAdmin() {
		return Form{}, apperr.Errorf(apperr.Forbidden, "only an administrator may define web forms")
	}
	if err := in.normalize(); err != nil {
		return Form{}, err
	}
	fields, thanks, origins := encodeForm(in)
	active := in.Active == nil || *in.Active
	var id int64
	err := s.db.W.QueryRowContext(ctx, `
		INSERT INTO web_forms (name, fields, group_id, line, priority, thanks, origins, active, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		in.Name, fields, in.GroupID, in.Line, in.Priority, thanks, origins, active, s.now()).Scan(&id)
	if err := formWriteError(err, in); err != nil {
		return Form{}, err
	}
	return s.FindForm(ctx, id)
}

// UpdateForm replaces a form's definition (administrators only).
func (s *Service) UpdateForm(ctx context.Context, p auth.Principal, id int64, in FormInput) (Form, error) {
	if !p.IsAdmin() {
		return Form{}, apperr.Errorf(apperr.Forbidden, "only an administrator may change web forms")
	}
	if err := in.normalize(); err != nil {
		return Form{}, err
	}
	fields, thanks, origins := encodeForm(in)
	active := in.Active == nil || *in.Active
	res, err := s.db.W.ExecContext(ctx, `
		UPDATE web_forms SET name = $2, fields = $3, group_id = $4, line = $5, priority = $6, thanks = $7, origins = $8,
			active = $9, updated_at = $10 WHERE id = $1`,
		id, in.Name, fields, in.GroupID, in.Line, in.Priority, thanks, origins, active, s.now())
	if err := formWriteError(err, in); err != nil {
		return Form{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Form{}, apperr.NotFoundf("web form %d not found", id)
	}
	return s.FindForm(ctx, id)
}

// DeleteForm removes a form; tickets it created stay (administrators only).
func (s *Service) DeleteForm(ctx context.Context, p auth.Principal, id int64) error {
	if !p.IsAdmin() {
		return apperr.Errorf(apperr.Forbidden, "only an administrator may delete web forms")
	}
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM web_forms WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete web form %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("web form %d not found", id)
	}
	return nil
}

// FindForm returns one form, active or not.
func (s *Service) FindForm(ctx context.Context, id int64) (Form, error) {
	f, err := scanForm(s.db.R.QueryRowContext(ctx, `SELECT `+formColumns+` FROM web_forms WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Form{}, apperr.NotFoundf("web form %d not found", id)
	}
	if err != nil {
		return Form{}, fmt.Errorf("find web form %d: %w", id, err)
	}
	return f, nil
}

// FindForms returns every form, by name.
func (s *Service) FindForms(ctx context.Context) ([]Form, error) {
	list, _, err := db.FindPage(ctx, s.db.R, formColumns, "web_forms", "name, id", db.Where{}, 0, db.MaxLimit, scanForm)
	return list, err
}
