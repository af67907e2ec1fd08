"""The `zc` command: run the pipeline, check files offline, write templates, open the UI."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import signal
import sys
import traceback
from pathlib import Path

from zc_pipeline.errors import Interrupted, UserError
from zc_pipeline.settings import DEMO_AS_OF, load_settings, parse_as_of, state_path

EXIT_REJECTED = 1  # zc validate: a file would be rejected
EXIT_UNEXPECTED = 3  # a failure the project did not foresee; its trace is in the log file
EXPLAIN_FORMS = ("YYYY-MM (a month), YYYY-Qn (a quarter), YYYY-H1 (mid-year evaluation), "
                 "YYYY-H2 or YYYY (year-end assessment, Jan-Dec)")
EXPLAIN_FORMS_ZH = "YYYY-MM（月）、YYYY-Qn（季度）、YYYY-H1（年中评估）、YYYY-H2 或 YYYY（年终考核，1–12 月）"


def _settings(args):
    return load_settings(
        data_dir=getattr(args, "data_dir", None),
        warehouse_url=getattr(args, "warehouse_url", None),
        as_of=getattr(args, "as_of", None),
        standard=getattr(args, "standard", None),
    )


def _month(value: str | None, flag: str) -> str | None:
    """A YYYY-MM month given on the command line, or a UserError naming the flag."""
    from zc_pipeline.domain.periods import period_kind

    if value is None:
        return None
    try:
        if period_kind(value.strip()) == "month":
            return value.strip()
    except ValueError:
        pass
    raise UserError(f"{flag} {value!r} is not a month: write YYYY-MM, e.g. 2026-03 / {flag} 应为 YYYY-MM 格式的月份")


def _period_to_explain(value: str) -> tuple[str, str | None]:
    """(the window to explain, a note): `2025` is the year-end assessment `2025-H2` (STANDARD §2)."""
    from zc_pipeline.domain.periods import period_kind

    period = value.strip().upper()
    try:
        kind = period_kind(period)
    except ValueError:
        raise UserError(f"period {value!r} is not one of the accepted forms: {EXPLAIN_FORMS} / "
                        f"期间格式应为 {EXPLAIN_FORMS_ZH}") from None
    if kind == "year":
        return f"{period}-H2", (f"{period}: the year-end assessment {period}-H2, scored over Jan-Dec / "
                                f"{period} 年终考核即 {period}-H2（1–12 月）")
    return period, None


def _engine(settings, needs: tuple[str, ...] = ()):
    """The warehouse engine; a bad URL, or a warehouse without the tables a command reads, is a UserError."""
    import sqlalchemy as sa

    from zc_pipeline.warehouse.engine import make_engine, schema_of

    try:
        url = sa.engine.make_url(settings.warehouse_url)
    except sa.exc.ArgumentError as exc:
        raise UserError(f"warehouse URL not usable: {exc} (--warehouse-url or ZC_WAREHOUSE_URL) / "
                        f"数据仓库地址无效") from None
    if needs and url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        raise UserError(f"no warehouse at {url.database}: run `zc run` first, or name the warehouse with "
                        f"--warehouse-url or ZC_WAREHOUSE_URL / 找不到数据仓库，请先运行 zc run")
    try:
        engine = make_engine(settings.warehouse_url)
    except ValueError as exc:
        raise UserError(f"warehouse URL not usable: {exc} (--warehouse-url or ZC_WAREHOUSE_URL) / "
                        f"数据仓库地址无效") from None
    if needs:
        inspector = sa.inspect(engine)
        missing = [t for t in needs if not inspector.has_table(t, schema=schema_of(engine))]
        if missing:
            raise UserError(f"the warehouse {engine.url.render_as_string()} has no {', '.join(missing)} table yet: "
                            f"run `zc run` first / 数据仓库中还没有 {', '.join(missing)} 表，请先运行 zc run")
    return engine


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

    first, last = _month(args.first, "--from"), _month(args.last, "--to")
    settings = _settings(args)
    with _stop_on_signals():
        run_pipeline(settings, first=first, last=last)
    _summary(settings)
    return 0


@contextlib.contextmanager
def _stop_on_signals():
    """SIGTERM stops the command as Ctrl-C does, and each says which it was (a run under way is marked
    failed: defs/recovery.py). Both, as Dagster gives SIGTERM the SIGINT handler after every run."""
    def stop(signum, frame):
        raise Interrupted(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def cmd_demo(args) -> int:
    """The sample region with a pinned as-of date, so the demo's output never changes."""
    os.environ.setdefault("ZC_DATA_DIR", str(Path("sample_data").resolve()))
    args.as_of = args.as_of or DEMO_AS_OF.isoformat()
    args.first = args.last = None
    return cmd_run(args)


