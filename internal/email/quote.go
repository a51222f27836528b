package email

import (
	"regexp"
	"strings"
)

var (
	separatorLine = regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|исходное сообщение|оригинальное сообщение|sākotnējais ziņojums)\s*-{2,}\s*$`)
	ruleLine      = regexp.MustCompile(`^\s*(_{5,}|-{5,})\s*$`)

	// Quote headers ("attribution lines") in English, Russian and Latvian.
	attributionLine = regexp.MustCompile(`(?i)(\bwrote|пишет|написала?|написал\(а\)|rakstīja)\s*:\s*$`)
	onLineStart     = regexp.MustCompile(`^\s*On\s`)
	// Gmail in Russian and other clients write only "date, name <address>:".
	dateAddressLine = regexp.MustCompile(`\d.*<[^<>\s]+@[^<>\s]+>\s*:\s*$`)

	// The header block Outlook puts above a quoted message, in English,
	// Russian and Latvian.
	outlookFrom    = regexp.MustCompile(`(?i)^\s*\*?(from|от|no)\*?\s*:\s*\S`)
	outlookSent    = regexp.MustCompile(`(?i)^\s*\*?(sent|date|отправлено|дата|nosūtīts|datums)\*?\s*:`)
	outlookTo      = regexp.MustCompile(`(?i)^\s*\*?(to|кому|kam)\*?\s*:`)
	outlookSubject = regexp.MustCompile(`(?i)^\s*\*?(subject|тема|temats)\*?\s*:`)
)

// maxAttribution bounds the length of a quote header line, so that a long
// paragraph that happens to end in "wrote:" is not taken for one.
const maxAttribution = 300

// SplitQuoted splits a plain-text body into what the author wrote and what
// can be folded away: quoted history (an attribution line such as "On …
// wrote:", "… пишет:", "… rakstīja:", an Outlook header block, an "Original
// Message" separator, or a trailing block of ">" lines) and a signature
// after a "-- " line. The split is at one point, so visible+quoted == text
// and nothing is lost. When nothing would stay visible (a bare forward, say)
// the whole text is visible.
func SplitQuoted(text string) (visible, quoted string) {
	lines, starts := splitLines(text)
	trailing := trailingQuoteStart(lines)
	for i := range lines {
		cut := -1
		switch {
		case isSignatureLine(lines[i]) || separatorLine.MatchString(lines[i]):
			cut = i
		case i == trailing:
			cut = i
		case isAttribution(lines, i):
			cut = i
		case isOutlookBlock(lines, i):
			cut = i
			if j := prevNonBlank(lines, i); j >= 0 && i-j <= 2 && ruleLine.MatchString(lines[j]) {
				cut = j
			}
		}
		if cut < 0 {
			continue
		}
		if strings.TrimSpace(text[:starts[cut]]) == "" {
			return text, ""
		}
		return text[:starts[cut]], text[starts[cut]:]
	}
	return text, ""
}

// splitLines returns the lines of text without their line ends, and the
// offset where each starts.
func splitLines(text string) ([]string, []int) {
	var lines []string
	var starts []int
	for pos := 0; pos < len(text); {
		end := strings.IndexByte(text[pos:], '\n')
		next := pos + end + 1
		if end < 0 {
			end, next = len(text)-pos, len(text)
		}
		lines = append(lines, strings.TrimSuffix(text[pos:pos+end], "\r"))
		starts = append(starts, pos)
		pos = next
	}
	return lines, starts
}

func isSignatureLine(line string) bool {
	return line == "-- " || line == "--"
}

func isQuoteLine(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " \t"), ">")
}

func isBlank(line string) bool { return strings.TrimSpace(line) == "" }

// trailingQuoteStart returns the first line of the block of ">" lines that
// runs (blank lines aside) to the end of the text or to a signature, or -1.
// Quotes with the author's answers between them are left visible.
func trailingQuoteStart(lines []string) int {
	end := len(lines)
	for i, l := range lines {
		if isSignatureLine(l) {
			end = i
			break
		}
	}
	start := -1
	for i := end - 1; i >= 0; i-- {
		switch {
		case isQuoteLine(lines[i]):
			start = i
		case !isBlank(lines[i]):
			return start
		}
	}
	return start
}

// isAttribution reports whether line i (joined with the next line when a
// client wrapped it) introduces a quote.
func isAttribution(lines []string, i int) bool {
	line := strings.TrimSpace(lines[i])
	if line == "" || len(line) > maxAttribution || isQuoteLine(line) {
		return false
	}
	if attributionLine.MatchString(line) {
		return true
	}
	if onLineStart.MatchString(line) && i+1 < len(lines) {
		joined := line + " " + strings.TrimSpace(lines[i+1])
		if len(joined) <= maxAttribution && attributionLine.MatchString(joined) {
			return true
		}
	}
	if dateAddressLine.MatchString(line) {
		j := nextNonBlank(lines, i)
		return j >= 0 && isQuoteLine(lines[j])
	}
	return false
}

// isOutlookBlock reports whether line i starts a "From: / Sent: / To: /
// Subject:" block: a From line followed within six lines by a date line and
// a To or Subject line.
func isOutlookBlock(lines []string, i int) bool {
	if !outlookFrom.MatchString(lines[i]) {
		return false
	}
	var sent, other bool
	for j := i + 1; j < len(lines) && j <= i+6; j++ {
		switch l := lines[j]; {
		case outlookSent.MatchString(l):
			sent = true
		case outlookTo.MatchString(l) || outlookSubject.MatchString(l):
			other = true
		}
	}
	return sent && other
}

func prevNonBlank(lines []string, i int) int {
	for j := i - 1; j >= 0; j-- {
		if !isBlank(lines[j]) {
			return j
		}
	}
	return -1
}

func nextNonBlank(lines []string, i int) int {
	for j := i + 1; j < len(lines); j++ {
		if !isBlank(lines[j]) {
			return j
		}
	}
	return -1
}
