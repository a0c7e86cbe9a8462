"""The Kubernetes recipes in deploy/kubernetes/ are valid objects (schemas shipped with
kubernetes-validate, nothing downloaded) and run the commands and options finsocial has."""

from __future__ import annotations

import shlex
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from finsocial.cli import cli

RECIPES = sorted((Path(__file__).parents[1] / "deploy" / "kubernetes").glob("*.yaml"))


def documents() -> list[tuple[str, dict]]:
    return [(p.name, doc) for p in RECIPES for doc in yaml.safe_load_all(p.read_text()) if doc]


def pod_spec(doc: dict) -> dict:
    return doc["spec"]["template"]["spec"]


def env_of(container: dict) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container.get("env", [])}


@pytest.mark.parametrize(("name", "doc"), documents(), ids=lambda v: v if isinstance(v, str) else v["kind"])
def test_each_object_is_valid_against_the_kubernetes_schema(name, doc):
    # strict: a misspelt or misplaced field is an error, not silently dropped by the cluster
    kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


def by_kind(kind: str, file: str) -> dict:
    (doc,) = [d for n, d in documents() if d["kind"] == kind and n == file]
    return doc


def test_the_collection_job_runs_one_shard_per_index():
    job = by_kind("Job", "collect-shards.yaml")
    assert job["spec"]["completionMode"] == "Indexed"
    (container,) = pod_spec(job)["containers"]
    env = env_of(container)
    assert job["spec"]["completions"] == job["spec"]["parallelism"] == int(env["SHARDS"])
    script = container["args"][0]
    assert 'finsocial collect --shard "$((JOB_COMPLETION_INDEX + 1))/${SHARDS}"' in script
    assert "/tokens/shard-${JOB_COMPLETION_INDEX}.env" in script
    assert "--shard" in {o for p in cli.commands["collect"].params for o in p.opts}


def test_build_and_dashboards_share_the_landing_zone_and_the_published_warehouse():
    build = by_kind("Job", "build-job.yaml")
    (builder,) = pod_spec(build)["containers"]
    assert builder["command"] == ["finsocial", "build", "--publish"]
    assert "--publish" in {o for p in cli.commands["build"].params for o in p.opts}
    assert pod_spec(build)["volumes"][0]["persistentVolumeClaim"]["claimName"] == "finsocial-build-data"
    dashboard = by_kind("Deployment", "dashboard.yaml")
    (init,) = pod_spec(dashboard)["initContainers"]
    (serve,) = pod_spec(dashboard)["containers"]
    assert init["command"] == ["finsocial", "pull"] and "pull" in cli.commands
    assert shlex.join(serve["command"]).startswith("finsocial dashboard --address 0.0.0.0")
    assert int(env_of(serve)["FINSOCIAL_PULL_EVERY"]) > 0
    landings = {
        env_of(c)["FINSOCIAL_LANDING"]
        for doc in (by_kind("Job", "collect-shards.yaml"), build, dashboard)
        for c in pod_spec(doc).get("initContainers", []) + pod_spec(doc)["containers"]
    }
    assert landings == {"s3://finsocial/landing"}
