package helm

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/destill-dev/destill/app/worker"
	"github.com/destill-dev/destill/backend/kafka"
)

// render is one set of values and what the chart must make of it.
type render struct {
	name   string
	values string
	// objects are the rendered objects, "Kind/name", sorted.
	objects []string
	// prefix starts every worker's name.
	prefix string
	// secret is the Secret the pods read; managed says whether the chart
	// renders it.
	secret  string
	managed bool
	// serviceAccount the pods run as.
	serviceAccount string
	// hook: the migration Job is a Helm hook.
	hook bool
	// migrateOnStart: the workers apply migrations themselves.
	migrateOnStart bool
	topicPrefix    string
	// groups are the consumer groups of the ingest and analyze workers.
	groups [2]string
	// secretValues must appear in the Secret only.
	secretValues []string
}

var renders = []render{
	{
		name: "minimal", values: "testdata/minimal.yaml",
		objects: []string{
			"ConfigMap/rel-destill",
			"Deployment/rel-destill-analyze-worker", "Deployment/rel-destill-ingest-worker",
			"Job/rel-destill-migrate",
			"PodDisruptionBudget/rel-destill-analyze-worker", "PodDisruptionBudget/rel-destill-ingest-worker",
			"Secret/rel-destill",
			"Service/rel-destill-analyze-worker", "Service/rel-destill-ingest-worker",
			"ServiceAccount/rel-destill",
		},
		prefix: "rel-destill", secret: "rel-destill", managed: true, serviceAccount: "rel-destill",
		hook: true, migrateOnStart: true, topicPrefix: "destill.", groups: [2]string{"destill-ingest", "destill-analyze"},
		secretValues: []string{"pw-minimal"},
	},
	{
		name: "production", values: "testdata/production.yaml",
		objects: []string{
			"ConfigMap/rel-destill",
			"Deployment/rel-destill-analyze-worker", "Deployment/rel-destill-ingest-worker",
			"Job/rel-destill-migrate",
			"PodDisruptionBudget/rel-destill-analyze-worker", "PodDisruptionBudget/rel-destill-ingest-worker",
			"ScaledObject/rel-destill-analyze-worker", "ScaledObject/rel-destill-ingest-worker",
			"Service/rel-destill-analyze-worker", "Service/rel-destill-ingest-worker",
			"ServiceAccount/rel-destill",
			"ServiceMonitor/rel-destill",
		},
		prefix: "rel-destill", secret: "destill-credentials", managed: false, serviceAccount: "rel-destill",
		hook: true, migrateOnStart: true, topicPrefix: "ci.destill.", groups: [2]string{"ci-destill-ingest", "destill-analyze"},
	},
	{
		name: "hpa", values: "testdata/hpa.yaml",
		objects: []string{
			"ConfigMap/destill",
			"Deployment/destill-analyze-worker", "Deployment/destill-ingest-worker",
			"HorizontalPodAutoscaler/destill-analyze-worker", "HorizontalPodAutoscaler/destill-ingest-worker",
			"Job/destill-migrate-1",
			"PodDisruptionBudget/destill-analyze-worker",
			"Secret/destill",
			"Service/destill-analyze-worker", "Service/destill-ingest-worker",
		},
		prefix: "destill", secret: "destill", managed: true, serviceAccount: "ci-runner",
		hook: false, migrateOnStart: false, topicPrefix: "destill.", groups: [2]string{"destill-ingest", "destill-analyze"},
		secretValues: []string{"pw-hpa", "bkua_hpa_token", "ghp_hpa_token", "glpat-hpa-token"},
	},
}

