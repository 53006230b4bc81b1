{{/*
The chart name, shortened to the 63 characters a Kubernetes label value allows.
*/}}
{{- define "dronescheduler.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of every object of a release. A release named after the service and its
version (side-by-side installs such as dronescheduler-v0-1-0 and dronescheduler-v0-2-0) is used as
is; any other release name is prefixed to the chart name.
*/}}
{{- define "dronescheduler.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if hasPrefix (include "dronescheduler.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "dronescheduler.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
Chart name and version for the helm.sh/chart label. Label values cannot hold "+",
so SemVer build metadata is written with "_" instead.
*/}}
{{- define "dronescheduler.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The image reference: repository, tag (default "v" + appVersion) and optional digest.
*/}}
{{- define "dronescheduler.image" -}}
{{- $tag := .Values.image.tag | default (printf "v%s" .Chart.AppVersion) -}}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
Labels that select the pods of one release.
*/}}
{{- define "dronescheduler.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dronescheduler.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels put on every object.
*/}}
{{- define "dronescheduler.labels" -}}
helm.sh/chart: {{ include "dronescheduler.chart" . }}
{{ include "dronescheduler.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | replace "+" "_" | quote }}
app.kubernetes.io/part-of: drone-delivery
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
