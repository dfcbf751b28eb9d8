package providertest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
)

// pointAt is how PointAt tampers with the fake's answers.
type pointAt struct {
	target *url.URL
	places map[string]bool
}

// PointAt makes the fake a hostile API: in its answers, the URLs in the
// named places name target's scheme and host instead of the fake's own
// (path and query kept). Places are JSON field names ("next",
// "raw_log_url", "download_url", "archive_download_url") and the headers
// "Link" and "Location". Tests use it to check that credentials never
// follow a URL an answer names.
func (f *Fake) PointAt(target string, places ...string) {
	u, err := url.Parse(target)
	if err != nil {
		panic("providertest: PointAt: " + err.Error())
	}
	p := &pointAt{target: u, places: map[string]bool{}}
	for _, pl := range places {
		p.places[pl] = true
	}
	f.mu.Lock()
	f.pointAt = p
	f.mu.Unlock()
}

// serve answers r with next's answer, its URLs rewritten.
func (p *pointAt) serve(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
	r.Header.Del("Accept-Encoding") // a plain body, to rewrite
	rec := httptest.NewRecorder()
	next(rec, r)
	for k, vs := range rec.Header() {
		for _, v := range vs {
			switch {
			case k == "Location" && p.places[k]:
				v = p.rewrite(v)
			case k == "Link" && p.places[k]:
				v = linkTarget.ReplaceAllStringFunc(v, func(m string) string { return "<" + p.rewrite(m[1:len(m)-1]) + ">" })
			}
			w.Header().Add(k, v)
		}
	}
	body := rec.Body.Bytes()
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&v) == nil {
		body, _ = json.Marshal(p.walk(v))
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(rec.Code)
	w.Write(body)
}

var linkTarget = regexp.MustCompile(`<[^>]*>`)

// walk rewrites the URLs of the named fields anywhere in v.
func (p *pointAt) walk(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if s, ok := e.(string); ok && p.places[k] {
				t[k] = p.rewrite(s)
				continue
			}
			t[k] = p.walk(e)
		}
	case []any:
		for i, e := range t {
			t[i] = p.walk(e)
		}
	}
	return v
}

func (p *pointAt) rewrite(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme, u.Host, u.User = p.target.Scheme, p.target.Host, p.target.User
	return u.String()
}