// TestChartDefaultsMatchTheWorkers: the chart's defaults are the workers'
// own (topic prefix, partitions, consumer groups), so KEDA watches the
// group and topic the workers really use.
func TestChartDefaultsMatchTheWorkers(t *testing.T) {
	var v struct {
		Kafka struct {
			TopicPrefix string `json:"topicPrefix"`
			Partitions  int    `json:"partitions"`
		} `json:"kafka"`
	}
	b, err := os.ReadFile(chartDir + "/values.yaml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &v))
	require.Equal(t, worker.DefaultTopicPrefix, v.Kafka.TopicPrefix)
	require.Equal(t, kafka.DefaultPartitions, v.Kafka.Partitions)
	require.Equal(t, [2]string{worker.IngestGroup, worker.AnalyzeGroup}, renders[0].groups)
	topics := worker.NewTopics("")
	require.Equal(t, "destill.requests", topics.Requests)
	require.Equal(t, "destill.chunks", topics.Chunks)
}

func TestChartLint(t *testing.T) {
	for _, r := range renders {
		t.Run(r.name, func(t *testing.T) {
			out, errOut, err := helm(t, "lint", chartDir, "--strict", "--kube-version", kubeVersion, "-f", r.values)
			require.NoError(t, err, "helm lint --strict:\n%s%s", out, errOut)
			require.Contains(t, out, "1 chart(s) linted, 0 chart(s) failed")
		})
	}
}

func TestChartTemplateDecodesStrictly(t *testing.T) {
	for _, r := range renders {
		t.Run(r.name, func(t *testing.T) {
			out, errOut, err := template(t, r.values)
			require.NoError(t, err, "helm template: %s", errOut)
			m, err := decodeManifests(out)
			require.NoError(t, err)
			got := slices.Clone(m.Objects)
			slices.Sort(got)
			require.Equal(t, r.objects, got)

			checkNamesAndLabels(t, m)
			checkWorkers(t, m, r)
			checkMigrationJob(t, m, r)
			checkServices(t, m, r)
			checkDisruptionAndScaling(t, m, r)
			checkConfig(t, m, r, out)
		})
	}
}

// TestStrictDecodingCatchesMisspelledFields proves the decode above would
// fail on a field the API does not have, at any depth.
func TestStrictDecodingCatchesMisspelledFields(t *testing.T) {
	// Between them these two renders hold every kind the chart has.
	prod, errOut, err := template(t, "testdata/production.yaml")
	require.NoError(t, err, errOut)
	hpa, errOut, err := template(t, "testdata/hpa.yaml")
	require.NoError(t, err, errOut)
	out := prod + "\n---\n" + hpa
	_, err = decodeManifests(out)
	require.NoError(t, err)
	for _, tc := range []struct{ from, to string }{
		{"readinessProbe:", "readynessProbe:"},
		{"readOnlyRootFilesystem:", "readOnlyRootFileSystem:"},
		{"maxUnavailable:", "maxUnavailible:"},
		{"scaleTargetRef:", "scaleTargetReference:"},
		{"scrapeTimeout:", "scrape_timeout:"},
		{"averageUtilization:", "averageUtilisation:"},
		{"ttlSecondsAfterFinished:", "ttlSecondAfterFinished:"},
		{"automountServiceAccountToken:", "automountServiceAccountTokens:"},
	} {
		require.Contains(t, out, tc.from)
		_, err := decodeManifests(strings.Replace(out, tc.from, tc.to, 1))
		require.ErrorContains(t, err, "unknown field", tc.to)
	}
	_, err = decodeManifests(strings.Replace(out, "kind: ConfigMap", "kind: ConfigMapp", 1))
	require.ErrorContains(t, err, "unexpected object v1 ConfigMapp")
}

// TestChartRejectsBadValues: mistakes in values stop the render with a
// message that says what to fix.
func TestChartRejectsBadValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"misspelled value", []string{"-f", "testdata/minimal.yaml", "--set", "ingestWorker.replicaCont=3"}, "additional properties 'replicaCont' not allowed"},
		{"no brokers", []string{"--set", "database.url=postgres://u:p@db/destill"}, "kafka.brokers is required"},
		{"no database", []string{"--set", "kafka.brokers=k:9092"}, "database.url is required"},
		{"not a postgres url", []string{"-f", "testdata/minimal.yaml", "--set", "database.url=mysql://db/x"}, "/database/url"},
		{"two autoscalers", []string{"-f", "testdata/minimal.yaml", "--set", "analyzeWorker.keda.enabled=true", "--set", "analyzeWorker.autoscaling.enabled=true"}, "enable autoscaling (CPU) or keda (consumer lag), not both"},
		{"bad log level", []string{"-f", "testdata/minimal.yaml", "--set", "logLevel=verbose"}, "/logLevel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, err := template(t, "", tc.args...)
			require.Error(t, err)
			require.Contains(t, errOut, tc.want)
		})
	}
}

