"""The grade_explanation table: every published quarter and half grade explained line by line for BI."""

import dagster as dg
import pandas as pd

from zc_pipeline.defs.common import table_metadata
from zc_pipeline.defs.resources import ZcResource
from zc_pipeline.standards import load_standard

STD = load_standard()


@dg.asset(
    group_name="assessment",
    deps=[
        dg.AssetDep("park_quarter_assessment", partition_mapping=dg.AllPartitionMapping()),
        dg.AssetDep("park_half_assessment", partition_mapping=dg.AllPartitionMapping()),
        dg.AssetDep("park_month", partition_mapping=dg.AllPartitionMapping()),
        "ref_standard",
    ],
    kinds={"sqlalchemy", "pandas"},
    owners=["team:assessment"],
    code_version=STD.sha256[:16],
    pool="warehouse",
)
def grade_explanation(context: dg.AssetExecutionContext, zc: ZcResource) -> dg.MaterializeResult:
    """Line-by-line explanation of each quarter and half grade; only windows whose assessment was re-run are rewritten."""
    from zc_pipeline.domain.explain import ASSESSMENT_RUN, explain
    from zc_pipeline.warehouse.audit import ExplainData
    from zc_pipeline.warehouse.writer import read_table, replace_partition

    engine = zc.engine()
    data = ExplainData(engine, as_of=zc.as_of_date)
    stored = read_table(engine, "grade_explanation")
    stored = stored[stored["item"] == ASSESSMENT_RUN]
    explained = {(r.park_code, r.period): r.value for r in stored.itertuples(index=False)}
    stale: set[str] = set()
    for kind, col in (("quarter", "quarter"), ("half", "half")):
        rows = data.assessments[kind]
        for r in rows[["park_code", col, "run_id"]].itertuples(index=False):
            if explained.get((r.park_code, r[1])) != r.run_id:
                stale.add(r[1])
    frames = []
    for period in sorted(stale):
        kind = "quarter" if "Q" in period else "half"
        col = kind
        rows = data.assessments[kind]
        lines = [explain(data.inputs(code, period)) for code in rows.loc[rows[col] == period, "park_code"]]
        frame = pd.concat(lines, ignore_index=True) if lines else pd.DataFrame()
        if len(frame):
            frame["run_id"] = context.run.run_id
        with engine.begin() as conn:
            replace_partition(conn, "grade_explanation", frame, {"period": period})
        frames.append(frame)
    written = pd.concat(frames, ignore_index=True) if frames else read_table(engine, "grade_explanation").head(0)
    return dg.MaterializeResult(metadata=table_metadata(written, periods_rewritten=", ".join(sorted(stale)) or "none"))
