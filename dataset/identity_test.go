package dataset

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The real MNIST files have the known identity, whether read gzipped (the module's) or
// decompressed; other data has another identity, named custom.
func TestIDOfRealMNIST(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	want, err := KnownID("mnist")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.ID(); got != want || !got.Known() {
		t.Fatalf("ID of the module's MNIST = %+v (known %t), want %+v", got, got.Known(), want)
	}
	// The same contents decompressed into another directory: the same identity.
	dir := t.TempDir()
	for _, f := range s.Info.Files {
		data, err := gunzipFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, roleOf(f.Path)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plain, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if plain.ID() != want {
		t.Errorf("decompressed copy: ID %+v, want %+v", plain.ID(), want)
	}
	// One pixel changed: another data set.
	img := filepath.Join(dir, trainImagesName)
	data, _ := os.ReadFile(img)
	data[len(data)-1] ^= 1
	if err := os.WriteFile(img, data, 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if id := other.ID(); id.Name != Custom || id.SHA256 == want.SHA256 || id.Known() {
		t.Errorf("one pixel changed: ID %+v (known %t), want a custom identity", id, id.Known())
	}
	if _, err := KnownID("imagenet"); err == nil {
		t.Error("KnownID(imagenet): no error")
	}
}

func gunzipFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return gunzip(raw)
}

// Fashion-MNIST from Debian's dataset-fashion-mnist is a known set with its own identity; a
// missing installation says how to install it. (make test installs the package.)
func TestFashionMNIST(t *testing.T) {
	if _, err := os.Stat(FashionDir); err != nil {
		t.Skipf("%s is not installed (make fashion-mnist installs it): %v", FashionDir, err)
	}
	s, err := LoadSet("fashion-mnist", "")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := KnownID("fashion-mnist")
	mnist, _ := KnownID("mnist")
	if got := s.ID(); got != want || !got.Known() || got == mnist || s.Known != "fashion-mnist" || !s.Info.Default {
		t.Errorf("ID %+v (known %t), want %+v", got, got.Known(), want)
	}
	sz, _ := KnownSizes("fashion-mnist")
	if s.Train.N != sz.Train || s.Val.N != sz.Val || s.Test.N != sz.Test || s.Train.H != 28 {
		t.Errorf("splits %d/%d/%d of %dx%d, want %+v of 28x28", s.Train.N, s.Val.N, s.Test.N, s.Train.H, s.Train.W, sz)
	}
	// Through an explicit directory the same files are recognised too.
	if d, err := Load(FashionDir); err != nil || d.ID() != want {
		t.Errorf("Load(%s): %v, %+v", FashionDir, err, d.ID())
	}
}

func TestMissingSetSaysHowToInstall(t *testing.T) {
	saved := fashionSet.dir
	defer func() { fashionSet.dir = saved }()
	fashionSet.dir = func() (string, error) { return filepath.Join(t.TempDir(), "none"), nil }
	_, err := LoadSet("fashion-mnist", "")
	if err == nil || !strings.Contains(err.Error(), "apt-get install -y dataset-fashion-mnist") || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing Fashion-MNIST: %v", err)
	}
	if _, err := LoadSet("cifar", ""); err == nil || !strings.Contains(err.Error(), "known: mnist, fashion-mnist") {
		t.Errorf("unknown set: %v", err)
	}
}