def cmd_validate(args) -> int:
    """The pipeline's intake rules on files, offline. A park alone (no registry at hand) gets every
    rule but those needing the registry or the previous month, each named as skipped."""
    from zc_pipeline.intake.registry import read_registry
    from zc_pipeline.intake.validate import (
        NEEDS_PREVIOUS_MONTH, NEEDS_REGISTRY, NO_PREVIOUS_MONTH, NO_REGISTRY, skipped_line, validate_files,
    )
    from zc_pipeline.standards import load_rulebooks

    settings = _settings(args)
    skipped = []
    registry = previous_month = None
    if settings.has_registry:
        registry = read_registry(settings.registry_dir).parks
        previous_month, why = _previous_months(settings)
        if previous_month is None:
            skipped += [skipped_line(r, why) for r in NEEDS_PREVIOUS_MONTH]
    else:
        skipped += [skipped_line(r, NO_REGISTRY) for r in NEEDS_REGISTRY]
        skipped += [skipped_line(r, NO_PREVIOUS_MONTH) for r in NEEDS_PREVIOUS_MONTH]
    verdicts = validate_files([Path(f) for f in args.files], registry=registry,
                              std=load_rulebooks(settings.data_dir, settings.forced_standard),
                              as_of=settings.as_of, receipts_dir=Path(args.receipts or "."),
                              previous_month=previous_month)
    for line in skipped:
        print(line)
    for v in verdicts:
        print(v.describe())
    return EXIT_REJECTED if any(v.rejected for v in verdicts) else 0


def _previous_months(settings):
    """(a month -> its park_month rows from the warehouse, None), or (None, why not) when the
    warehouse holds no months to compare with."""
    import sqlalchemy as sa

    from zc_pipeline.warehouse.writer import read_table

    try:
        engine = _engine(settings, needs=("park_month",))
    except UserError as exc:
        return None, str(exc)
    except sa.exc.OperationalError as exc:
        return None, f"the warehouse cannot be reached ({str(exc.orig).splitlines()[0][:120]}) / 无法连接数据仓库"
    return (lambda month: read_table(engine, "park_month", where={"period": [month]})), None


def cmd_template(args) -> int:
    from zc_pipeline.intake.registry import read_registry
    from zc_pipeline.intake.validate import write_blank_template
    from zc_pipeline.standards import load_rulebooks

    period = _month(args.period, "--period")
    settings = _settings(args)
    parks = read_registry(settings.registry_dir).parks.set_index("park_code")
    if args.park not in parks.index:
        raise UserError(f"park {args.park} is not in the registry {settings.registry_dir}: check the code "
                        f"(--data-dir or ZC_DATA_DIR names the region's data folder) / 园区代码 {args.park} 不在登记表中")
    try:
        write_blank_template(Path(args.output), park_code=args.park, park_name=parks.loc[args.park, "park_name"],
                             period=period, std=load_rulebooks(settings.data_dir).for_period(period))
    except OSError as exc:
        raise UserError(f"cannot write {args.output}: {exc.strerror or exc} / 无法写入 {args.output}") from None
    print(f"wrote {args.output}")
    return 0


def cmd_ui(args) -> int:
    """`dagster dev` on the same instance as `zc run`, bound to 127.0.0.1."""
    from zc_pipeline.runner import prepare_ui

    settings = _settings(args)
    os.chdir(prepare_ui(settings))  # in DAGSTER_HOME: `dagster dev` warns of any other folder's dagster.yaml
    if args.as_of:
        os.environ["ZC_AS_OF"] = args.as_of
    dagster = Path(sys.executable).with_name("dagster")
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a backgrounded `dagster dev` otherwise ignores SIGTERM
    os.execv(str(dagster), [str(dagster), "dev", "-w", str(Path(__file__).resolve().parent.parent / "workspace.yaml"),
                            "-h", "127.0.0.1", "-p", str(args.port)])


