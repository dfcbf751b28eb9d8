// Package mcpserver serves destill to AI assistants over the Model Context
// Protocol: analyze_build runs the same analysis as `destill analyze` and
// keeps the result, and get_finding, search_log, read_log, list_jobs and
// get_request answer follow-up questions about it from the job logs kept on
// disk. With a SharedRequests the results are also saved to, and read from,
// the store of distributed mode, where `destill submit` requests are too.
package mcpserver
