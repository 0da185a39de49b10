package experiments

import (
	"os"
	"reflect"
	"regexp"
	"testing"
)

// ablation.toml documents the format: every key the document type knows appears in it, and every
// table is there.
func TestAblationDocumentsEveryKey(t *testing.T) {
	src, err := os.ReadFile("ablation.toml")
	if err != nil {
		t.Fatal(err)
	}
	doc := reflect.TypeFor[document]()
	for _, k := range keysOf(doc) {
		ft, _ := fieldType(doc, k)
		sub := keysOf(ft)
		if len(sub) == 0 && k != "grid" {
			if !regexp.MustCompile(`(?m)^#? ?` + k + ` = `).Match(src) {
				t.Errorf("ablation.toml does not document %s", k)
			}
			continue
		}
		if !regexp.MustCompile(`(?m)^\[` + k + `\]`).Match(src) {
			t.Errorf("ablation.toml has no [%s]", k)
		}
		for _, s := range sub {
			if !regexp.MustCompile(`(?m)^#? ?` + s + ` = `).Match(src) {
				t.Errorf("ablation.toml does not document %s.%s", k, s)
			}
		}
	}
}

func TestNearest(t *testing.T) {
	known := []string{"steps", "epochs", "batch", "lr", "lr_gamma", "clip_norm", "log_every"}
	for in, want := range map[string]string{"step": "steps", "epoch": "epochs", "btach": "batch", "lr_gama": "lr_gamma", "xyz": "", "learning_rate": ""} {
		if got := nearest(in, known); got != want {
			t.Errorf("nearest(%q) = %q, want %q", in, got, want)
		}
	}
}
