"""Tests of the production path: deploy/ configs, PostgreSQL warehouse and instance, BI role."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

DEPLOY_DIR = Path(__file__).resolve().parents[2] / "deploy"


def dagster_pg_env(url: str, db_name: str) -> dict[str, str]:
    """The DAGSTER_PG_* variables deploy/*.yaml read, for the server at `url` and database `db_name`."""
    u = sa.make_url(url)
    return {
        "DAGSTER_PG_HOST": u.host or "127.0.0.1",
        "DAGSTER_PG_PORT": str(u.port or 5432),
        "DAGSTER_PG_USER": u.username or "postgres",
        "DAGSTER_PG_PASSWORD": u.password or "",
        "DAGSTER_PG_DB": db_name,
    }