func checkNamesAndLabels(t *testing.T, m *manifests) {
	t.Helper()
	for i, meta := range m.Meta {
		require.Empty(t, validation.IsDNS1123Subdomain(meta.Name), m.Objects[i])
		require.Equal(t, "ci", meta.Namespace, m.Objects[i])
		checkLabels(t, m.Objects[i], meta.Labels)
		require.Equal(t, "destill", meta.Labels["app.kubernetes.io/name"], m.Objects[i])
		require.Equal(t, "rel", meta.Labels["app.kubernetes.io/instance"], m.Objects[i])
	}
	for name := range m.Services {
		require.Empty(t, validation.IsDNS1035Label(name), "Service/"+name)
	}
}

func checkLabels(t *testing.T, what string, l map[string]string) {
	t.Helper()
	for k, v := range l {
		require.Empty(t, validation.IsQualifiedName(k), "%s label %q", what, k)
		require.Empty(t, validation.IsValidLabelValue(v), "%s label %s=%q", what, k, v)
	}
}

// matches reports whether sel selects pods labelled l.
func matches(t *testing.T, sel *metav1.LabelSelector, l map[string]string) bool {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(sel)
	require.NoError(t, err)
	require.False(t, s.Empty(), "an empty selector selects everything")
	return s.Matches(labels.Set(l))
}

func checkWorkers(t *testing.T, m *manifests, r render) {
	t.Helper()
	require.Len(t, m.Deployments, 2)
	for i, kind := range []string{"ingest", "analyze"} {
		name := r.prefix + "-" + kind + "-worker"
		d := m.Deployments[name]
		require.NotNil(t, d, name)
		tpl := d.Spec.Template
		require.True(t, matches(t, d.Spec.Selector, tpl.Labels), "%s: selector does not match its pods", name)
		for other, o := range m.Deployments {
			if other != name {
				require.False(t, matches(t, d.Spec.Selector, o.Spec.Template.Labels), "%s selects %s's pods", name, other)
			}
		}
		checkLabels(t, name+" pods", tpl.Labels)
		checkPod(t, m, r, name, &tpl.Spec)

		c := tpl.Spec.Containers[0]
		require.Equal(t, kind+"-worker", c.Args[0], name)
		require.Contains(t, c.Args, "--backend=kafka", name)
		require.Contains(t, c.Args, "--metrics-addr=:9090", name)
		require.Contains(t, c.Args, "--group="+r.groups[i], name)
		require.Equal(t, !r.migrateOnStart, slices.Contains(c.Args, "--no-migrate"), name)
		require.Equal(t, []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9090, Protocol: corev1.ProtocolTCP}}, c.Ports, name)
		for probe, path := range map[*corev1.Probe]string{c.LivenessProbe: "/healthz", c.ReadinessProbe: "/readyz", c.StartupProbe: "/healthz"} {
			require.NotNil(t, probe, name)
			require.Equal(t, path, probe.HTTPGet.Path, name)
			require.Equal(t, "metrics", probe.HTTPGet.Port.String(), name)
		}
		// The worker drains for up to 20s on SIGTERM before it hands work back.
		require.Greater(t, *tpl.Spec.TerminationGracePeriodSeconds, int64(20), name)
		require.Equal(t, appsv1.RollingUpdateDeploymentStrategyType, d.Spec.Strategy.Type)

		autoscaled := m.HPAs[name] != nil || m.ScaledObjects[name] != nil
		require.Equal(t, autoscaled, d.Spec.Replicas == nil, "%s: replicas must be left to the autoscaler, and only then", name)
	}
}

