package report

import (
	"fmt"
	"math"

	"squeezebench/report/stats"
)

// Verdict is the contrast in plain words. A difference is claimed exactly when its family-wise
// interval excludes 0 (so interval and verdict never disagree); otherwise the interval bounds
// the difference and the minimum detectable effect says how large one would have had to be to be
// seen. The sign-flip test over seeds is the robustness check.
func (c *Contrast) Verdict() string {
	switch {
	case c.Kept == 0 && c.Excluded > 0:
		return fmt.Sprintf("not a contrast here: every stratum (%d) has a cell excluded from the grid or compares one model with itself.", c.Strata)
	case c.Kept == 0 && c.Strata > 0:
		return fmt.Sprintf("not a contrast here: in all %d strata the cells compared are one model (structural twins), so the difference is zero by construction.", c.Strata)
	case c.N == 0:
		return fmt.Sprintf("cannot be tested: no seed has ok runs in every stratum (%d seeds left out).", len(c.DroppedSeeds))
	case c.N < 2:
		return fmt.Sprintf("cannot be tested: only %d seed has ok runs in every stratum (%d left out); the seed is the unit of replication.", c.N, len(c.DroppedSeeds))
	}
	ci := fmt.Sprintf("%s CI %s to %s", levelText(c.Level), signed(c.Lo), signed(c.Hi))
	if c.Family > 1 {
		ci += fmt.Sprintf(", family-wise 95%% over %d tests", c.Family)
	}
	basis := fmt.Sprintf("t over %d seeds p %s adjusted", c.N, FmtP(c.PAdj))
	if sl := c.strataNote(); sl != "" {
		basis += "; " + sl
	}
	if c.Claimed() {
		return c.claim(ci, basis) + c.signFlipNote(true)
	}
	bound := math.Max(math.Abs(c.Lo), math.Abs(c.Hi))
	what := fmt.Sprintf("%s − %s = %s bpd", c.Alt, c.Ref, signed(c.Mean))
	s := fmt.Sprintf("no difference detectable at this budget: %s (%s, so |difference| < %s bpd; %s).", what, ci, fmtNum(bound, 4), basis)
	if c.Kind == "interaction" {
		s = fmt.Sprintf("no interaction detectable at this budget: difference of differences %s bpd (%s, so |interaction| < %s bpd; %s).",
			signed(c.Mean), ci, fmtNum(bound, 4), basis)
	}
	return s + c.mdeNote() + c.signFlipNote(false)
}

// claim is the sentence of a claimed difference.
func (c *Contrast) claim(ci, basis string) string {
	by := bpd(math.Abs(c.Mean))
	switch {
	case c.Kind == "interaction":
		return fmt.Sprintf("the effect of %s (%s − %s) depends on %s: it is %s bpd %s with %s=%s than with %s=%s (%s; %s).",
			c.Axis, c.Alt, c.Ref, c.Axis2, by, largerSmaller(c.Mean), c.Axis2, c.Alt2, c.Axis2, c.Ref2, ci, basis)
	case c.Quantity.Name != TestBPD.Name:
		return fmt.Sprintf("the %s of %s is %s than that of %s by %s bpd (%s; %s).", c.Quantity.Label, c.Alt, largerSmaller(c.Mean), c.Ref, by, ci, basis)
	}
	dir := "worse"
	if c.Mean < 0 {
		dir = "better"
	}
	given := ""
	if c.Given != "" {
		given = " with " + c.Given
	}
	return fmt.Sprintf("%s is %s than %s%s by %s bpd (%s; %s).", c.Alt, dir, c.Ref, given, by, ci, basis)
}

func largerSmaller(v float64) string {
	if v < 0 {
		return "smaller"
	}
	return "larger"
}

// strataNote says what the per-seed value is a mean over, and which strata were left out.
func (c *Contrast) strataNote() string {
	s := ""
	if c.Kept > 1 {
		s = fmt.Sprintf("each seed's value the mean over %d strata", c.Kept)
	}
	var left []string
	if c.Twins > 0 {
		left = append(left, fmt.Sprintf("%d where the cells are one model", c.Twins))
	}
	if c.Duplicates > 0 {
		left = append(left, fmt.Sprintf("%d repeating another stratum's models", c.Duplicates))
	}
	if c.Excluded > 0 {
		left = append(left, fmt.Sprintf("%d with a cell excluded from the grid", c.Excluded))
	}
	if len(left) > 0 {
		if s != "" {
			s += ", "
		}
		s += "leaving out " + joinAnd(left) + fmt.Sprintf(" (of %d strata)", c.Strata)
	}
	if n := len(c.DroppedSeeds); n > 0 {
		if s != "" {
			s += "; "
		}
		s += fmt.Sprintf("%d seed(s) left out for runs that are not ok", n)
	}
	return s
}

// mdeNote says how large an effect the data could have detected.
func (c *Contrast) mdeNote() string {
	if math.IsNaN(c.MDE) {
		return ""
	}
	return fmt.Sprintf(" With %d seeds and the seed-to-seed sd seen here (%s bpd), a difference of %s bpd or more would have been detected with 80%% power.",
		c.N, fmtNum(c.SD, 4), fmtNum(c.MDE, 4))
}

// signFlipNote is the robustness check in words.
func (c *Contrast) signFlipNote(claimed bool) string {
	minP := stats.MinSignFlipP(c.N) * float64(max(c.Family, 1))
	switch {
	case claimed && c.SignFlipAgrees():
		return fmt.Sprintf(" The sign-flip test over seeds agrees (p %s adjusted).", FmtP(c.PSignFlipAdj))
	case claimed && minP >= stats.Alpha:
		return fmt.Sprintf(" The sign-flip test over seeds cannot confirm it: with %d seeds it cannot reach p < %.2f after adjustment.", c.N, stats.Alpha)
	case claimed:
		return fmt.Sprintf(" The sign-flip test over seeds does not confirm it (p %s adjusted): the claim rests on the t test's normality.", FmtP(c.PSignFlipAdj))
	case minP >= stats.Alpha:
		return fmt.Sprintf(" (With %d seeds the sign-flip check cannot reach p < %.2f after adjustment at all.)", c.N, stats.Alpha)
	}
	return ""
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	out := xs[0]
	for _, x := range xs[1 : len(xs)-1] {
		out += ", " + x
	}
	return out + " and " + xs[len(xs)-1]
}
