"""The `zc` command: run the pipeline, check files offline, write templates, open the UI."""
from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from zc_pipeline.settings import DEMO_AS_OF, load_settings


def _settings(args):
    return load_settings(
        data_dir=getattr(args, "data_dir", None),
        warehouse_url=getattr(args, "warehouse_url", None),
        as_of=getattr(args, "as_of", None),
    )


def _summary(settings, echo=print) -> None:
    from zc_pipeline.warehouse.engine import describe, make_engine
    from zc_pipeline.warehouse.writer import row_counts

    engine = make_engine(settings.warehouse_url)
    echo("")
    echo(f"warehouse: {describe(engine)}")
    for name, n in row_counts(engine).items():
        echo(f"  {name:<26} {n:>8} rows")
    receipts = sorted(settings.receipts_dir.rglob("*.xlsx")) if settings.receipts_dir.exists() else []
    echo(f"receipts: {len(receipts)} workbooks in {settings.receipts_dir}")


def cmd_run(args) -> int:
    from zc_pipeline.runner import run_pipeline

    settings = _settings(args)
    run_pipeline(settings, first=args.first, last=args.last)
    _summary(settings)
    return 0


def cmd_demo(args) -> int:
    """The sample region with a pinned as-of date, so the demo's output never changes."""
    os.environ.setdefault("ZC_DATA_DIR", str(Path("sample_data").resolve()))
    args.as_of = args.as_of or DEMO_AS_OF.isoformat()
    args.first = args.last = None
    return cmd_run(args)


def cmd_validate(args) -> int:
    from zc_pipeline.intake.registry import read_registry
    from zc_pipeline.intake.validate import validate_files
    from zc_pipeline.standards import load_standard

    settings = _settings(args)
    reg = read_registry(settings.registry_dir)
    out = Path(args.receipts or ".")
    verdicts = validate_files([Path(f) for f in args.files], registry=reg.parks, std=load_standard(),
                              as_of=settings.as_of, receipts_dir=out)
    rejected = 0
    for v in verdicts:
        print(v.describe() if hasattr(v, "describe") else v)
        rejected += bool(getattr(v, "rejected", False))
    return 1 if rejected else 0


def cmd_template(args) -> int:
    from zc_pipeline.intake.registry import read_registry
    from zc_pipeline.intake.validate import write_blank_template

    settings = _settings(args)
    parks = read_registry(settings.registry_dir).parks.set_index("park_code")
    if args.park not in parks.index:
        print(f"unknown park {args.park} / 园区代码不在登记表中", file=sys.stderr)
        return 2
    write_blank_template(Path(args.output), park_code=args.park, park_name=parks.loc[args.park, "park_name"],
                         period=args.period)
    print(f"wrote {args.output}")
    return 0


def cmd_ui(args) -> int:
    """`dagster dev` on the same instance as `zc run`, bound to 127.0.0.1."""
    from zc_pipeline.runner import ensure_dagster_home

    settings = _settings(args)
    ensure_dagster_home(settings)
    if args.as_of:
        os.environ["ZC_AS_OF"] = args.as_of
    dagster = Path(sys.executable).with_name("dagster")
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a backgrounded `dagster dev` otherwise ignores SIGTERM
    os.execv(str(dagster), [str(dagster), "dev", "-w", str(Path(__file__).resolve().parent.parent / "workspace.yaml"),
                            "-h", "127.0.0.1", "-p", str(args.port)])


def cmd_grant_bi(args) -> int:
    from zc_pipeline.warehouse.bi import create_views, grant_bi
    from zc_pipeline.warehouse.engine import create_all, make_engine

    engine = make_engine(_settings(args).warehouse_url)
    if engine.dialect.name != "postgresql":
        print(f"zc db grant-bi needs a PostgreSQL warehouse (--warehouse-url or ZC_WAREHOUSE_URL); "
              f"this one is {engine.dialect.name}, which has no roles", file=sys.stderr)
        return 2
    create_all(engine)
    create_views(engine)
    grant_bi(engine, args.role, password=os.environ.get("ZC_BI_PASSWORD"))
    print(f"role {args.role}: SELECT on the warehouse schema, nothing else")
    return 0


def cmd_explain(args) -> int:
    """Every figure behind a park's month, quarter or half, traced to file, cell, factor and rule."""
    from zc_pipeline.domain.explain import render
    from zc_pipeline.domain.explain import explain as explain_lines
    from zc_pipeline.warehouse.audit import AuditError, ExplainData
    from zc_pipeline.warehouse.engine import make_engine

    settings = _settings(args)
    try:
        data = ExplainData(make_engine(settings.warehouse_url), parks=[args.park], as_of=settings.as_of)
        lines = explain_lines(data.inputs(args.park, args.period))
    except (AuditError, ValueError) as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return 2
    if args.csv:
        lines.to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    print(f"{args.park} {args.period.upper()} — standard {lines['standard_version'].iloc[0]}")
    print(render(lines, args.lang))
    return 0