// checkPod checks what every destill pod must have: the hardened security
// context, resources, a writable /tmp, and environment that resolves.
func checkPod(t *testing.T, m *manifests, r render, name string, pod *corev1.PodSpec) {
	t.Helper()
	require.Equal(t, r.serviceAccount, pod.ServiceAccountName, name)
	if _, created := m.ServiceAccounts[r.serviceAccount]; !created {
		require.Equal(t, "ci-runner", r.serviceAccount, "%s: service account %s is not rendered", name, r.serviceAccount)
	}
	require.NotNil(t, pod.AutomountServiceAccountToken, name)
	require.False(t, *pod.AutomountServiceAccountToken, name)

	psc := pod.SecurityContext
	require.NotNil(t, psc, name)
	require.True(t, *psc.RunAsNonRoot, name)
	require.NotZero(t, *psc.RunAsUser, name)
	require.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, psc.SeccompProfile.Type, name)

	require.Len(t, pod.Containers, 1, name)
	c := pod.Containers[0]
	require.True(t, strings.HasPrefix(c.Image, "ghcr.io/destill-dev/destill"), c.Image)
	sc := c.SecurityContext
	require.NotNil(t, sc, name)
	require.False(t, *sc.AllowPrivilegeEscalation, name)
	require.True(t, *sc.ReadOnlyRootFilesystem, name)
	require.True(t, *sc.RunAsNonRoot, name)
	require.False(t, *sc.Privileged, name)
	require.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop, name)
	require.Empty(t, sc.Capabilities.Add, name)
	require.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, sc.SeccompProfile.Type, name)

	require.False(t, c.Resources.Requests.Cpu().IsZero(), "%s: no CPU request", name)
	require.False(t, c.Resources.Requests.Memory().IsZero(), "%s: no memory request", name)
	require.False(t, c.Resources.Limits.Memory().IsZero(), "%s: no memory limit", name)

	require.Len(t, c.EnvFrom, 2, name)
	require.NotNil(t, m.ConfigMaps[c.EnvFrom[0].ConfigMapRef.Name], "%s reads a ConfigMap that is not rendered", name)
	require.Equal(t, r.secret, c.EnvFrom[1].SecretRef.Name, name)
	require.Equal(t, r.managed, m.Secrets[r.secret] != nil, name)

	require.Equal(t, []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}}, c.VolumeMounts, name)
	require.Len(t, pod.Volumes, 1, name)
	require.Equal(t, "tmp", pod.Volumes[0].Name)
	require.NotNil(t, pod.Volumes[0].EmptyDir, name)
}

func checkMigrationJob(t *testing.T, m *manifests, r render) {
	t.Helper()
	require.Len(t, m.Jobs, 1)
	for name, j := range m.Jobs {
		checkPod(t, m, r, name, &j.Spec.Template.Spec)
		require.Equal(t, []string{"migrate"}, j.Spec.Template.Spec.Containers[0].Args)
		require.Equal(t, corev1.RestartPolicyNever, j.Spec.Template.Spec.RestartPolicy)
		require.NotNil(t, j.Spec.BackoffLimit)
		require.NotNil(t, j.Spec.ActiveDeadlineSeconds)
		if r.hook {
			require.Equal(t, "post-install,pre-upgrade", j.Annotations["helm.sh/hook"], name)
			require.Contains(t, j.Annotations["helm.sh/hook-delete-policy"], "before-hook-creation", name)
		} else {
			require.Empty(t, j.Annotations["helm.sh/hook"], name)
			require.NotNil(t, j.Spec.TTLSecondsAfterFinished, "%s: a plain Job must clean itself up", name)
		}
	}
}

// checkServices: each Service selects exactly one worker and its metrics
// port; the ServiceMonitor, if any, scrapes both.
func checkServices(t *testing.T, m *manifests, r render) {
	t.Helper()
	require.Len(t, m.Services, 2)
	for name, s := range m.Services {
		var selected []string
		for dn, d := range m.Deployments {
			if labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
				selected = append(selected, dn)
			}
		}
		require.Equal(t, []string{name}, selected, "Service %s selects the wrong pods", name)
		require.Len(t, s.Spec.Ports, 1)
		p := s.Spec.Ports[0]
		require.Equal(t, "metrics", p.Name)
		require.Equal(t, "metrics", p.TargetPort.String(), "target the named container port")
	}
	for name, sm := range m.ServiceMonitors {
		for sn, s := range m.Services {
			require.True(t, matches(t, &sm.Spec.Selector, s.Labels), "ServiceMonitor %s misses Service %s", name, sn)
		}
		require.Len(t, sm.Spec.Endpoints, 1)
		require.Equal(t, "metrics", sm.Spec.Endpoints[0].Port)
		require.Equal(t, "/metrics", sm.Spec.Endpoints[0].Path)
		require.Equal(t, "prometheus", sm.Labels["release"], "labels from metrics.serviceMonitor.labels")
	}
}

