package jenkins

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/destill-dev/destill/providers/httpapi"
)

// stage is one stage of a Pipeline build, with its status in the words of
// the API that told it.
type stage struct {
	name, status string
}

// failed reports whether the stage failed (Stage View FAILED or UNSTABLE,
// Blue Ocean FAILURE or UNSTABLE).
func (s stage) failed() bool {
	switch s.status {
	case "FAILED", "FAILURE", "UNSTABLE":
		return true
	}
	return false
}

// stages reads a Pipeline build's stages from the Pipeline Stage View API
// (wfapi/describe), or, where that plugin is missing (404), from Blue
// Ocean's REST API.
func (s *Source) stages(ctx context.Context, number int64) ([]stage, error) {
	var describe struct {
		Stages []struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"stages"`
	}
	_, err := s.api.GetJSON(ctx, s.buildURL(strconv.FormatInt(number, 10))+"wfapi/describe", &describe)
	if err == nil {
		var out []stage
		for _, st := range describe.Stages {
			out = append(out, stage{name: st.Name, status: st.Status})
		}
		return out, nil
	}
	if !notFound(err) {
		return nil, err
	}
	return s.blueOceanStages(ctx, number)
}

// blueOceanStages reads the stages (and parallel branches) of a build from
// Blue Ocean: …/pipelines/A/pipelines/B/runs/N/nodes/, or for a branch of
// a multibranch project …/pipelines/A/branches/B/runs/N/nodes/.
func (s *Source) blueOceanStages(ctx context.Context, number int64) ([]stage, error) {
	names := strings.Split(s.ref.Repo, "/")
	path := make([]string, len(names))
	for i, n := range names {
		path[i] = url.PathEscape(n)
	}
	branch := false
	if len(names) > 1 {
		var parent struct {
			Class string `json:"_class"`
		}
		parentURL := strings.TrimSuffix(s.job, url.PathEscape(names[len(names)-1])+"/")
		parentURL = strings.TrimSuffix(parentURL, "job/")
		if _, err := s.api.GetJSON(ctx, parentURL+"api/json?tree=_class", &parent); err != nil {
			return nil, err
		}
		branch = strings.Contains(parent.Class, "MultiBranchProject")
	}
	u := s.ref.WebBase + "/blue/rest/organizations/jenkins/pipelines/"
	if branch {
		u += strings.Join(path[:len(path)-1], "/pipelines/") + "/branches/" + path[len(path)-1]
	} else {
		u += strings.Join(path, "/pipelines/")
	}
	u += fmt.Sprintf("/runs/%d/nodes/", number)
	var nodes []struct {
		DisplayName string `json:"displayName"`
		Result      string `json:"result"`
		State       string `json:"state"`
		Type        string `json:"type"`
	}
	if _, err := s.api.GetJSON(ctx, u, &nodes); err != nil {
		return nil, err
	}
	var out []stage
	for _, n := range nodes {
		if n.Type == "STAGE" || n.Type == "PARALLEL" {
			out = append(out, stage{name: n.DisplayName, status: n.Result})
		}
	}
	return out, nil
}

func notFound(err error) bool {
	var se *httpapi.StatusError
	return errors.As(err, &se) && se.Status == http.StatusNotFound
}
