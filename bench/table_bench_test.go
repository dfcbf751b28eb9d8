package bench

import "testing"

// BenchmarkTable measures every row of the performance table, in order,
// and TestMain prints the table once they all ran. One row alone:
// go test -bench 'Table/startup' ./bench/. Each row is a ratio against a
// reference measured in the same run, so the figures hold on a busy
// machine; make bench runs one iteration of each.
func BenchmarkTable(b *testing.B) {
	b.Run("real-logs-file", benchRealLogsFile)
	b.Run("real-logs-per-process", benchRealLogsPerProcess)
	b.Run("startup", benchStartup)
	b.Run("flood", benchFlood)
	b.Run("build", benchBuild)
	b.Run("big-log", benchBigLog)
	b.Run("shapes", benchShapes)
}