func checkDisruptionAndScaling(t *testing.T, m *manifests, r render) {
	t.Helper()
	for name, p := range m.PDBs {
		d := m.Deployments[name]
		require.NotNil(t, d, "PodDisruptionBudget %s has no Deployment of that name", name)
		require.True(t, matches(t, p.Spec.Selector, d.Spec.Template.Labels), name)
		require.NotNil(t, p.Spec.MaxUnavailable, name)
	}
	for name, h := range m.HPAs {
		require.Equal(t, "Deployment", h.Spec.ScaleTargetRef.Kind)
		require.Equal(t, "apps/v1", h.Spec.ScaleTargetRef.APIVersion)
		require.NotNil(t, m.Deployments[h.Spec.ScaleTargetRef.Name], name)
		require.LessOrEqual(t, *h.Spec.MinReplicas, h.Spec.MaxReplicas, name)
		require.Len(t, h.Spec.Metrics, 1)
		require.Equal(t, corev1.ResourceCPU, h.Spec.Metrics[0].Resource.Name)
	}
	brokers := m.ConfigMaps[r.prefix].Data["DESTILL_KAFKA_BROKERS"]
	for name, so := range m.ScaledObjects {
		d := m.Deployments[so.Spec.ScaleTargetRef.Name]
		require.NotNil(t, d, name)
		require.LessOrEqual(t, *so.Spec.MinReplicaCount, *so.Spec.MaxReplicaCount, name)
		require.Len(t, so.Spec.Triggers, 1)
		tr := so.Spec.Triggers[0]
		require.Equal(t, "kafka", tr.Type)
		for k := range tr.Metadata {
			require.True(t, kafkaScalerMetadata[k], "%s: KEDA's kafka scaler has no metadata key %q", name, k)
		}
		args := d.Spec.Template.Spec.Containers[0].Args
		require.Contains(t, args, "--group="+tr.Metadata["consumerGroup"], "%s scales on another group than its workers join", name)
		topic := r.topicPrefix + map[string]string{"ingest-worker": "requests", "analyze-worker": "chunks"}[args[0]]
		require.Equal(t, topic, tr.Metadata["topic"], name)
		require.Equal(t, brokers, tr.Metadata["bootstrapServers"], name)
		require.Equal(t, "earliest", tr.Metadata["offsetResetPolicy"], "workers start a new group at the oldest message")
	}
}

// checkConfig: the ConfigMap carries the non-secret settings; secrets are
// in the Secret and nowhere else.
func checkConfig(t *testing.T, m *manifests, r render, rendered string) {
	t.Helper()
	cm := m.ConfigMaps[r.prefix]
	require.NotNil(t, cm)
	require.NotEmpty(t, cm.Data["DESTILL_KAFKA_BROKERS"])
	require.Equal(t, r.topicPrefix, cm.Data["DESTILL_TOPIC_PREFIX"])
	require.Equal(t, "json", cm.Data["DESTILL_LOG_FORMAT"])
	for k := range cm.Data {
		require.NotContains(t, []string{"DESTILL_DATABASE_URL", "BUILDKITE_API_TOKEN", "GITHUB_TOKEN", "GITLAB_TOKEN", "JENKINS_API_TOKEN"}, k, "a secret in the ConfigMap")
	}
	if r.managed {
		s := m.Secrets[r.secret]
		require.True(t, strings.HasPrefix(s.StringData["DESTILL_DATABASE_URL"], "postgres://"))
		for k, v := range s.StringData {
			require.NotEmpty(t, v, "Secret key %s is empty: leave unset tokens out", k)
		}
	}
	for _, v := range r.secretValues {
		require.Equal(t, 1, strings.Count(rendered, v), "%q must appear once, in the Secret", v)
	}
}
