package experiments

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// The shipped experiments, compiled into the binary.
//
//go:embed *.toml
var builtin embed.FS

// BuiltinNames lists the shipped experiments, the *.toml files of this directory, by name, sorted.
func BuiltinNames() []string {
	entries, _ := fs.ReadDir(builtin, ".")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".toml"))
	}
	sort.Strings(out)
	return out
}

// BuiltinSource is the text of a shipped experiment file ("ablation" or "ablation.toml").
func BuiltinSource(name string) ([]byte, error) {
	name = strings.TrimSuffix(name, ".toml")
	data, err := builtin.ReadFile(name + ".toml")
	if err != nil {
		return nil, fmt.Errorf("no built-in experiment %q (built in: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	return data, nil
}

// Builtin parses a shipped experiment ("ablation" or "ablation.toml"). Errors name it as
// experiments/<name>.toml, where it lives in the repository.
func Builtin(name string) (*Experiment, error) {
	data, err := BuiltinSource(name)
	if err != nil {
		return nil, err
	}
	return Parse(path.Join("experiments", strings.TrimSuffix(name, ".toml")+".toml"), data)
}

// Open loads ref as a file when a file of that name exists or ref looks like a path (it has a
// slash or ends in .toml); otherwise it is the name of a built-in experiment.
func Open(ref string) (*Experiment, error) {
	if _, err := os.Stat(ref); err == nil || strings.ContainsRune(ref, os.PathSeparator) ||
		strings.Contains(ref, "/") || strings.HasSuffix(ref, ".toml") {
		e, err := Load(ref)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w (built-in experiments, by name: %s)", err, strings.Join(BuiltinNames(), ", "))
		}
		return e, err
	}
	return Builtin(ref)
}
