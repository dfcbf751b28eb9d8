package app

import "github.com/urfave/cli/v3"

// apiURLFlags are the CI providers' API base URLs given on the command
// line (self-hosted installs, tests); empty means "use the environment".
type apiURLFlags struct {
	buildkite, github, gitlab, jenkins string
}

func apiURLFlagList() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "buildkite-api-url", Usage: "Buildkite API base `URL` (env BUILDKITE_API_URL; default https://api.buildkite.com). BUILDKITE_API_TOKEN goes only there, over https"},
		&cli.StringFlag{Name: "github-api-url", Usage: "GitHub API base `URL` (env GITHUB_API_URL; default https://api.github.com; GitHub Enterprise: https://HOST/api/v3). GITHUB_TOKEN goes only there, over https"},
		&cli.StringFlag{Name: "gitlab-api-url", Usage: "GitLab API base `URL` (env GITLAB_API_URL; default https://gitlab.com/api/v4; self-managed: https://HOST/api/v4). GITLAB_TOKEN goes only there, over https"},
		&cli.StringFlag{Name: "jenkins-url", Usage: "the Jenkins `URL` that JENKINS_USER_ID and JENKINS_API_TOKEN belong to (env JENKINS_URL). They go only there, over https; builds elsewhere are read anonymously"},
	}
}

func readAPIURLFlags(cmd *cli.Command) apiURLFlags {
	return apiURLFlags{
		buildkite: cmd.String("buildkite-api-url"),
		github:    cmd.String("github-api-url"),
		gitlab:    cmd.String("gitlab-api-url"),
		jenkins:   cmd.String("jenkins-url"),
	}
}
