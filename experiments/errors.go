package experiments

import (
	"fmt"
	"strings"
)

// FieldError is one problem in an experiment file.
type FieldError struct {
	File  string // as given to Parse or Load
	Line  int    // 1-based; 0 when the problem has no place in the file (e.g. a default)
	Col   int    // 1-based; 0 when unknown
	Field string // the dotted key, e.g. "training.steps", or "[table]"; empty for syntax errors
	Msg   string // what is wrong and what was expected
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file, in the order of the file where they have a place.
// Parse and Load return it (as an error) when a file is not valid.
type Errors []*FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find each *FieldError.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
