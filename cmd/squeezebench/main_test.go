package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "squeezebench-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "squeezebench")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic("building the binary: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(binary, args...).CombinedOutput()
	return string(out), err
}

func TestDescribeTutorialParameterCount(t *testing.T) {
	out, err := run(t, "describe", "-preset", "tutorial")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "1,711,818") {
		t.Errorf("describe -preset tutorial does not report the tutorial's 1,711,818 parameters:\n%s", out)
	}
}

func TestCheckAllCells(t *testing.T) {
	out, err := run(t, "check", "-size", "4", "-samples", "1")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if n := strings.Count(out, " ok\n"); n < 8 || strings.Contains(out, "FAIL") {
		t.Errorf("want every cell ok (at least the ablation's 8):\n%s", out)
	}
}

func TestVariantsListsEveryAxis(t *testing.T) {
	out, err := run(t, "variants")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"tutorial", "tf-style", "channel", "checkerboard", "channelwise", "rowwise"} {
		if !strings.Contains(out, want) {
			t.Errorf("variants does not list %q:\n%s", want, out)
		}
	}
}

func TestTrainWritesResults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	out, err := run(t, "train", "-preset", "smoke", "-steps", "4", "-squeeze", "tf-style", "-split", "checkerboard", "-coupling", "rowwise", "-out", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, f := range []string{"result.json", "metrics.csv", "samples.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("train did not write %s: %v", f, err)
		}
	}
}

func TestBadInputIsAClearError(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "-squeeze", "bogus", "-out", "x"}, "known: tf-ordered, tf-style, tutorial"},
		{[]string{"train", "-preset", "huge", "-out", "x"}, `unknown preset "huge"`},
		{[]string{"train", "-preset", "smoke"}, "-out DIR is required"},
		{[]string{"train", "-preset", "smoke", "-out", "x", "-data", "/nonexistent"}, "/nonexistent/train-images-idx3-ubyte"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	}
	for _, tc := range cases {
		out, err := run(t, tc.args...)
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("squeezebench %s: err %v, output %q; want a failure mentioning %q", strings.Join(tc.args, " "), err, out, tc.want)
		}
	}
	if out, err := run(t, "check", "-h"); err != nil {
		t.Errorf("check -h should succeed: %v\n%s", err, out)
	}
}
