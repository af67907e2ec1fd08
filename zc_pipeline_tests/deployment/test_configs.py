"""The shipped deployment configs pass Dagster's own config validation (instance, run launcher, executors)."""
from __future__ import annotations

import importlib.util
import re

import dagster as dg
import pytest
import yaml
from dagster_postgres import PostgresRunStorage
from dagster._config import process_config
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.instance.config import dagster_instance_config

from zc_pipeline_tests.deployment import DEPLOY_DIR, dagster_pg_env

RUN_CONFIGS = {
    "multiprocess": DEPLOY_DIR / "run_config.multiprocess.yaml",
    "k8s": DEPLOY_DIR / "k8s" / "run_config.yaml",
}
CELERY_FILE = DEPLOY_DIR / "celery" / "celery.yaml"  # the celery executor's and its workers' config


@pytest.fixture
def deploy_env(monkeypatch):
    """The environment the configs read (placeholders: validation resolves env vars, nothing connects)."""
    for name, value in dagster_pg_env("postgresql://dagster:secret@db.internal:5432/x", "zc_dagster").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ZC_PIPELINE_IMAGE", "registry.internal/zc_pipeline:0.1.0")
    monkeypatch.setenv("ZC_CELERY_BROKER_URL", "pyamqp://zc:secret@rabbitmq.internal//")
    monkeypatch.setenv("ZC_CELERY_BACKEND_URL", "rpc://")


