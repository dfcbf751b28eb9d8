// Package bench holds the whole-program benchmarks behind `make bench`:
// the destill binary on real CI logs (the labeled corpus in
// $DESTILL_CORPUS), on a flood of distinct errors and on a 40-job build
// served by the fake CI at a realistic bandwidth, each figure a ratio
// against a reference measured in the same run (grep on the same file, or
// a download-only pass of the same build). The package has no code of its
// own: everything is in its _test files, and the table of results is
// printed when the benchmarks end.
package bench
