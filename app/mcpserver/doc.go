// Package mcpserver serves destill to AI assistants over the Model Context
// Protocol: analyze_build runs the same analysis as `destill analyze` and
// keeps the result, and get_finding, search_log, read_log and list_jobs
// answer follow-up questions about it from the job logs kept on disk.
package mcpserver