def cmd_grant_bi(args) -> int:
    from zc_pipeline.warehouse.bi import create_views, grant_bi
    from zc_pipeline.warehouse.engine import create_all

    engine = _engine(_settings(args))
    if engine.dialect.name != "postgresql":
        raise UserError(f"zc db grant-bi needs a PostgreSQL warehouse (--warehouse-url or ZC_WAREHOUSE_URL); "
                        f"this one is {engine.dialect.name}, which has no roles / 只读角色需要 PostgreSQL 数据仓库")
    create_all(engine)
    create_views(engine)
    grant_bi(engine, args.role, password=os.environ.get("ZC_BI_PASSWORD"))
    print(f"role {args.role}: SELECT on the warehouse schema, nothing else")
    return 0


def cmd_explain(args) -> int:
    """Every figure behind a park's month, quarter, half or year, traced to file, cell, factor and rule."""
    from zc_pipeline.domain.explain import render
    from zc_pipeline.stages.explanations import AuditError, explain_one

    period, note = _period_to_explain(args.period)
    settings = _settings(args)
    engine = _engine(settings, needs=("dim_park", "park_month"))
    try:
        lines = explain_one(engine, args.park, period, settings.as_of)
    except AuditError as exc:
        raise UserError(str(exc).strip("'\"")) from None
    if args.csv:
        try:
            lines.to_csv(args.csv, index=False)
        except OSError as exc:
            raise UserError(f"cannot write {args.csv}: {exc.strerror or exc} / 无法写入 {args.csv}") from None
        print(f"wrote {args.csv}")
    if note:
        print(note)
    print(f"{args.park} {period} — standard {lines['standard_version'].iloc[0]}")
    print(render(lines, args.lang))
    return 0


def cmd_what_if(args) -> int:
    """What one lever alone would take for a park's next better grade in an assessed quarter or half."""
    from zc_pipeline.domain.periods import period_kind
    from zc_pipeline.domain.what_if import render
    from zc_pipeline.warehouse.writer import read_table

    period, note = _period_to_explain(args.period)
    if period_kind(period) == "month":
        raise UserError(f"what-if is for an assessed window, and {period} is a month: write YYYY-Qn, YYYY-H1, "
                        f"YYYY-H2 or YYYY / what-if 需要考核窗口（季度或半年），{period} 是月份")
    engine = _engine(_settings(args), needs=("dim_park", "park_what_if"))
    rows = read_table(engine, "park_what_if", where={"park_code": [args.park], "period": [period]})
    if rows.empty:
        if read_table(engine, "dim_park", where={"park_code": [args.park]}).empty:
            raise UserError(f"park {args.park} is not among the warehouse's parks (dim_park): check the code / "
                            f"园区 {args.park} 不在数据仓库的园区表中，请核对园区代码")
        raise UserError(f"{args.park} has no assessment for {period}: the window is not assessed yet (its last "
                        f"month's deadline has not passed, or `zc run` has not run it) or the park was enrolled "
                        f"after it / {args.park} 在 {period} 没有考核结果（窗口尚未考核，或园区在窗口结束后才纳入）")
    if note:
        print(note)
    print(render(rows.iloc[0], args.lang))
    return 0


