"""Kubernetes manifests: every overlay renders, validates and keeps its hardening promises.

Each overlay under k8s/overlays is rendered with ``kubectl kustomize``; built-in kinds are
validated (strictly: unknown fields fail) against the Kubernetes 1.30 and newest schemas of
``kubernetes-validate``; CloudNativePG resources, which those schemas do not cover, are checked
structurally. Every check returns the problems it finds, and the mutation tests at the end break
one manifest property at a time to prove that the check catches it.
"""

from __future__ import annotations

import copy
import functools
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from infra.tenancy import SLUG_PATTERN

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = sorted(p.parent.name for p in (ROOT / "k8s/overlays").glob("*/kustomization.yaml"))
DEPLOY_DOC = ROOT / "docs/deployment.md"
K8S_VERSIONS = ("1.30", kubernetes_validate.latest_version())
CNPG = "postgresql.cnpg.io/v1"
POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
LONG_RUNNING = {"Deployment", "StatefulSet", "DaemonSet"}
# Keys of the Secret CloudNativePG generates as <cluster>-app.
CNPG_APP_KEYS = {"username", "password", "host", "port", "dbname", "uri", "jdbc-uri", "pgpass"}
CLUSTER_FIELDS = {
    "instances",
    "imageName",
    "primaryUpdateStrategy",
    "enableSuperuserAccess",
    "bootstrap",
    "postgresql",
    "storage",
    "walStorage",
    "affinity",
    "resources",
    "monitoring",
    "backup",
    "description",
    "minSyncReplicas",
    "maxSyncReplicas",
    "superuserSecret",
    "certificates",
}
SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|KEY|_URL$")  # env names whose value is a credential
Objs = list[dict[str, Any]]


