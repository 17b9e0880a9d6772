{{/*
Named templates shared by every resource of every service.

Templates that take a service context expect a dict with:
  root  the chart's root context ($)
  name  the service name (applications, consent, linkage, anonymization, delivery)
  svc   the service's merged values (from hap.serviceValues)
Each resource file builds that context in a loop over hap.serviceNames.
*/}}

{{- define "hap.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Release-wide name prefix. A release name that already contains the chart
name is used as it is, so `helm install hap` names resources hap-consent
rather than hap-hap-consent.
*/}}
{{- define "hap.fullname" -}}
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

{{- define "hap.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object of the release. part-of=hap is what the PostgreSQL
and RabbitMQ network policies in k8s/base admit.
*/}}
{{- define "hap.commonLabels" -}}
helm.sh/chart: {{ include "hap.chart" . }}
app.kubernetes.io/name: {{ include "hap.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: hap
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Name of one service's objects, for example hap-consent. */}}
{{- define "hap.componentName" -}}
{{- printf "%s-%s" (include "hap.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hap.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hap.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "hap.labels" -}}
{{ include "hap.commonLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* JSON list of the enabled services, in alphabetical order. */}}
{{- define "hap.serviceNames" -}}
{{- $names := list }}
{{- range $name, $service := .Values.services }}
{{- if and $service (ne (toString $service.enabled) "false") }}
{{- $names = append $names $name }}
{{- end }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/*
Deep merge of .src into .dst, changing .dst in place. Unlike sprig's
mergeOverwrite, a false, 0 or "" in .src replaces the value in .dst, so a
service can turn off a default that is on.
*/}}
{{- define "hap.mergeInto" -}}
{{- $dst := .dst }}
{{- range $key, $value := .src }}
{{- $current := get $dst $key }}
{{- if and (kindIs "map" $value) (kindIs "map" $current) }}
{{- include "hap.mergeInto" (dict "dst" $current "src" $value) }}
{{- else }}
{{- $_ := set $dst $key $value }}
{{- end }}
{{- end }}
{{- end }}

{{/*
JSON of one service's values: the defaults at the top of values.yaml with
services.<name> merged over them. Takes dict "root" $ "name" NAME.
*/}}
{{- define "hap.serviceValues" -}}
{{- $defaults := pick .root.Values
  "image" "imagePullSecrets" "replicaCount" "serviceAccount" "podAnnotations"
  "podLabels" "podSecurityContext" "securityContext" "httpPort" "service"
  "ingress" "resources" "tmpSizeLimit" "livenessProbe" "readinessProbe"
  "startupProbe" "autoscaling" "podDisruptionBudget" "strategy"
  "terminationGracePeriodSeconds" "priorityClassName" "nodeSelector"
  "tolerations" "affinity" "topologySpreadConstraints" "config" "extraEnv"
  "database" "migrations" "networkPolicy" }}
{{- $merged := deepCopy $defaults }}
{{- $overrides := index .root.Values.services .name | default dict }}
{{- include "hap.mergeInto" (dict "dst" $merged "src" (deepCopy $overrides)) }}
{{- toJson $merged }}
{{- end }}

{{/* Image reference. A digest takes precedence over the tag. */}}
{{- define "hap.image" -}}
{{- $image := .svc.image }}
{{- $repository := required (printf "services.%s.image.repository is missing: set the image repository, for example hap-%s" .name .name) $image.repository }}
{{- if $image.registry }}
{{- $repository = printf "%s/%s" (trimSuffix "/" $image.registry) $repository }}
{{- end }}
{{- if $image.digest }}
{{- printf "%s@%s" $repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default .root.Chart.AppVersion $image.tag) }}
{{- end }}
{{- end }}

{{- define "hap.serviceAccountName" -}}
{{- if .svc.serviceAccount.create }}
{{- default (include "hap.componentName" .) .svc.serviceAccount.name }}
{{- else }}
{{- default "default" .svc.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "hap.workClaimName" -}}
{{- default (printf "%s-work" (include "hap.fullname" .)) .Values.stores.work.existingClaim }}
{{- end }}

{{- define "hap.deliveryClaimName" -}}
{{- default (printf "%s-delivery" (include "hap.fullname" .)) .Values.stores.delivery.existingClaim }}
{{- end }}

{{/*
Store flags of one service: work, registry, delivery. Missing flags are
false.
*/}}
{{- define "hap.storeFlags" -}}
{{- $stores := .svc.stores | default dict }}
{{- toJson (dict "work" (eq (toString $stores.work) "true") "registry" (eq (toString $stores.registry) "true") "delivery" (eq (toString $stores.delivery) "true")) }}
{{- end }}

{{/*
Rejects values that would render a broken or unsafe deployment, with a
message that names the value to change.
*/}}
{{- define "hap.validate" -}}
{{- $stores := include "hap.storeFlags" . | fromJson -}}
{{- if and $stores.registry (ne .name "linkage") }}
{{- fail (printf "services.%s.stores.registry is true: only the linkage service may mount the registry store, because it contains identity numbers. Remove the setting" .name) }}
{{- end }}
{{- if not .svc.database.existingSecret }}
{{- fail (printf "services.%s.database.existingSecret is empty: set the name of the secret that contains the service's database URL" .name) }}
{{- end }}
{{- if and .svc.ingress.enabled (not .svc.ingress.hosts) }}
{{- fail (printf "services.%s.ingress.enabled is true but ingress.hosts is empty: add at least one host" .name) }}
{{- end }}
{{- if and .svc.autoscaling.enabled (not .svc.autoscaling.targetCPUUtilizationPercentage) (not .svc.autoscaling.targetMemoryUtilizationPercentage) }}
{{- fail (printf "services.%s.autoscaling.enabled is true but neither targetCPUUtilizationPercentage nor targetMemoryUtilizationPercentage is set" .name) }}
{{- end }}
{{- range $envName, $ref := .svc.secretEnv }}
{{- if or (not $ref.existingSecret) (not $ref.secretKey) }}
{{- fail (printf "services.%s.secretEnv.%s needs both existingSecret and secretKey" $.name $envName) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
HAP__* settings of one service (ConfigMap data, and the migration Job's
environment), as YAML. Every value is a string.
*/}}
{{- define "hap.configData" -}}
{{- $root := .root }}
{{- $svc := .svc }}
{{- $stores := include "hap.storeFlags" . | fromJson -}}
{{- $data := dict
  "HAP__HTTP__PORT" (toString $svc.httpPort)
  "HAP__DATABASE__POOL_SIZE" (toString $svc.database.poolSize)
  "HAP__DATABASE__MIGRATE_ON_START" (ternary "false" "true" (eq (toString $svc.migrations.enabled) "true"))
  "HAP__BROKER__NAMESPACE" $root.Values.broker.namespace
  "HAP__TELEMETRY__FORMAT" $root.Values.telemetry.format
  "HAP__TELEMETRY__FILTER" $root.Values.telemetry.filter
  "HAP__AUTH__AUDIENCE" $root.Values.auth.audience
  "HAP__AUTH__ROLES_CLAIM" $root.Values.auth.rolesClaim
  "HAP__AUTH__REGISTRIES_CLAIM" $root.Values.auth.registriesClaim }}
{{- with $root.Values.telemetry.otlpEndpoint }}
{{- $_ := set $data "HAP__TELEMETRY__OTLP_ENDPOINT" . }}
{{- end }}
{{- with $root.Values.auth.issuer }}
{{- $_ := set $data "HAP__AUTH__ISSUER" . }}
{{- end }}
{{- if $stores.work }}
{{- $_ := set $data "HAP__STORE__WORK_DIR" $root.Values.stores.work.mountPath }}
{{- end }}
{{- if $stores.registry }}
{{- $_ := set $data "HAP__STORE__REGISTRY_DIR" $root.Values.stores.registry.mountPath }}
{{- end }}
{{- if $stores.delivery }}
{{- $_ := set $data "HAP__STORE__DELIVERY_DIR" $root.Values.stores.delivery.mountPath }}
{{- end }}
{{- range $callee := (index $root.Values.services .name).calls | default list }}
{{- $calleeValues := include "hap.serviceValues" (dict "root" $root "name" $callee) | fromJson }}
{{- $url := printf "http://%s:%v" (include "hap.componentName" (dict "root" $root "name" $callee)) $calleeValues.service.port }}
{{- $_ := set $data (printf "HAP__%s__%s__URL" (upper $.name) (upper $callee)) $url }}
{{- end }}
{{- range $key, $value := $svc.config }}
{{- $_ := set $data $key (toString $value) }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/* Environment variables read from existing secrets, as an EnvVar list. */}}
{{- define "hap.secretEnv" -}}
- name: HAP__DATABASE__URL
  valueFrom:
    secretKeyRef:
      name: {{ .svc.database.existingSecret }}
      key: {{ .svc.database.secretKey }}
- name: HAP__BROKER__URL
  valueFrom:
    secretKeyRef:
      name: {{ required "broker.existingSecret is empty: set the name of the secret that contains the AMQP URL" .root.Values.broker.existingSecret }}
      key: {{ .root.Values.broker.secretKey }}
{{- if .root.Values.auth.devIssuer.enabled }}
- name: HAP__AUTH__DEV_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ required "auth.devIssuer.enabled is true but auth.devIssuer.existingSecret is empty: set the secret name or turn the development issuer off" .root.Values.auth.devIssuer.existingSecret }}
      key: {{ .root.Values.auth.devIssuer.secretKey }}
{{- end }}
{{- range $envName, $ref := .svc.secretEnv }}
- name: {{ $envName }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.existingSecret }}
      key: {{ $ref.secretKey }}
{{- end }}
{{- end }}

{{/* Volumes of one service's pods. */}}
{{- define "hap.volumes" -}}
{{- $stores := include "hap.storeFlags" . | fromJson -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .svc.tmpSizeLimit }}
{{- if $stores.work }}
- name: work
  persistentVolumeClaim:
    claimName: {{ include "hap.workClaimName" .root }}
{{- end }}
{{- if $stores.registry }}
- name: registry
  persistentVolumeClaim:
    claimName: {{ required "stores.registry.existingClaim is empty: the linkage service needs the claim that holds the registry extracts" .root.Values.stores.registry.existingClaim }}
    readOnly: true
{{- end }}
{{- if $stores.delivery }}
- name: delivery
  persistentVolumeClaim:
    claimName: {{ include "hap.deliveryClaimName" .root }}
{{- end }}
{{- end }}

{{- define "hap.volumeMounts" -}}
{{- $stores := include "hap.storeFlags" . | fromJson -}}
- name: tmp
  mountPath: /tmp
{{- if $stores.work }}
- name: work
  mountPath: {{ .root.Values.stores.work.mountPath }}
{{- end }}
{{- if $stores.registry }}
- name: registry
  mountPath: {{ .root.Values.stores.registry.mountPath }}
  readOnly: true
{{- end }}
{{- if $stores.delivery }}
- name: delivery
  mountPath: {{ .root.Values.stores.delivery.mountPath }}
{{- end }}
{{- end }}

{{/*
One NetworkPolicy egress rule: TCP to .port at .peers. An empty peer list
leaves out `to`, which allows any destination on that port.
*/}}
{{- define "hap.egressRule" -}}
- ports:
    - port: {{ .port }}
      protocol: TCP
  {{- with .peers }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* Egress rule to the cluster DNS, over UDP and TCP. */}}
{{- define "hap.dnsEgressRule" -}}
- to:
    - namespaceSelector:
        {{- toYaml .Values.networkPolicy.dns.namespaceSelector | nindent 8 }}
      podSelector:
        {{- toYaml .Values.networkPolicy.dns.podSelector | nindent 8 }}
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end }}

{{/* Pod-level settings shared by a service's Deployment and migration Job. */}}
{{- define "hap.podCommon" -}}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .svc.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .svc.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .svc.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .svc.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .svc.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .svc.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
