package ticket

import (
	"context"
	"math"
	"slices"
	"time"
	"unicode/utf8"

	"linedesk/internal/apperr"
	"linedesk/internal/db"
)

// mergeFieldValues applies changes (a null value clears a field) to the
// current values, checking each against its definition.
func mergeFieldValues(ctx context.Context, q db.Queryer, current, changes map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(current)+len(changes))
	for k, v := range current {
		out[k] = v
	}
	if len(changes) == 0 {
		return out, nil
	}
	defs, err := findFields(ctx, q)
	if err != nil {
		return nil, err
	}
	for key, v := range changes {
		i := slices.IndexFunc(defs, func(f Field) bool { return f.Key == key })
		if i < 0 || !defs[i].Active {
			return nil, apperr.Field("custom_fields."+key, "no active custom field %q", key)
		}
		if v == nil {
			delete(out, key)
			continue
		}
		if out[key], err = checkFieldValue(defs[i], v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkFieldValue checks one value against its field's type.
func checkFieldValue(f Field, v any) (any, error) {
	bad := func(want string) error {
		return apperr.Field("custom_fields."+f.Key, "must be %s", want)
	}
	switch f.Type {
	case FieldText:
		s, ok := v.(string)
		if !ok || utf8.RuneCountInString(s) > 10000 {
			return nil, bad("text of at most 10000 characters")
		}
		return s, nil
	case FieldNumber:
		n, ok := v.(float64)
		if !ok || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, bad("a number")
		}
		return n, nil
	case FieldDate:
		s, ok := v.(string)
		if _, err := time.Parse(time.DateOnly, s); !ok || err != nil {
			return nil, bad("a date as YYYY-MM-DD")
		}
		return s, nil
	case FieldSelect:
		s, ok := v.(string)
		if !ok || !slices.Contains(f.Options, s) {
			return nil, bad("one of the field's options")
		}
		return s, nil
	case FieldCheckbox:
		b, ok := v.(bool)
		if !ok {
			return nil, bad("true or false")
		}
		return b, nil
	}
	return nil, bad("a known type")
}

// missingRequired returns the first active required field without a value.
func missingRequired(ctx context.Context, q db.Queryer, values map[string]any) (string, error) {
	defs, err := findFields(ctx, q)
	if err != nil {
		return "", err
	}
	for _, f := range defs {
		if f.Active && f.Required {
			if v, ok := values[f.Key]; !ok || v == "" {
				return f.Key, nil
			}
		}
	}
	return "", nil
}
