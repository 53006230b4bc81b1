{{/*
The chart name, shortened to the 63 characters a Kubernetes label value allows.
*/}}
{{- define "delivery.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of every object of a release. A release named after the service and its
version (side-by-side installs such as delivery-v0-1-0 and delivery-v0-2-0) is used as
is; any other release name is prefixed to the chart name.
*/}}
{{- define "delivery.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if hasPrefix (include "delivery.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "delivery.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
Chart name and version for the helm.sh/chart label. Label values cannot hold "+",
so SemVer build metadata is written with "_" instead.
*/}}
{{- define "delivery.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The image reference: repository, tag (default "v" + appVersion) and optional digest.
*/}}
{{- define "delivery.image" -}}
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
{{- define "delivery.selectorLabels" -}}
app.kubernetes.io/name: {{ include "delivery.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels put on every object.
*/}}
{{- define "delivery.labels" -}}
helm.sh/chart: {{ include "delivery.chart" . }}
{{ include "delivery.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | replace "+" "_" | quote }}
app.kubernetes.io/part-of: drone-delivery
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
