{{/* Chart name, or nameOverride. */}}
{{- define "destill.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: release-chart unless the release name already holds the chart's. */}}
{{- define "destill.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "destill.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "destill.labels" -}}
helm.sh/chart: {{ include "destill.chart" . }}
{{ include "destill.selectorLabels" . }}
app.kubernetes.io/version: {{ include "destill.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: destill
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "destill.selectorLabels" -}}
app.kubernetes.io/name: {{ include "destill.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "destill.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "destill.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "destill.imageTag" .) }}
{{- end }}
{{- end }}

{{- define "destill.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "destill.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding DESTILL_DATABASE_URL and the tokens. */}}
{{- define "destill.secretName" -}}
{{- .Values.existingSecret | default (include "destill.fullname" .) }}
{{- end }}

{{- define "destill.configMapName" -}}
{{- include "destill.fullname" . }}
{{- end }}

{{/*
Worker helpers take a dict: root (the top context) and kind ("ingest" or "analyze").
*/}}
{{- define "destill.worker.values" -}}
{{- index .root.Values (printf "%sWorker" .kind) | toYaml }}
{{- end }}

{{- define "destill.worker.name" -}}
{{- printf "%s-%s-worker" (include "destill.fullname" .root) .kind | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "destill.worker.component" -}}
{{- printf "%s-worker" .kind }}
{{- end }}

{{- define "destill.worker.selectorLabels" -}}
{{ include "destill.selectorLabels" .root }}
app.kubernetes.io/component: {{ include "destill.worker.component" . }}
{{- end }}

{{- define "destill.worker.labels" -}}
{{ include "destill.labels" .root }}
app.kubernetes.io/component: {{ include "destill.worker.component" . }}
{{- end }}

{{/* The consumer group the worker joins. */}}
{{- define "destill.worker.group" -}}
{{- $v := index .root.Values (printf "%sWorker" .kind) }}
{{- $v.consumerGroup | default (printf "destill-%s" .kind) }}
{{- end }}

{{/* The topic the worker consumes. */}}
{{- define "destill.worker.topic" -}}
{{- printf "%s%s" .root.Values.kafka.topicPrefix (ternary "requests" "chunks" (eq .kind "ingest")) }}
{{- end }}

{{/* Fails the render when autoscalers would fight over a Deployment. */}}
{{- define "destill.worker.validate" -}}
{{- $v := index .root.Values (printf "%sWorker" .kind) }}
{{- if and $v.autoscaling.enabled $v.keda.enabled }}
{{- fail (printf "%sWorker: enable autoscaling (CPU) or keda (consumer lag), not both: KEDA manages its own HorizontalPodAutoscaler" .kind) }}
{{- end }}
{{- end }}

{{/* Environment of every destill container. */}}
{{- define "destill.envFrom" -}}
- configMapRef:
    name: {{ include "destill.configMapName" . }}
- secretRef:
    name: {{ include "destill.secretName" . }}
{{- end }}

{{/* The /tmp volume: the root filesystem is read-only. */}}
{{- define "destill.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end }}

{{- define "destill.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* Checks that hold for every render. */}}
{{- define "destill.validate" -}}
{{- if not .Values.kafka.brokers }}
{{- fail "kafka.brokers is required: --set kafka.brokers=kafka-0.kafka:9092[,...]" }}
{{- end }}
{{- if and (not .Values.existingSecret) (not .Values.database.url) }}
{{- fail "database.url is required (postgres://user:password@host:5432/db), or existingSecret naming a Secret with DESTILL_DATABASE_URL" }}
{{- end }}
{{- end }}
