package reply_test

import (
	"strconv"
	"strings"
)

func stringsReplace(s, old, new string) string { return strings.ReplaceAll(s, old, new) }

func fmtInt(n int) string { return strconv.Itoa(n) }
