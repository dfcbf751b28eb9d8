package providers

// MarkRetried marks, among the jobs of one build, every execution of a job
// (by name) that a later one replaced as retried, for lists that hold
// every attempt without saying which one counts: the later one has the
// higher attempt, or comes later in jobs at the same attempt.
func MarkRetried(jobs []Job) {
	latest := map[string]int{}
	for i, j := range jobs {
		if k, ok := latest[j.Name]; !ok || j.Attempt >= jobs[k].Attempt {
			latest[j.Name] = i
		}
	}
	for i := range jobs {
		if latest[jobs[i].Name] != i {
			jobs[i].Retried = true
		}
	}
}
