package bench

import "testing"

// TestGrowth: the build row says memory is flat only within buildFlat,
// and otherwise by how much a job it grew and where it would reach
// 150 MB.
func TestGrowth(t *testing.T) {
	const mb = 1 << 20
	tests := []struct {
		peaks []int64
		flat  bool
		want  string
	}{
		{[]int64{116 * mb, 120 * mb}, true, "flat from 640 to 1280 jobs (+4 MB)"},
		{[]int64{120 * mb, 116 * mb}, true, "flat from 640 to 1280 jobs (-4 MB)"},
		{[]int64{116 * mb, 136 * mb}, false, "grows 32 KB a job from 640 to 1280 jobs, so 150 MB at about 1728 jobs"},
		{[]int64{141 * mb, 204 * mb}, false, "grows 101 KB a job from 640 to 1280 jobs"},
	}
	for _, tt := range tests {
		g := growthPerJob([]int{10, 640, 1280}, append([]int64{60 * mb}, tt.peaks...))
		if g.flat() != tt.flat || g.String() != tt.want {
			t.Errorf("peaks %v: flat %v, %q; want %v, %q", tt.peaks, g.flat(), g.String(), tt.flat, tt.want)
		}
	}
}
