package pool

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"squeezebench/runner"
)

// WriteSummary prints the table of the jobs: cell, seed, status, test and validation bpd,
// ms/step and wall time.
func WriteSummary(w io.Writer, reports []Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "cell\tseed\tstatus\ttest bpd\tval bpd\tms/step\twall\t")
	for _, r := range reports {
		cfg := r.Job.Config
		test, val, ms, wall := "-", "-", "-", "-"
		if res := r.Result; res != nil {
			if res.Status == runner.StatusOK {
				test, val = fmt.Sprintf("%.4f", res.TestBPD), fmt.Sprintf("%.4f", res.ValBPD)
			}
			if res.MsPerStep > 0 {
				ms = fmt.Sprintf("%.0f", res.MsPerStep)
			}
			wall = (time.Duration(res.WallSeconds * float64(time.Second))).Round(time.Second).String()
		}
		status := r.Status
		switch r.Status {
		case StatusDone:
			status = "ok (done before)"
		case StatusSameModel:
			status = "ok (" + r.Note + ")"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", cfg.Cell.Slug(), cfg.Seed, status, test, val, ms, wall)
	}
	tw.Flush()
}