def _load(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _deployment_module():
    spec = importlib.util.spec_from_file_location("zc_deploy_definitions", DEPLOY_DIR / "definitions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def deployment():
    return _deployment_module()


@pytest.mark.parametrize("path", [DEPLOY_DIR / "dagster.postgres.yaml", DEPLOY_DIR / "k8s" / "dagster.yaml"],
                         ids=["postgres", "k8s"])
def test_instance_configs_validate_with_postgres_storage_from_the_environment(path, deploy_env):
    config, custom_class = dagster_instance_config(str(path.parent), path.name)  # the instance schema
    assert custom_class is None
    # What the instance does when it loads `storage: postgres:` (env vars resolved, defaults filled).
    storage = process_config(PostgresRunStorage.config_type(), config["storage"]["postgres"])
    assert storage.success, storage.errors
    assert storage.value["postgres_db"] == {"hostname": "db.internal", "port": 5432, "username": "dagster",
                                            "password": "secret", "db_name": "zc_dagster", "params": {},
                                            "scheme": "postgresql+psycopg2"}
    raw = _load(path)["storage"]["postgres"]["postgres_db"]
    credentials = {k: v for k, v in raw.items() if k != "scheme"}
    assert all(isinstance(v, dict) and set(v) == {"env"} for v in credentials.values()), "credentials only from env"
    assert config["telemetry"] == {"enabled": False}


def test_instance_config_without_credentials_is_rejected(deploy_env, monkeypatch):
    monkeypatch.delenv("DAGSTER_PG_PASSWORD")
    config, _ = dagster_instance_config(str(DEPLOY_DIR), "dagster.postgres.yaml")
    result = process_config(PostgresRunStorage.config_type(), config["storage"]["postgres"])
    assert not result.success and "DAGSTER_PG_PASSWORD" in str(result.errors)


def test_k8s_instance_shares_the_storage_block_and_its_run_launcher_config_validates(deploy_env):
    from dagster_k8s import K8sRunLauncher

    k8s = _load(DEPLOY_DIR / "k8s" / "dagster.yaml")
    assert k8s["storage"] == _load(DEPLOY_DIR / "dagster.postgres.yaml")["storage"]
    launcher = k8s["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    result = process_config(K8sRunLauncher.config_type(), launcher["config"])
    assert result.success, result.errors
    assert result.value["job_image"] == "registry.internal/zc_pipeline:0.1.0"
    bad = {**launcher["config"], "job_namspace": "typo"}
    assert not process_config(K8sRunLauncher.config_type(), bad).success


@pytest.mark.parametrize("executor", sorted(RUN_CONFIGS))
def test_executor_run_configs_validate_against_the_executor_schema(executor, deployment, deploy_env):
    defs = deployment.build_deployment_definitions(executor)
    job = defs.resolve_implicit_global_asset_job_def()
    assert job.executor_def.name == executor
    run_config = _load(RUN_CONFIGS[executor])
    resolved = dg.validate_run_config(job, run_config)["execution"][executor]  # env resolved, defaults filled
    scalars = {k: v for k, v in run_config["execution"]["config"].items() if not isinstance(v, (dict, list))}
    assert {k: resolved[k] for k in scalars} == scalars
    # The check is real: a misspelt key is refused.
    typo = {"execution": {"config": {**run_config["execution"]["config"], "max_concurent": 2}}}
    with pytest.raises(DagsterInvalidConfigError):
        dg.validate_run_config(job, typo)


def test_k8s_per_step_config_names_real_steps(deployment):
    job = deployment.build_deployment_definitions("k8s").resolve_implicit_global_asset_job_def()
    steps = set(_load(RUN_CONFIGS["k8s"])["execution"]["config"]["per_step_k8s_config"])
    assert steps <= {node.name for node in job.nodes}


def test_celery_executor_and_workers_read_the_same_file(deployment, deploy_env, monkeypatch, tmp_path):
    from dagster_celery.cli import get_validated_config

    job = deployment.build_deployment_definitions("celery").resolve_implicit_global_asset_job_def()
    assert job.executor_def.name == "celery"
    # Every run gets the file's broker without any run config (schedules, sensors, backfills).
    executor = dg.validate_run_config(job, {})["execution"]["celery"]  # env resolved, defaults filled
    worker = get_validated_config(str(CELERY_FILE))  # what `dagster-celery worker start -y` reads
    assert executor["broker"] == worker["broker"] == "pyamqp://zc:secret@rabbitmq.internal//"
    assert executor["config_source"] == worker["config_source"]
    assert worker["config_source"]["worker_prefetch_multiplier"] == 1
    # steps in the worker process itself: a prefork child may not start the intake's parse pool
    assert worker["config_source"]["worker_pool"] == "solo"
    # The check is real: a misspelt key in the file (ZC_CELERY_CONFIG names another) is refused.
    typo = _load(CELERY_FILE)
    typo["execution"]["config"]["brokr"] = typo["execution"]["config"].pop("broker")
    (tmp_path / "celery.yaml").write_text(yaml.safe_dump(typo), encoding="utf-8")
    monkeypatch.setenv(deployment.CELERY_CONFIG_ENV, str(tmp_path / "celery.yaml"))
    with pytest.raises(DagsterInvalidConfigError):
        dg.validate_run_config(deployment.build_deployment_definitions("celery").resolve_implicit_global_asset_job_def(), {})


def test_deployment_definitions_load_for_every_executor(deployment, monkeypatch):
    for name in deployment.EXECUTORS:
        dg.Definitions.validate_loadable(deployment.build_deployment_definitions(name))
    monkeypatch.setenv(deployment.EXECUTOR_ENV, "celery")
    assert deployment.build_deployment_definitions().resolve_implicit_global_asset_job_def().executor_def.name == "celery"
    with pytest.raises(ValueError, match="choose one of"):
        deployment.build_deployment_definitions("dask")
    workspace = _load(DEPLOY_DIR / "workspace.yaml")["load_from"][0]["python_file"]
    assert (DEPLOY_DIR / workspace["relative_path"]).resolve() == DEPLOY_DIR / "definitions.py"
    assert workspace["attribute"] == "defs"


def test_proxy_guards_every_path_and_forwards_to_the_local_webserver():
    conf = (DEPLOY_DIR / "proxy" / "nginx.conf").read_text(encoding="utf-8")
    assert re.search(r"server\s+127\.0\.0\.1:3000;", conf)  # `zc ui` / dagster-webserver default bind
    root = re.search(r"location / \{(.*?)\n  \}", conf, re.S).group(1)
    assert "auth_request /oauth2/auth;" in root and "proxy_pass http://dagster_webserver;" in root
    assert "Upgrade $http_upgrade" in root  # the UI's GraphQL subscriptions use websockets
    oauth = (DEPLOY_DIR / "proxy" / "oauth2-proxy.cfg").read_text(encoding="utf-8")
    assert 'http_address = "127.0.0.1:4180"' in oauth
    assert not re.search(r"^\s*(client_secret|cookie_secret)\s*=", oauth, re.M)  # secrets come from the environment
