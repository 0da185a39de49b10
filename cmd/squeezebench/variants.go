package main

import (
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"squeezebench/variants"
)

func runVariants(args []string) error {
	fs := flag.NewFlagSet("variants", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "axis\tvariant\tdefault\tdescription")
	for _, a := range variants.Axes() {
		for _, n := range variants.Names(a) {
			v, err := variants.Lookup(a, n)
			if err != nil {
				return err
			}
			def := ""
			if n == variants.Default(a) {
				def = "yes"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", a, n, def, v.Doc)
		}
	}
	return w.Flush()
}
