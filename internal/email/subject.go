package email

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	// subjectToken is the ticket number Linedesk puts into subjects, "[#1042]".
	subjectToken = regexp.MustCompile(`\[#(\d{1,18})\]`)

	// replyPrefix matches one reply or forward prefix of English, German,
	// Russian and Latvian clients, with an optional counter ("Re[2]:",
	// "RE(3):").
	replyPrefix = regexp.MustCompile(`(?i)^\s*(?:re|fwd?|aw|wg|отв|ответ|пересл|atb\.?|pārs\.?)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*`)
)

// SubjectToken finds the ticket token "[#N]" anywhere in a subject, whatever
// reply and forward prefixes surround it, and returns N.
func SubjectToken(subject string) (number int64, ok bool) {
	m := subjectToken.FindStringSubmatch(subject)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// CleanSubject returns the subject without reply/forward prefixes (repeated
// or nested, in any case) and without the ticket token.
func CleanSubject(subject string) string {
	s := subjectToken.ReplaceAllString(subject, " ")
	s = strings.Join(strings.Fields(s), " ")
	for {
		loc := replyPrefix.FindStringIndex(s)
		if loc == nil || loc[1] == 0 {
			return strings.TrimSpace(s)
		}
		s = s[loc[1]:]
	}
}

// hasReplyPrefix reports whether a subject starts with a reply or forward
// prefix.
func hasReplyPrefix(subject string) bool {
	return replyPrefix.MatchString(subject)
}
