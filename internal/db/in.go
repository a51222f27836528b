package db

import (
	"strconv"
	"strings"
)

// In returns the placeholders "$first, $first+1, …" of an IN list and its
// arguments. The list is padded to the next power of two by repeating the
// last value (which changes nothing in an IN), so lists of any length share
// a few statement texts and their prepared statements. vals must not be
// empty.
func In[T any](vals []T, first int) (string, []any) {
	n := 1
	for n < len(vals) {
		n *= 2
	}
	var b strings.Builder
	args := make([]any, n)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(first + i))
		args[i] = vals[min(i, len(vals)-1)]
	}
	return b.String(), args
}