@functools.cache
def _render(overlay: str) -> str:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        if os.environ.get("CI") == "true":
            pytest.fail("kubectl is required in CI to render k8s/overlays")
        pytest.skip("kubectl is not installed (mandatory when CI=true)")
    path = ROOT / "k8s/overlays" / overlay
    done = subprocess.run([kubectl, "kustomize", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def render(overlay: str) -> Objs:
    return [d for d in yaml.safe_load_all(_render(overlay)) if d]


@pytest.fixture(params=OVERLAYS)
def objs(request: pytest.FixtureRequest) -> Objs:
    return render(request.param)


# --- accessors -----------------------------------------------------------------------------


def find(objs: Objs, kind: str, name: str | None = None) -> list[dict[str, Any]]:
    return [o for o in objs if o["kind"] == kind and name in (None, o["metadata"]["name"])]


def one(objs: Objs, kind: str, name: str) -> dict[str, Any]:
    (found,) = find(objs, kind, name)
    return found


def pod_template(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]
    return spec["template"]  # type: ignore[no-any-return]  # parsed YAML is untyped


def workloads(objs: Objs) -> Iterator[dict[str, Any]]:
    return (o for o in objs if o["kind"] in POD_KINDS)


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod.get("containers", [])]


def chibo(objs: Objs, command: str) -> dict[str, Any]:
    """The Deployment whose container runs ``chibo <command>``."""
    (found,) = [
        o
        for o in find(objs, "Deployment")
        if pod_template(o)["spec"]["containers"][0].get("args") == [command]
    ]
    return found


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        ok = {
            "In": labels.get(key) in values,
            "NotIn": labels.get(key) not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[op]
        if not ok:
            return False
    return True


def quantity(value: str | int) -> float:
    text = str(value)
    units = {
        "m": 1e-3,
        "Ki": 2**10,
        "Mi": 2**20,
        "Gi": 2**30,
        "Ti": 2**40,
        "k": 1e3,
        "M": 1e6,
        "G": 1e9,
    }
    for unit, factor in units.items():
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


# --- checks (each returns problems) ---------------------------------------------------------


def schema_problems(objs: Objs) -> list[str]:
    problems = []
    for obj in objs:
        if obj["apiVersion"] == CNPG:
            continue
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = ".".join(map(str, error.path))
                problems.append(
                    f"{obj['kind']}/{obj['metadata']['name']} {version} {path}: {error.message}"
                )
            except kubernetes_validate.SchemaNotFoundError as error:
                problems.append(error.message)
    return problems + cnpg_problems(objs)


def cnpg_problems(objs: Objs) -> list[str]:
    problems = [
        f"unknown CloudNativePG kind {o['kind']}"
        for o in objs
        if o["apiVersion"] == CNPG and o["kind"] not in {"Cluster", "ScheduledBackup", "Pooler"}
    ]
    problems += pooler_problems(objs)
    clusters = find(objs, "Cluster")
    for cluster in clusters:
        spec, name = cluster["spec"], cluster["metadata"]["name"]
        problems += [f"Cluster {name}: unknown field {key}" for key in set(spec) - CLUSTER_FIELDS]
        problems += sizing_problems(f"Cluster {name}", spec, spec.get("postgresql", {}))
        initdb = spec.get("bootstrap", {}).get("initdb", {})
        if not (initdb.get("database") and initdb.get("owner")):
            problems.append(f"Cluster {name}: bootstrap.initdb needs database and owner")
        if not spec.get("storage", {}).get("size"):
            problems.append(f"Cluster {name}: storage.size is required")
        if not isinstance(spec.get("monitoring"), dict):
            problems.append(f"Cluster {name}: monitoring section missing")
        resources = spec.get("resources", {})
        if not (resources.get("requests") and resources.get("limits")):
            problems.append(f"Cluster {name}: resources need requests and limits")
        if not re.search(r":\d+(\.\d+)*$", spec.get("imageName", "")):
            problems.append(f"Cluster {name}: imageName must pin a PostgreSQL version")
    for backup in find(objs, "ScheduledBackup"):
        target = [c for c in clusters if c["metadata"]["name"] == backup["spec"]["cluster"]["name"]]
        if not target or "backup" not in target[0]["spec"]:
            problems.append(f"ScheduledBackup {backup['metadata']['name']}: no Cluster with backup")
        if len(backup["spec"]["schedule"].split()) != 6:
            problems.append(
                "ScheduledBackup: CloudNativePG schedules have six fields (seconds first)"
            )
    return problems


def hardening_problems(objs: Objs) -> list[str]:
    problems = []
    accounts = {o["metadata"]["name"] for o in find(objs, "ServiceAccount")}
    for obj in workloads(objs):
        pod = pod_template(obj)["spec"]
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        pod_sc = pod.get("securityContext", {})
        if pod.get("automountServiceAccountToken") is not False:
            problems.append(f"{where}: automountServiceAccountToken must be false")
        if pod.get("serviceAccountName") not in accounts:
            problems.append(f"{where}: must run under one of its own ServiceAccounts")
        problems += [
            f"{where}: {flag}" for flag in ("hostNetwork", "hostPID", "hostIPC") if pod.get(flag)
        ]
        tmp_volumes = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
        for c in containers(pod):
            at = f"{where}/{c['name']}"
            sc = {**pod_sc, **c.get("securityContext", {})}
            if sc.get("runAsNonRoot") is not True or sc.get("runAsUser") == 0:
                problems.append(f"{at}: must run as non-root")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{at}: root filesystem must be read-only")
            if sc.get("allowPrivilegeEscalation") is not False or sc.get("privileged"):
                problems.append(f"{at}: privilege escalation must be off")
            caps = sc.get("capabilities", {})
            if "ALL" not in caps.get("drop", []) or caps.get("add"):
                problems.append(f"{at}: capabilities must drop ALL and add none")
            if sc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
                problems.append(f"{at}: seccomp profile must be RuntimeDefault")
            if not any(
                m["mountPath"] == "/tmp" and m["name"] in tmp_volumes
                for m in c.get("volumeMounts", [])
            ):
                problems.append(f"{at}: /tmp must be a writable emptyDir")
            res = c.get("resources", {})
            for kind in ("cpu", "memory"):
                req, lim = res.get("requests", {}).get(kind), res.get("limits", {}).get(kind)
                if req is None or lim is None:
                    problems.append(f"{at}: {kind} request and limit required")
                elif quantity(req) > quantity(lim):
                    problems.append(f"{at}: {kind} request above its limit")
            image = c.get("image", "")
            if not re.search(
                r"(:[\w.-]+|@sha256:[0-9a-f]{64})$", image.rsplit("/", 1)[-1]
            ) or image.endswith(":latest"):
                problems.append(f"{at}: image {image!r} must be pinned (no :latest)")
            if obj["kind"] in LONG_RUNNING and c in pod.get("containers", []):
                if "livenessProbe" not in c:
                    problems.append(f"{at}: long-running container needs a livenessProbe")
                if c.get("ports") and "readinessProbe" not in c:
                    problems.append(f"{at}: a container serving ports needs a readinessProbe")
    return problems


def selector_problems(objs: Objs) -> list[str]:
    """PodDisruptionBudgets, Services and autoscalers must hit real workloads."""
    templates = [pod_template(o)["metadata"].get("labels", {}) for o in workloads(objs)]
    problems = [
        f"PDB {p['metadata']['name']} selects no pods"
        for p in find(objs, "PodDisruptionBudget")
        if not any(selects(p["spec"]["selector"], t) for t in templates)
    ]
    problems += [
        f"Service {s['metadata']['name']} selects no pods"
        for s in find(objs, "Service")
        if not any(selects({"matchLabels": s["spec"]["selector"]}, t) for t in templates)
    ]
    for hpa in find(objs, "HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        if not find(objs, ref["kind"], ref["name"]):
            problems.append(f"HPA {hpa['metadata']['name']} targets missing {ref['name']}")
    return problems


def health_paths() -> set[str]:
    from services import meta

    return {
        path for handler in meta.ROUTES if "GET" in handler.http_methods for path in handler.paths
    }


def app_problems(objs: Objs) -> list[str]:
    problems = []
    api, worker = chibo(objs, "serve"), chibo(objs, "worker")
    if "replicas" in api["spec"]:
        problems.append("API replicas belong to the HorizontalPodAutoscaler, not the Deployment")
    hpas = [
        h
        for h in find(objs, "HorizontalPodAutoscaler")
        if h["spec"]["scaleTargetRef"]["name"] == api["metadata"]["name"]
    ]
    if not hpas or hpas[0]["spec"].get("minReplicas", 1) < 2:
        problems.append("the API needs an autoscaler keeping at least two replicas")
    container = pod_template(api)["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    for probe in ("livenessProbe", "readinessProbe"):
        get = container.get(probe, {}).get("httpGet", {})
        if (
            get.get("path") not in health_paths()
            or ports.get(get.get("port"), get.get("port")) != 8000
        ):
            problems.append(f"API {probe} must GET a health route on port 8000")
    for deployment in (api, worker):
        labels = pod_template(deployment)["metadata"]["labels"]
        if not any(
            selects(p["spec"]["selector"], labels) for p in find(objs, "PodDisruptionBudget")
        ):
            problems.append(f"{deployment['metadata']['name']} needs a PodDisruptionBudget")
        problems += env_problems(objs, pod_template(deployment)["spec"]["containers"][0])
    (job,) = find(objs, "Job")
    if "chibo tenant create" not in " ".join(pod_template(job)["spec"]["containers"][0]["args"]):
        problems.append("the provisioning Job must run chibo tenant create")
    for line in provinces(objs).splitlines():
        if line.strip() and not line.startswith("#"):
            slug, _, name = line.partition("|")
            if not SLUG_PATTERN.fullmatch(slug) or not name.strip():
                problems.append(f"provinces.txt: bad line {line!r}")
    return problems


def sizing_problems(what: str, spec: dict[str, Any], server: dict[str, Any]) -> list[str]:
    """A CloudNativePG Cluster's or Pooler's instance count, and its server's parameters, which
    the operator takes only as strings."""
    problems = [
        f"{what}: parameter {k} must be a string"
        for k, v in server.get("parameters", {}).items()
        if not isinstance(v, str)
    ]
    if not isinstance(spec.get("instances"), int) or spec["instances"] < 1:
        problems.insert(0, f"{what}: instances must be a positive integer")
    return problems


def pooler_problems(objs: Objs) -> list[str]:
    """PgBouncer in transaction mode before the read-write service of a Cluster, and Chibo's
    processes pointed at it (issue 14 §1)."""
    poolers = find(objs, "Pooler")
    clusters = {c["metadata"]["name"] for c in find(objs, "Cluster")}
    problems = [] if poolers else ["no Pooler (PgBouncer) in front of PostgreSQL"]
    for pooler in poolers:
        spec, name = pooler["spec"], pooler["metadata"]["name"]
        if spec.get("cluster", {}).get("name") not in clusters:
            problems.append(f"Pooler {name}: cluster.name names no Cluster")
        if spec.get("type") != "rw":
            problems.append(f"Pooler {name}: type must be rw (writes go through it)")
        if spec.get("pgbouncer", {}).get("poolMode") != "transaction":
            problems.append(f"Pooler {name}: pgbouncer.poolMode must be transaction")
        problems += sizing_problems(f"Pooler {name}", spec, spec.get("pgbouncer", {}))
    config: dict[str, str] = {}
    for map_ in find(objs, "ConfigMap"):
        if map_["metadata"]["name"].startswith("chibo-config"):  # kustomize adds a hash
            config |= map_.get("data", {})
    if poolers and config.get("CHIBO_POOLER_HOST") not in {p["metadata"]["name"] for p in poolers}:
        problems.append("CHIBO_POOLER_HOST must name the Pooler's service")
    return problems


def env_problems(objs: Objs, container: dict[str, Any]) -> list[str]:
    """The settings infra/settings.py reads, from where the deployment brief says."""
    env = {e["name"]: e for e in container.get("env", [])}
    config: dict[str, str] = {}
    for source in container.get("envFrom", []):
        config |= one(objs, "ConfigMap", source["configMapRef"]["name"]).get("data", {})
    expected = {"CHIBO_HOST": "0.0.0.0", "CHIBO_PORT": "8000", "CHIBO_DATA_DIR": "/tmp/chibo"}
    problems = [
        f"{container['name']}: {k} must be {v}" for k, v in expected.items() if config.get(k) != v
    ]
    clusters = {f"{c['metadata']['name']}-app" for c in find(objs, "Cluster")}
    wanted = {
        "DATABASE_URL": (clusters, {"uri"}),
        "BROKER_URL": (None, None),
        "CHIBO_JWT_SECRET": (None, None),
    }
    for name, (secrets, keys) in wanted.items():
        ref = env.get(name, {}).get("valueFrom", {}).get("secretKeyRef")
        if (
            ref is None
            or (secrets and ref["name"] not in secrets)
            or (keys and ref["key"] not in keys)
        ):
            problems.append(f"{container['name']}: {name} must come from its Secret")
    return problems


def provinces(objs: Objs) -> str:
    (job,) = find(objs, "Job")
    volume = next(v for v in pod_template(job)["spec"]["volumes"] if "configMap" in v)
    return one(objs, "ConfigMap", volume["configMap"]["name"])["data"]["provinces.txt"]  # type: ignore[no-any-return]  # parsed YAML is untyped


def pods_of(objs: Objs, selector: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        o
        for o in workloads(objs)
        if selects(selector, pod_template(o)["metadata"].get("labels", {}))
    ]


def network_problems(objs: Objs) -> list[str]:
    policies = find(objs, "NetworkPolicy")
    problems = []
    if not any(
        p["spec"]["podSelector"] == {}
        and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        for p in policies
    ):
        problems.append("no default-deny NetworkPolicy for ingress and egress")
    db_labels = [{"cnpg.io/cluster": c["metadata"]["name"]} for c in find(objs, "Cluster")]
    db_labels += [{"cnpg.io/poolerName": p["metadata"]["name"]} for p in find(objs, "Pooler")]
    broker = [pod_template(o)["metadata"]["labels"] for o in find(objs, "StatefulSet")]
    allowed = {5432: db_labels, 5672: broker, 53: None}
    pod_labels = [pod_template(o)["metadata"].get("labels", {}) for o in workloads(objs)]
    for deployment in (chibo(objs, "serve"), chibo(objs, "worker")):
        labels, name = (
            pod_template(deployment)["metadata"]["labels"],
            deployment["metadata"]["name"],
        )
        mine = [p["spec"] for p in policies if selects(p["spec"]["podSelector"], labels)]
        rules = [
            r for p in mine if "Egress" in p.get("policyTypes", []) for r in p.get("egress", [])
        ]
        seen = set()
        for rule in rules:
            ports = {p.get("port") for p in rule.get("ports", [])}
            seen |= ports
            if not ports or not ports <= set(allowed) or not rule.get("to"):
                problems.append(
                    f"{name}: egress {sorted(map(str, ports))} beyond PostgreSQL, RabbitMQ, DNS"
                )
                continue
            for port in ports - {53}:
                targets = allowed[port] or []
                others = [t for t in pod_labels if t not in targets]
                for peer in rule["to"]:
                    chosen = peer.get("podSelector")
                    if (
                        chosen is None
                        or "namespaceSelector" in peer
                        or not any(selects(chosen, t) for t in targets)
                        or any(selects(chosen, t) for t in others)
                    ):
                        problems.append(
                            f"{name}: egress on {port} reaches pods other than its service"
                        )
        if seen != set(allowed):
            problems.append(
                f"{name}: egress must allow exactly 5432, 5672 and 53, got {sorted(seen)}"
            )
    api_labels = pod_template(chibo(objs, "serve"))["metadata"]["labels"]
    ingress_ports = {
        port.get("port")
        for p in policies
        if selects(p["spec"]["podSelector"], api_labels)
        for rule in p["spec"].get("ingress", [])
        for port in rule.get("ports", [])
    }
    if ingress_ports != {8000}:
        problems.append(f"API ingress must be port 8000 only, got {ingress_ports}")
    return problems


def documented_secrets() -> dict[str, set[str]]:
    """Secrets docs/deployment.md tells the operator to create, with their keys."""
    text = DEPLOY_DOC.read_text(encoding="utf-8").replace("\\\n", " ")
    secrets: dict[str, set[str]] = {}
    for kind, name, rest in re.findall(
        r"kubectl[^\n]*?create secret (generic|tls) ([\w.-]+)([^\n]*)", text
    ):
        keys = (
            {"tls.crt", "tls.key"}
            if kind == "tls"
            else set(re.findall(r"--from-(?:literal|file)=([\w.-]+)=", rest))
        )
        secrets[name] = keys
    return secrets


def secret_refs(objs: Objs) -> Iterator[tuple[str, str, str | None]]:
    """Every (kind, name, key) reference to a Secret or ConfigMap in the output."""
    for obj in workloads(objs):
        pod = pod_template(obj)["spec"]
        for c in containers(pod):
            for e in c.get("env", []):
                for kind, field in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                    if ref := e.get("valueFrom", {}).get(field):
                        yield kind, ref["name"], ref["key"]
            for source in c.get("envFrom", []):
                for kind, field in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
                    if ref := source.get(field):
                        yield kind, ref["name"], None
        for volume in pod.get("volumes", []):
            if "secret" in volume:
                yield "Secret", volume["secret"]["secretName"], None
            if "configMap" in volume:
                yield "ConfigMap", volume["configMap"]["name"], None
    for cluster in find(objs, "Cluster"):
        for ref in (
            cluster["spec"]
            .get("backup", {})
            .get("barmanObjectStore", {})
            .get("s3Credentials", {})
            .values()
        ):
            yield "Secret", ref["name"], ref["key"]
    for ingress in find(objs, "Ingress"):
        for tls in ingress["spec"].get("tls", []):
            yield "Secret", tls["secretName"], "tls.crt"


def secret_problems(objs: Objs) -> list[str]:
    problems = [
        f"Secret {s['metadata']['name']} carries values: never commit secrets"
        for s in find(objs, "Secret")
        if s.get("data") or s.get("stringData")
    ]
    for obj in workloads(objs):
        for c in containers(pod_template(obj)["spec"]):
            problems += [
                f"{c['name']}: {e['name']} is a literal; take it from a Secret"
                for e in c.get("env", [])
                if "value" in e and SECRET_NAME.search(e["name"])
            ]
    for config in find(objs, "ConfigMap"):
        problems += [
            f"ConfigMap {config['metadata']['name']}: {k} belongs in a Secret"
            for k in config.get("data", {})
            if SECRET_NAME.search(k)
        ]
    documented = documented_secrets()
    generated = {f"{c['metadata']['name']}-app": CNPG_APP_KEYS for c in find(objs, "Cluster")}
    for kind, name, key in secret_refs(objs):
        present = find(objs, kind, name)
        if kind == "ConfigMap":
            if not present or (key and key not in present[0].get("data", {})):
                problems.append(f"ConfigMap {name} (key {key}) is not in the output")
        elif not present:
            keys = generated.get(name, documented.get(name))
            if keys is None or (key and key not in keys):
                problems.append(f"Secret {name} (key {key}) is neither rendered nor documented")
    return problems


def namespace_problems(objs: Objs) -> list[str]:
    namespaces = find(objs, "Namespace")
    if len(namespaces) != 1:
        return ["each overlay owns exactly one Namespace"]
    ns = namespaces[0]["metadata"]
    problems = (
        []
        if ns.get("labels", {}).get("pod-security.kubernetes.io/enforce") == "restricted"
        else ["the namespace must enforce the restricted Pod Security Standard"]
    )
    problems += [
        f"{o['kind']}/{o['metadata']['name']} is outside {ns['name']}"
        for o in objs
        if o["kind"] != "Namespace" and o["metadata"].get("namespace") != ns["name"]
    ]
    return problems


CHECKS: dict[str, Callable[[Objs], list[str]]] = {
    "schema": schema_problems,
    "hardening": hardening_problems,
    "selectors": selector_problems,
    "app": app_problems,
    "network": network_problems,
    "secrets": secret_problems,
    "namespace": namespace_problems,
}


@pytest.mark.parametrize("check", CHECKS)
def test_every_overlay_passes(objs: Objs, check: str) -> None:
    assert CHECKS[check](objs) == []


def test_production_is_highly_available() -> None:
    objs = render("production")
    cluster = one(objs, "Cluster", "chibo-db")["spec"]
    assert cluster["instances"] == 3
    assert cluster["affinity"]["podAntiAffinityType"] == "required"
    assert cluster["postgresql"]["synchronous"] == {"method": "any", "number": 1}
    assert cluster["monitoring"]["enablePodMonitor"] is True
    credentials = cluster["backup"]["barmanObjectStore"]["s3Credentials"]
    assert {ref["name"] for ref in credentials.values()} == {"chibo-db-backup"}
    assert one(objs, "HorizontalPodAutoscaler", "chibo-api")["spec"]["minReplicas"] >= 3
    assert chibo(objs, "worker")["spec"]["replicas"] >= 2


def run_provisioning(tmp_path: Path, listing: str, stub_exit: int = 0) -> tuple[int, list[str]]:
    """Run the Job's shell script against a stand-in ``chibo`` that records its arguments."""
    (job,) = find(render("production"), "Job")
    script = pod_template(job)["spec"]["containers"][0]["args"][0]
    calls = tmp_path / "calls"
    stub = tmp_path / "bin/chibo"
    stub.parent.mkdir()
    stub.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$*" >> {calls}\nexit {stub_exit}\n', encoding="utf-8"
    )
    stub.chmod(0o755)
    listing_file = tmp_path / "provinces.txt"
    listing_file.write_text(listing, encoding="utf-8")
    env = {"PATH": f"{stub.parent}:/usr/bin:/bin", "PROVINCES_FILE": str(listing_file)}
    done = subprocess.run(["/bin/sh", "-c", script], env=env, capture_output=True, text=True)
    made = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return done.returncode, made


def test_provisioning_creates_each_listed_province(tmp_path: Path) -> None:
    listing = "# comment\n\nbac_ninh|Tỉnh Bắc Ninh\nha_noi|Thành phố Hà Nội"  # no final newline
    code, made = run_provisioning(tmp_path, listing)
    assert code == 0
    assert made == [
        "tenant create bac_ninh --name Tỉnh Bắc Ninh",
        "tenant create ha_noi --name Thành phố Hà Nội",
    ]


def test_provisioning_fails_when_a_province_fails(tmp_path: Path) -> None:
    code, made = run_provisioning(tmp_path, "bac_ninh|Tỉnh Bắc Ninh\nha_noi|Hà Nội\n", stub_exit=2)
    assert code != 0
    assert made == ["tenant create bac_ninh --name Tỉnh Bắc Ninh"]


def test_staging_provinces_are_valid_slugs() -> None:
    lines = [
        ln for ln in provinces(render("staging")).splitlines() if ln and not ln.startswith("#")
    ]
    assert lines == ["thu_nghiem|Tỉnh Thử nghiệm"]


# --- every check catches the fault it is for -------------------------------------------------


def api_container(objs: Objs) -> dict[str, Any]:
    return pod_template(chibo(objs, "serve"))["spec"]["containers"][0]  # type: ignore[no-any-return]  # parsed YAML is untyped


def worker_container(objs: Objs) -> dict[str, Any]:
    return pod_template(chibo(objs, "worker"))["spec"]["containers"][0]  # type: ignore[no-any-return]  # parsed YAML is untyped


def broker_container(objs: Objs) -> dict[str, Any]:
    return pod_template(one(objs, "StatefulSet", "chibo-rabbitmq"))["spec"]["containers"][0]  # type: ignore[no-any-return]  # parsed YAML is untyped


def job_container(objs: Objs) -> dict[str, Any]:
    return pod_template(find(objs, "Job")[0])["spec"]["containers"][0]  # type: ignore[no-any-return]  # parsed YAML is untyped


def policy(objs: Objs, name: str) -> dict[str, Any]:
    return one(objs, "NetworkPolicy", name)["spec"]  # type: ignore[no-any-return]  # parsed YAML is untyped


def env(container: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in container["env"] if e["name"] == name)


def secret_ref(container: dict[str, Any], name: str) -> dict[str, Any]:
    """Where the container's variable ``name`` is read from a Secret."""
    return env(container, name)["valueFrom"]["secretKeyRef"]  # type: ignore[no-any-return]  # parsed YAML is untyped


def db_spec(objs: Objs, kind: str) -> dict[str, Any]:
    """The spec of the database Cluster (``chibo-db``) or of its read-write Pooler."""
    name = "chibo-db" if kind == "Cluster" else "chibo-db-pooler-rw"
    return one(objs, kind, name)["spec"]  # type: ignore[no-any-return]  # parsed YAML is untyped


MUTATIONS: dict[str, tuple[str, Callable[[Objs], object]]] = {
    "unknown field": ("schema", lambda o: api_container(o).update(imagePullSecret="x")),
    "wrong type": ("schema", lambda o: chibo(o, "worker")["spec"].update(replicas="two")),
    "cluster typo": ("schema", lambda o: db_spec(o, "Cluster").update(instance=3)),
    "session pooling": (
        "schema",
        lambda o: db_spec(o, "Pooler")["pgbouncer"].update(poolMode="session"),
    ),
    "pooler of nothing": ("schema", lambda o: db_spec(o, "Pooler")["cluster"].update(name="x")),
    "numeric pg parameter": (
        "schema",
        lambda o: db_spec(o, "Cluster")["postgresql"]["parameters"].update(max_connections=500),
    ),
    "backup of nothing": (
        "schema",
        lambda o: one(o, "ScheduledBackup", "chibo-db-nightly")["spec"]["cluster"].update(
            name="other"
        ),
    ),
    "writable root": (
        "hardening",
        lambda o: api_container(o)["securityContext"].update(readOnlyRootFilesystem=False),
    ),
    "escalation": (
        "hardening",
        lambda o: broker_container(o)["securityContext"].pop("allowPrivilegeEscalation"),
    ),
    "root user": ("hardening", lambda o: job_container(o)["securityContext"].update(runAsUser=0)),
    "capabilities kept": (
        "hardening",
        lambda o: worker_container(o)["securityContext"]["capabilities"].update(drop=[]),
    ),
    "capability added": (
        "hardening",
        lambda o: api_container(o)["securityContext"]["capabilities"].update(add=["NET_ADMIN"]),
    ),
    "no seccomp": (
        "hardening",
        lambda o: pod_template(chibo(o, "serve"))["spec"]["securityContext"].pop("seccompProfile"),
    ),
    "no limits": ("hardening", lambda o: job_container(o)["resources"].pop("limits")),
    "request over limit": (
        "hardening",
        lambda o: worker_container(o)["resources"]["requests"].update(memory="4Gi"),
    ),
    "no liveness": ("hardening", lambda o: worker_container(o).pop("livenessProbe")),
    "no readiness": ("hardening", lambda o: broker_container(o).pop("readinessProbe")),
    "latest image": ("hardening", lambda o: api_container(o).update(image="chibo:latest")),
    "token mounted": (
        "hardening",
        lambda o: pod_template(chibo(o, "worker"))["spec"].update(
            automountServiceAccountToken=True
        ),
    ),
    "no tmp": ("hardening", lambda o: job_container(o)["volumeMounts"].pop(0)),
    "pdb misses": (
        "selectors",
        lambda o: one(o, "PodDisruptionBudget", "chibo-api")["spec"]["selector"][
            "matchLabels"
        ].update(x="y"),
    ),
    "service misses": (
        "selectors",
        lambda o: one(o, "Service", "chibo-rabbitmq")["spec"]["selector"].update(x="y"),
    ),
    "probe path": (
        "app",
        lambda o: api_container(o)["readinessProbe"]["httpGet"].update(path="/nope"),
    ),
    "pinned replicas": ("app", lambda o: chibo(o, "serve")["spec"].update(replicas=2)),
    "database url": (
        "app",
        lambda o: secret_ref(worker_container(o), "DATABASE_URL").update(key="password"),
    ),
    "bind address": (
        "app",
        lambda o: find(o, "ConfigMap")[0]["data"].update(CHIBO_HOST="127.0.0.1"),
    ),
    "bad province": (
        "app",
        lambda o: [
            c["data"].update({"provinces.txt": "Bac-Ninh|Bắc Ninh\n"})
            for c in find(o, "ConfigMap")
            if "provinces.txt" in c["data"]
        ],
    ),
    "no default deny": ("network", lambda o: o.remove(one(o, "NetworkPolicy", "default-deny-all"))),
    "open egress": (
        "network",
        lambda o: policy(o, "chibo-app-egress")["egress"].append({"ports": [{"port": 443}]}),
    ),
    "egress to any pod": (
        "network",
        lambda o: policy(o, "chibo-app-egress")["egress"][0]["to"][0]["podSelector"].update(
            matchLabels={}
        ),
    ),
    "api ingress widened": (
        "network",
        lambda o: policy(o, "chibo-api-ingress")["ingress"][0]["ports"].append({"port": 22}),
    ),
    "committed secret": (
        "secrets",
        lambda o: o.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "chibo-jwt"},
                "data": {"secret": "eA=="},
            }
        ),
    ),
    "literal secret": (
        "secrets",
        lambda o: worker_container(o)["env"].append({"name": "CHIBO_JWT_SECRET", "value": "x"}),
    ),
    "secret in config": (
        "secrets",
        lambda o: find(o, "ConfigMap")[0]["data"].update(BROKER_URL="amqp://u:p@h"),
    ),
    "undocumented secret": (
        "secrets",
        lambda o: secret_ref(api_container(o), "BROKER_URL").update(name="nowhere"),
    ),
    "undocumented key": (
        "secrets",
        lambda o: secret_ref(api_container(o), "CHIBO_JWT_SECRET").update(key="nokey"),
    ),
    "missing configmap": (
        "secrets",
        lambda o: api_container(o)["envFrom"][0]["configMapRef"].update(name="gone"),
    ),
    "lax namespace": (
        "namespace",
        lambda o: find(o, "Namespace")[0]["metadata"]["labels"].pop(
            "pod-security.kubernetes.io/enforce"
        ),
    ),
}


@pytest.mark.parametrize("fault", MUTATIONS)
def test_each_check_catches_its_fault(fault: str) -> None:
    check, mutate = MUTATIONS[fault]
    objs = copy.deepcopy(render("production"))
    assert CHECKS[check](objs) == []
    mutate(objs)
    assert CHECKS[check](objs) != []
