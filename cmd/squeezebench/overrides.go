package main

import (
	"strings"

	"squeezebench/experiments"
)

// setFlag collects repeated -set key=value flags.
type setFlag []experiments.Override

func (s *setFlag) String() string {
	var out []string
	for _, o := range *s {
		out = append(out, o.String())
	}
	return strings.Join(out, " ")
}

func (s *setFlag) Set(v string) error {
	o, err := experiments.ParseOverride(v)
	if err != nil {
		return err
	}
	*s = append(*s, o)
	return nil
}

const setUsage = "set a key of the experiment file, e.g. -set training.steps=200 -set seeds=2 -set grid.split='[\"checkerboard\"]' (repeatable; validated like the file)"
