package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// imagesIDX returns an IDX images file of n images of h x w pixels whose
// pixel k holds byte(k*7+1).
func imagesIDX(n, h, w int) []byte {
	b := binary.BigEndian.AppendUint32(nil, imagesMagic)
	for _, v := range []int{n, h, w} {
		b = binary.BigEndian.AppendUint32(b, uint32(v))
	}
	for k := range n * h * w {
		b = append(b, byte(k*7+1))
	}
	return b
}

// labelsIDX returns an IDX labels file holding labels.
func labelsIDX(labels ...byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, labelsMagic)
	b = binary.BigEndian.AppendUint32(b, uint32(len(labels)))
	return append(b, labels...)
}

// header returns a raw IDX header of the given words.
func header(words ...uint32) []byte {
	var b []byte
	for _, w := range words {
		b = binary.BigEndian.AppendUint32(b, w)
	}
	return b
}

func gz(t testing.TB, b []byte, level int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

func TestLoadIDX(t *testing.T) {
	tests := []struct {
		name             string
		imgName, lblName string
		img, lbl         []byte // nil: do not write the file
		n, h, w          int
		labels           []byte
	}{
		{"plain", "img", "lbl", imagesIDX(3, 4, 5), labelsIDX(0, 9, 3), 3, 4, 5, []byte{0, 9, 3}},
		{"gzipped", "img.gz", "lbl.gz", gz(t, imagesIDX(3, 2, 2), gzip.BestCompression), gz(t, labelsIDX(1, 2, 3), gzip.BestSpeed), 3, 2, 2, []byte{1, 2, 3}},
		{"gzip without suffix", "img", "lbl", gz(t, imagesIDX(2, 28, 28), gzip.DefaultCompression), labelsIDX(5, 5), 2, 28, 28, []byte{5, 5}},
		{"mixed", "img.gz", "lbl", gz(t, imagesIDX(1, 1, 7), gzip.DefaultCompression), labelsIDX(4), 1, 1, 7, []byte{4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := LoadIDX(writeFile(t, dir, tt.imgName, tt.img), writeFile(t, dir, tt.lblName, tt.lbl))
			if err != nil {
				t.Fatal(err)
			}
			if s.N != tt.n || s.H != tt.h || s.W != tt.w {
				t.Fatalf("got N, H, W = %d, %d, %d, want %d, %d, %d", s.N, s.H, s.W, tt.n, tt.h, tt.w)
			}
			if want := imagesIDX(tt.n, tt.h, tt.w)[16:]; !bytes.Equal(s.Images, want) {
				t.Errorf("pixels differ from the file")
			}
			if !bytes.Equal(s.Labels, tt.labels) {
				t.Errorf("labels = %v, want %v", s.Labels, tt.labels)
			}
			if len(s.Labels) != s.N || len(s.Images) != s.N*s.H*s.W {
				t.Errorf("len(Labels), len(Images) = %d, %d for N=%d", len(s.Labels), len(s.Images), s.N)
			}
		})
	}
}

func TestLoadIDXErrors(t *testing.T) {
	good := imagesIDX(3, 4, 4)
	goodGz := gz(t, good, gzip.DefaultCompression)
	badCRC := bytes.Clone(goodGz)
	badCRC[len(badCRC)-6] ^= 0xff // inside the CRC-32 of the trailer
	const img, lbl = "images", "labels"
	tests := []struct {
		name       string
		imgFile    string // file name of the images; the labels file is "labels"
		img, lbl   []byte // nil: the file is missing
		wantFile   string // the file whose path the error names
		want       []string
		wantNotExt bool // errors.Is(err, fs.ErrNotExist)
	}{
		{"missing images", img, nil, labelsIDX(1, 2, 3), img, []string{"cannot read file", "no such file"}, true},
		{"missing labels", img, good, nil, lbl, []string{"cannot read file", "no such file"}, true},
		{"images magic is labels", img, labelsIDX(1, 2, 3), labelsIDX(1, 2, 3), img, []string{"bad magic number 0x00000801", "want 0x00000803", "labels file"}, false},
		{"labels magic is images", img, good, good, lbl, []string{"bad magic number 0x00000803", "want 0x00000801", "images file"}, false},
		{"images random magic", img, cat(header(0xdeadbeef, 3, 4, 4), good[16:]), labelsIDX(1, 2, 3), img, []string{"bad magic number 0xdeadbeef"}, false},
		{"images 2 bytes", img, []byte{0, 0}, labelsIDX(1, 2, 3), img, []string{"truncated", "2 bytes", "magic number"}, false},
		{"images header truncated", img, good[:10], labelsIDX(1, 2, 3), img, []string{"truncated", "10 bytes", "header"}, false},
		{"labels header truncated", img, good, labelsIDX()[:5], lbl, []string{"truncated", "5 bytes", "header"}, false},
		{"images truncated", img, good[:len(good)-1], labelsIDX(1, 2, 3), img, []string{"truncated", "promises 3 images of 4x4", "only 47 pixel bytes"}, false},
		{"images header only", img, good[:16], labelsIDX(1, 2, 3), img, []string{"truncated", "only 0 pixel bytes"}, false},
		{"images huge header", img, cat(header(imagesMagic, 0xffffffff, 0xffffffff, 0xffffffff), good[16:]), labelsIDX(1, 2, 3), img, []string{"truncated", "promises 4294967295 images"}, false},
		{"labels truncated", img, good, labelsIDX(1, 2, 3)[:10], lbl, []string{"truncated", "promises 3 labels", "only 2 bytes"}, false},
		{"images trailing bytes", img, cat(good, []byte("junk!")), labelsIDX(1, 2, 3), img, []string{"trailing garbage", "5 extra bytes"}, false},
		{"labels trailing bytes", img, good, cat(labelsIDX(1, 2, 3), []byte{0}), lbl, []string{"trailing garbage", "1 extra bytes"}, false},
		{"images empty", img, header(imagesMagic, 0, 4, 4), labelsIDX(1), img, []string{"empty"}, false},
		{"images zero width", img, header(imagesMagic, 3, 4, 0), labelsIDX(1, 2, 3), img, []string{"empty", "3 images of 4x0"}, false},
		{"labels empty", img, good, labelsIDX(), lbl, []string{"empty"}, false},
		{"count mismatch", img, good, labelsIDX(1, 2), img, []string{"count mismatch", "3 images", "2 labels"}, false},
		{"label out of range", img, good, labelsIDX(1, 10, 3), lbl, []string{"label 10 at index 1 out of range", "below 10"}, false},
		{"label 255", img, good, labelsIDX(1, 2, 255), lbl, []string{"label 255 at index 2 out of range"}, false},
		{"bad gzip", img + ".gz", []byte("this is not gzip data at all"), labelsIDX(1, 2, 3), img + ".gz", []string{"bad gzip data"}, false},
		{"gzip truncated", img + ".gz", goodGz[:len(goodGz)/2], labelsIDX(1, 2, 3), img + ".gz", []string{"bad gzip data", "unexpected EOF"}, false},
		{"gzip bad checksum", img + ".gz", badCRC, labelsIDX(1, 2, 3), img + ".gz", []string{"bad gzip data", "checksum"}, false},
		{"gzip trailing bytes", img + ".gz", cat(goodGz, []byte("trailing")), labelsIDX(1, 2, 3), img + ".gz", []string{"bad gzip data"}, false},
		{"empty gz file", img + ".gz", []byte{}, labelsIDX(1, 2, 3), img + ".gz", []string{"bad gzip data", "EOF"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			imgPath, lblPath := filepath.Join(dir, tt.imgFile), filepath.Join(dir, lbl)
			if tt.img != nil {
				writeFile(t, dir, tt.imgFile, tt.img)
			}
			if tt.lbl != nil {
				writeFile(t, dir, lbl, tt.lbl)
			}
			s, err := LoadIDX(imgPath, lblPath)
			if err == nil {
				t.Fatalf("LoadIDX succeeded with N=%d, want an error", s.N)
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
			if got := errors.Is(err, fs.ErrNotExist); got != tt.wantNotExt {
				t.Errorf("errors.Is(err, fs.ErrNotExist) = %t, want %t", got, tt.wantNotExt)
			}
		})
	}
}

func TestSetImageAndSubset(t *testing.T) {
	s := &Set{Images: imagesIDX(4, 2, 3)[16:], Labels: []uint8{0, 1, 2, 3}, N: 4, H: 2, W: 3}
	for i := range s.N {
		img := s.Image(i)
		if len(img) != 6 || cap(img) != 6 {
			t.Fatalf("Image(%d) has len %d, cap %d, want 6, 6", i, len(img), cap(img))
		}
		if !bytes.Equal(img, s.Images[i*6:(i+1)*6]) {
			t.Errorf("Image(%d) = %v, want %v", i, img, s.Images[i*6:(i+1)*6])
		}
	}
	sub := s.Subset([]int{3, 1})
	if sub.N != 2 || sub.H != 2 || sub.W != 3 {
		t.Fatalf("Subset: N, H, W = %d, %d, %d", sub.N, sub.H, sub.W)
	}
	if !bytes.Equal(sub.Image(0), s.Image(3)) || !bytes.Equal(sub.Image(1), s.Image(1)) {
		t.Errorf("Subset images are not those selected")
	}
	if sub.Labels[0] != 3 || sub.Labels[1] != 1 {
		t.Errorf("Subset labels = %v, want [3 1]", sub.Labels)
	}
	sub.Images[0] ^= 0xff
	if sub.Image(0)[0] == s.Image(3)[0] {
		t.Errorf("Subset shares memory with the original set")
	}
	for _, i := range []int{-1, 4} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Image(%d) did not panic", i)
				}
			}()
			s.Image(i)
		}()
	}
}

