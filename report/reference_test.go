package report

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The committed reference reports regenerate byte for byte from their stored results: the
// report depends only on what the runs wrote (and the code version they recorded). Each reference
// is copied with the pattern atlas beside it, as in the repository, and regenerated there, and
// every relative link of the regenerated report leads to a file of that copy.
func TestReferenceReportsRegenerate(t *testing.T) {
	refs, _ := filepath.Glob(filepath.Join("..", "results", "reference", "*", "REPORT.md"))
	if len(refs) == 0 {
		t.Skip("no committed reference results")
	}
	patterns, err := filepath.Abs(filepath.Join("..", "results", "patterns"))
	if err != nil {
		t.Fatal(err)
	}
	for _, md := range refs {
		src, err := filepath.Abs(filepath.Dir(md))
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(src)
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			dst := filepath.Join(root, "results", "reference", name)
			if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
			if err := os.CopyFS(filepath.Join(root, "results", "patterns"), os.DirFS(patterns)); err != nil {
				t.Fatal(err)
			}
			t.Chdir(root)
			w, err := Generate(filepath.Join("results", "reference", name), Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range w.Files {
				want, err := os.ReadFile(filepath.Join(src, f))
				if err != nil {
					t.Errorf("%s: not committed: %v", f, err)
					continue
				}
				got, _ := os.ReadFile(filepath.Join(dst, f))
				if !bytes.Equal(got, want) {
					t.Errorf("%s/%s differs when regenerated (run squeezebench report -results results/reference/%s and commit it)", name, f, name)
				}
			}
			checkLinks(t, dst, "REPORT.md")
		})
	}
}

var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// checkLinks fails for every relative Markdown link of dir/name whose target does not exist.
func checkLinks(t *testing.T, dir, name string) {
	t.Helper()
	md, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range markdownLink.FindAllSubmatch(md, -1) {
		target := string(m[1])
		if strings.Contains(target, "://") || strings.HasPrefix(target, "#") {
			continue
		}
		target, _, _ = strings.Cut(target, "#")
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(target))); err != nil {
			t.Errorf("%s: link to %s leads nowhere", name, m[1])
		}
	}
}