def cmd_history(args) -> int:
    """The grades published for a park, per period, as they stood on a date (grade_history)."""
    from zc_pipeline.domain.explain import published_as_of
    from zc_pipeline.stages.explanations import grade_history
    from zc_pipeline.warehouse.writer import read_table

    as_of = parse_as_of(args.as_of) if args.as_of else None
    engine = _engine(_settings(args), needs=("dim_park", "grade_history"))
    history = grade_history(engine, args.park)
    # a park dropped from the registry keeps its history: unknown means in neither table
    if history.empty and read_table(engine, "dim_park", where={"park_code": [args.park]}).empty:
        raise UserError(f"park {args.park} is not among the warehouse's parks (dim_park): check the code / "
                        f"园区 {args.park} 不在数据仓库的园区表中，请核对园区代码")
    rows = published_as_of(history, as_of)
    when = f"as of {as_of} (Asia/Shanghai) / 截至 {as_of}" if as_of else "latest / 最新"
    print(f"{args.park} — grades published, {when}")
    if rows.empty:
        print("  (none / 无)")
        return 0
    rows = rows.assign(issued_at=rows["issued_at"].dt.strftime("%Y-%m-%d %H:%M:%SZ"),
                       as_of=["-" if d is None or d != d else str(d) for d in rows["as_of"]])
    print(rows.to_string(index=False))
    return 0


def cmd_rulebook_list(args) -> int:
    from zc_pipeline.standards import load_rulebooks

    settings = _settings(args)
    books = load_rulebooks(settings.data_dir)
    for b, nxt in zip(books.books, [*books.books[1:], None]):
        until = f"until {nxt.effective_from - dt.timedelta(days=1)}" if nxt else "onwards"
        print(f"{b.version:<20} in force {b.effective_from} {until:<17} {b.source_file}  sha256 {b.sha256}")
    return 0


def cmd_rulebook_check(args) -> int:
    """A rulebook file checked as `zc run` would check it once installed: its own keys and values,
    then beside the installed ones (a version or an effective_from taken twice is an error)."""
    from zc_pipeline.standards import check_new, load_rulebooks

    settings = _settings(args)
    path = Path(args.file)
    if not path.is_file():
        raise UserError(f"no rulebook file {path} / 找不到评价规则文件 {path}")
    book, first, last = check_new(load_rulebooks(settings.data_dir), path)
    print(f"{path}: rulebook {book.version}, {len(book.entries)} entries, sha256 {book.sha256} — usable / 可用")
    print(f"  installed in {settings.data_dir / 'standards'} it would govern the months from {first}"
          + (f" to {last}" if last else "") + ", and the quarters, halves and years that hold them; "
          "`zc run` recomputes those, and only those")
    return 0


def cmd_redraw(args) -> int:
    from zc_pipeline.domain.periods import period_kind
    from zc_pipeline.runner import redraw_spot_checks

    half = args.half.strip().upper()
    try:
        kind = period_kind(half)
    except ValueError:
        kind = None
    if kind != "half":
        raise UserError(f"{args.half!r} is not a half: write YYYY-H1 or YYYY-H2, e.g. 2026-H1 / 应为半年，如 2026-H1")
    with _stop_on_signals():
        redraw_spot_checks(_settings(args), half)
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
    r.add_argument("--standard", help="force one installed rulebook version on every period, for a what-if re-run "
                                      "(env ZC_STANDARD; rows say `<version>+forced`; default: each period's own)")
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
    t.add_argument("--period", required=True, help="the month YYYY-MM")
    t.add_argument("-o", "--output", required=True)
    t.set_defaults(func=cmd_template)

    u = sub.add_parser("ui", help="open the Dagster UI on the same instance (127.0.0.1)")
    u.add_argument("--port", type=int, default=3000)
    u.add_argument("--as-of")
    u.set_defaults(func=cmd_ui)

    x = sub.add_parser("explain", help="explain a park's month, quarter, half or year: inputs, factors, score, caps")
    x.add_argument("park")
    x.add_argument("period", help=EXPLAIN_FORMS)
    x.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    x.add_argument("--csv", help="also write the lines as CSV (the v_grade_explanation columns but run_id)")
    x.set_defaults(func=cmd_explain)

    w = sub.add_parser("what-if", help="what one lever alone would take for the next better grade of a quarter or half")
    w.add_argument("park")
    w.add_argument("period", help="YYYY-Qn (a quarter), YYYY-H1 (mid-year), YYYY-H2 or YYYY (year-end)")
    w.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    w.set_defaults(func=cmd_what_if)

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

    rb = sub.add_parser("rulebook", help="the installed rulebooks: list them, check a new one")
    rbs = rb.add_subparsers(dest="rulebook_cmd", required=True)
    rl = rbs.add_parser("list", help="every installed rulebook: version, in force from, file, SHA-256")
    rl.set_defaults(func=cmd_rulebook_list)
    rc = rbs.add_parser("check", help="check a rulebook file against the package's and the installed ones; "
                                      "say which months and windows it would govern")
    rc.add_argument("file")
    rc.set_defaults(func=cmd_rulebook_check)

    db = sub.add_parser("db", help="warehouse administration")
    dbs = db.add_subparsers(dest="db_cmd", required=True)
    g = dbs.add_parser("grant-bi", help="create a read-only BI role (PostgreSQL)")
    g.add_argument("role")
    g.set_defaults(func=cmd_grant_bi)
    return p