// A truncated gzip file is refused without allocating by its trailer: the last four bytes of a
// truncated stream are arbitrary, and once claimed a gigabyte.
func TestTruncatedGzipAllocatesLittle(t *testing.T) {
	var img bytes.Buffer
	zw := gzip.NewWriter(&img)
	head := []byte{0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0, 28, 0, 0, 0, 28} // 10,000 images of 28x28
	zw.Write(head)
	rng := rand.New(rand.NewPCG(1, 2))
	px := make([]byte, 10000*28*28)
	for i := range px {
		px[i] = byte(rng.IntN(256))
	}
	zw.Write(px)
	zw.Close()
	raw := img.Bytes()
	cut := append([]byte(nil), raw[:len(raw)/2]...)
	// Make the last four bytes claim a huge size, as a truncation may.
	copy(cut[len(cut)-4:], []byte{0xff, 0xff, 0xff, 0x3f})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := gunzip(cut)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("a truncated gzip stream decompressed without error")
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("decompressing a truncated 4 MB file allocated %d MB", grew>>20)
	}
	// The whole file still decompresses to its exact size.
	full, err := gunzip(raw)
	if err != nil || len(full) != len(head)+len(px) {
		t.Errorf("the whole file: %v, %d bytes, want %d", err, len(full), len(head)+len(px))
	}
	// A header that declares more than the compressed bytes could hold is refused at once.
	var big bytes.Buffer
	zw = gzip.NewWriter(&big)
	zw.Write([]byte{0, 0, 8, 3, 0x7f, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28})
	zw.Close()
	if _, err := gunzip(big.Bytes()); err == nil || !strings.Contains(err.Error(), "declares") {
		t.Errorf("a header declaring 2 billion images: %v", err)
	}
}
