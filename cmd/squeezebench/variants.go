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
	for _, v := range variants.List() {
		def := ""
		if v.Default {
			def = "yes"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", v.Axis, v.Name, def, v.Doc)
	}
	return w.Flush()
}