def _log_trace(argv) -> Path:
    """Write the current exception's trace to `<state>/logs/zc-<time>-<pid>.log` (a temp folder if
    the state folder cannot be written); return the file."""
    import tempfile

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = (f"zc {' '.join(sys.argv[1:] if argv is None else map(str, argv))}\n"
            f"at {dt.datetime.now().isoformat(timespec='seconds')}, python {sys.version.split()[0]}\n\n"
            f"{traceback.format_exc()}")
    for folder in (state_path() / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"zc-{stamp}-{os.getpid()}.log"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    raise OSError("no folder to write the log to")


def main(argv=None) -> int:
    """Run a `zc` command. A failure the project foresaw (UserError) is told in its own words, one
    line (a registry error: one more per issue); anything else is "unexpected", its trace logged."""
    args = build_parser().parse_args(argv)
    if args.data_dir:
        os.environ["ZC_DATA_DIR"] = args.data_dir
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"zc {args.cmd}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        print(f"zc {args.cmd}: interrupted / 已中断", file=sys.stderr)
        return 128 + getattr(exc, "signum", signal.SIGINT)
    except BrokenPipeError:  # `zc history ... | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        what = (str(getattr(exc, "orig", None) or exc).splitlines() or [""])[0][:200]
        try:
            where = f"the trace is in {_log_trace(argv)}"
        except OSError:
            where = "no log file could be written"
        if _is_instance_storage_error(exc):  # the Dagster instance's own database
            print(f"zc {args.cmd}: the Dagster instance's storage cannot be used ({what}): check "
                  f"DAGSTER_HOME's dagster.yaml (deploy/dagster.postgres.yaml: DAGSTER_PG_* settings) and "
                  f"that its database is running; {where} / 无法使用 Dagster 实例存储，请检查 dagster.yaml "
                  f"及其数据库是否运行", file=sys.stderr)
            return UserError.exit_code
        if _is_database_error(exc):  # the warehouse is not there, or refuses: the user can act on that
            print(f"zc {args.cmd}: the warehouse cannot be used ({what}): check --warehouse-url or "
                  f"ZC_WAREHOUSE_URL and that the database is running; {where} / 无法使用数据仓库，"
                  f"请检查数据仓库地址及数据库是否运行", file=sys.stderr)
            return UserError.exit_code
        print(f"zc {args.cmd}: unexpected error ({type(exc).__name__}: {what}); {where}. Please send it "
              f"with the command you ran to the pipeline's maintainers / 意外错误，请将日志文件与所运行的命令"
              f"一并发给维护人员", file=sys.stderr)
        return EXIT_UNEXPECTED


def _is_database_error(exc: BaseException) -> bool:
    """The database cannot be reached, opened or used (sqlalchemy's OperationalError)."""
    sa = sys.modules.get("sqlalchemy")  # imported already if the error came from it
    return sa is not None and isinstance(exc, sa.exc.OperationalError)


def _is_instance_storage_error(exc: BaseException) -> bool:
    """The Dagster instance's database cannot be reached or used: dagster-postgres gave up retrying,
    or a database error arose in Dagster's run, event-log or schedule storage (not the warehouse's)."""
    if type(exc).__module__.startswith("dagster_postgres"):
        return True
    if not _is_database_error(exc):
        return False
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.startswith(("dagster._core.storage", "dagster_postgres")):
            return True
        tb = tb.tb_next
    return False


if __name__ == "__main__":
    sys.exit(main())
