// Package deploy holds the tests of the deployment files beside it: the
// Dockerfile and make image, compose.yaml with its .env.example, and make
// release. They run offline, with no container engine: compose is checked
// with `docker-compose config`, the Dockerfile's build step is run as it
// would run in the builder stage. The Helm chart is tested in deploy/helm.
package deploy