def cmd_history(args) -> int:
    """The grades published for a park, per period, as they stood on a date (grade_history)."""
    import datetime as dt

    from zc_pipeline.domain.explain import published_as_of
    from zc_pipeline.warehouse.audit import grade_history
    from zc_pipeline.warehouse.engine import make_engine

    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    rows = published_as_of(grade_history(make_engine(_settings(args).warehouse_url), args.park), as_of)
    when = f"as of {as_of} (Asia/Shanghai) / 截至 {as_of}" if as_of else "latest / 最新"
    print(f"{args.park} — grades published, {when}")
    if rows.empty:
        print("  (none / 无)")
        return 0
    rows = rows.assign(issued_at=rows["issued_at"].dt.strftime("%Y-%m-%d %H:%M:%SZ"))
    print(rows.to_string(index=False))
    return 0


def cmd_redraw(args) -> int:
    from zc_pipeline.runner import redraw_spot_checks

    redraw_spot_checks(_settings(args), args.half)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zc", description="zero-carbon park reporting pipeline / 零碳园区报送流水线")
    p.add_argument("--data-dir", help="folder with registry/ and landing/ (env ZC_DATA_DIR; default sample_data)")
    p.add_argument("--warehouse-url", help="SQLAlchemy URL (env ZC_WAREHOUSE_URL; default SQLite in .zc_state)")
    sub = p.add_subparsers(dest="cmd", required=True)

    r = sub.add_parser("run", help="materialize months in range and the windows they complete")
    r.add_argument("--from", dest="first", help="first month YYYY-MM")
    r.add_argument("--to", dest="last", help="last month YYYY-MM")
    r.add_argument("--as-of", help="as-of date YYYY-MM-DD (env ZC_AS_OF; default today, Asia/Shanghai)")
    r.set_defaults(func=cmd_run)

    d = sub.add_parser("demo", help=f"run the sample region with as-of {DEMO_AS_OF}")
    d.add_argument("--as-of")
    d.set_defaults(func=cmd_demo)

    v = sub.add_parser("validate", help="check files offline with the intake rules; exit 1 if any is rejected")
    v.add_argument("files", nargs="+")
    v.add_argument("--as-of")
    v.add_argument("--receipts", help="folder for receipt workbooks (default .)")
    v.set_defaults(func=cmd_validate)

    t = sub.add_parser("template", help="write a blank monthly self-test workbook")
    t.add_argument("--park", required=True)
    t.add_argument("--period", required=True)
    t.add_argument("-o", "--output", required=True)
    t.set_defaults(func=cmd_template)

    u = sub.add_parser("ui", help="open the Dagster UI on the same instance (127.0.0.1)")
    u.add_argument("--port", type=int, default=3000)
    u.add_argument("--as-of")
    u.set_defaults(func=cmd_ui)

    x = sub.add_parser("explain", help="explain a park's month, quarter or half: inputs, factors, score, caps")
    x.add_argument("park")
    x.add_argument("period", help="YYYY-MM, YYYY-Qn or YYYY-Hn")
    x.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    x.add_argument("--csv", help="also write the lines as CSV (the grade_explanation columns)")
    x.set_defaults(func=cmd_explain)

    h = sub.add_parser("history", help="grades published for a park, per period, as of a date")
    h.add_argument("park")
    h.add_argument("--as-of", help="date YYYY-MM-DD (Asia/Shanghai); default: latest")
    h.set_defaults(func=cmd_history)

    sc = sub.add_parser("spot-check", help="expert spot checks")
    scs = sc.add_subparsers(dest="spot_cmd", required=True)
    rd = scs.add_parser("redraw", help="replace a half's kept sample with a fresh draw and re-assess the half")
    rd.add_argument("half", help="e.g. 2026-H1")
    rd.add_argument("--as-of")
    rd.set_defaults(func=cmd_redraw)

    db = sub.add_parser("db", help="warehouse administration")
    dbs = db.add_subparsers(dest="db_cmd", required=True)
    g = dbs.add_parser("grant-bi", help="create a read-only BI role (PostgreSQL)")
    g.add_argument("role")
    g.set_defaults(func=cmd_grant_bi)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.data_dir:
        os.environ["ZC_DATA_DIR"] = args.data_dir
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
