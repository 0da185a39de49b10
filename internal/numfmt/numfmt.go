// Package numfmt formats numbers for the tables the commands print and the reports they write.
package numfmt

import "strconv"

// Thousands writes n with a comma between groups of three digits: 1711818 -> "1,711,818".
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}
