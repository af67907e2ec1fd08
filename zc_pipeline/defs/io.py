"""Loads upstream warehouse rows for exactly the partitions a partition mapping names.

Assets write their tables themselves (so a write and its history append share one
transaction); this IO manager only reads, so that roll-ups see their months through Dagster's
partition mappings and the UI knows which quarter or half a re-run month makes stale.
"""

import dagster as dg
import pandas as pd

from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.partitions import from_dagster_key
from zc_pipeline.warehouse.writer import read_table

# warehouse table -> (period column, partition kind)
PARTITION_COLUMN = {
    "park_month": ("period", "month"),
    "park_quarter_assessment": ("quarter", "quarter"),
    "park_half_assessment": ("half", "half"),
    "spot_check_result": ("half", "half"),
    "spot_check_sample": ("half", "half"),
}


class WarehouseReader(dg.ConfigurableIOManager):
    """Read-only IO manager over the warehouse."""

    zc: dg.ResourceDependency[ZcResource]

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        if obj is not None:
            raise TypeError("assets write the warehouse themselves; return MaterializeResult or None")

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        table = context.upstream_output.asset_key.path[-1]
        if not context.has_asset_partitions:
            return read_table(self.zc.engine(), table)
        column, kind = PARTITION_COLUMN[table]
        periods = sorted({from_dagster_key(k, kind) for k in context.asset_partition_keys})
        return read_table(self.zc.engine(), table, where={column: periods})
