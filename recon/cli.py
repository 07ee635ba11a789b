"""The ``recon`` command line: parse options, call one library function, print.

Every user-facing word is Chinese. Errors become one red line on stderr and
exit code 1 (2 for wrong usage); ``--debug`` shows the traceback instead.
Tracebacks never show local variables (they hold personal data).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from recon import __version__
from recon._zh import install as _install_chinese
from recon.console import StepProgress, err, make_progress, out
from recon.errors import ReconError, UsageError

_install_chinese()

app = typer.Typer(
    name="recon",
    help=(
        "实有人口核对工具：把上门采集表与公安系统数据逐人比对，"
        "列出人到机（待录入、待变更）和机到人（待上门核查）名单。"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar="[选项]",
    subcommand_metavar="命令 [参数]...",
)
OPTS = "[选项]"

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        out.print(f"recon {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="出错时显示完整的技术信息（供维护人员排查）")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号并退出")
    ] = False,
) -> None:
    _state["debug"] = debug


@contextmanager
def _friendly() -> Iterator[None]:
    """Turn errors into one Chinese line and an exit code; say which files a
    rewrite kept (a filled sheet is never deleted, see ``recon.outdir``)."""
    from recon.outdir import keeping

    try:
        with keeping() as kept:
            try:
                yield
            finally:
                for k in kept:
                    err.print(f"[yellow]已保留：[/]{escape(k.message())}")
    except ReconError as exc:
        if _state["debug"]:
            raise
        err.print(f"[bold red]错误：[/]{escape(exc.render())}")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("[yellow]已中断，未完成的结果没有保留。[/]")
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except OSError as exc:  # the disk, not the data: full, read-only, a file held open
        if _state["debug"]:
            raise
        err.print(f"[bold red]错误：[/]{escape(_os_error(exc))}")
        raise typer.Exit(1) from None
    except Exception as exc:  # a bug: never show a traceback (it may hold data)
        if _state["debug"]:
            raise
        err.print(
            f"[bold red]内部错误[/]（{type(exc).__name__}）：这是 recon 的缺陷，不是您的操作问题。"
            "请加 --debug 重新运行，把输出（先删去其中的个人信息）发给维护人员。"
        )
        raise typer.Exit(1) from None


def _os_error(exc: OSError) -> str:
    import errno

    reasons = {
        errno.ENOSPC: "磁盘空间不足",
        errno.EACCES: "没有权限，或文件正在被其他程序（如 Excel/WPS）使用",
        errno.EPERM: "没有权限，或文件正在被其他程序（如 Excel/WPS）使用",
        errno.EROFS: "磁盘或文件夹是只读的",
        errno.ENOENT: "找不到文件或文件夹",
    }
    reason = reasons.get(exc.errno or -1, "读写文件失败")
    where = f"「{exc.filename}」" if exc.filename else ""
    return (
        f"{reason}{where}。未完成的结果没有保留。"
        "请检查磁盘空间和文件夹权限，关闭正在打开的结果文件后再试"
    )


# --- look-ups -----------------------------------------------------------------------


@app.command(
    "id",
    options_metavar=OPTS,
    help="查看身份证号的识别结果：规范号码、是否有效、出生日期、性别、问题与修复。",
)
def id_command(
    texts: Annotated[
        list[str], typer.Argument(help="一个或多个身份证号", show_default=False, metavar="号码")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="每行输出一个 JSON 对象")] = False,
) -> None:
    from recon.lookup import describe_id, render_ids

    with _friendly():
        infos = [describe_id(t) for t in texts]
        if as_json:
            for info in infos:
                typer.echo(json.dumps(info, ensure_ascii=False))
        else:
            out.print(render_ids(infos))


@app.command(
    "address",
    options_metavar=OPTS,
    help="查看地址的拆分结果和「房屋键」（同一套房的不同写法得到同一个键）。",
)
def address_command(
    texts: Annotated[
        list[str], typer.Argument(help="一个或多个地址", show_default=False, metavar="地址")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="每行输出一个 JSON 对象")] = False,
) -> None:
    from recon.lookup import describe_address, render_addresses

    with _friendly():
        infos = [describe_address(t) for t in texts]
        if as_json:
            for info in infos:
                typer.echo(json.dumps(info, ensure_ascii=False))
        else:
            out.print(render_addresses(infos))


# --- inspect ---------------------------------------------------------------------


@app.command(
    "inspect",
    options_metavar=OPTS,
    help="检查表格：每个文件、每个工作表找到的表头、各列识别为什么、读取和跳过的行数、发现的问题。",
)
def inspect_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="文件或文件夹（可多个）", show_default=False, metavar="文件或文件夹"),
    ],
    system: Annotated[
        bool, typer.Option("--system", help="按公安系统导出表读取（识别状态/注销列）")
    ] = False,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="表头映射文件（TOML），补充或改写列名识别")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="每个工作表输出一行 JSON（列、识别的字段和依据）")
    ] = False,
) -> None:
    from recon.inspect import inspect_files, inspection_json, render_inspection

    with _friendly():
        with make_progress() as progress:
            task = progress.add_task("读取表格", total=None)
            result, sheets = inspect_files(
                paths,
                side="system" if system else "field",
                mapping=mapping,
                on_file=lambda name: progress.update(task, advance=1),
            )
            progress.update(task, total=progress.tasks[0].completed)
        if as_json:
            for info in inspection_json(sheets):
                typer.echo(json.dumps(info, ensure_ascii=False))
        else:
            for part in render_inspection(result, sheets):
                out.print(part)
        if result.errors:
            for exc in result.errors:
                err.print(f"[bold red]错误：[/]{escape(exc.render())}")
            raise typer.Exit(1)


# --- match ----------------------------------------------------------------------------

REGISTER_OPT = typer.Option(
    "--register",
    help="登记库文件（每个街道一个）：把本次运行记入登记库，供 recon changes 跨轮比较",
    show_default=False,
)
RUN_DATE_OPT = typer.Option("--date", help="本次运行代表的日期（默认今天）", show_default=False)


def _record(kind: str, folder: Path, register: Path | None, day: str | None) -> None:
    """Record a finished result folder into the register (after the command wrote it)."""
    if register is None:
        return
    from recon.rounds import record_run

    done = record_run(kind, folder, register, _day(day, "--date"))
    if done.new:
        err.print(f"已记入登记库：{escape(str(register))}")
    else:
        err.print(
            f"登记库中已有这次运行（输入、规则和日期都相同），没有重复记录：{escape(str(register))}"
        )


@app.command(
    "match",
    options_metavar=OPTS,
    help=(
        "核对：把现场采集表（人到机）与公安系统导出数据（机到人）逐人比对，"
        "结果写入 --out 指定的文件夹（CSV 文件和「核对结果.xlsx」）。"
    ),
)
def match_command(
    field: Annotated[
        list[Path],
        typer.Argument(
            help="现场采集表：文件或文件夹（可多个）", show_default=False, metavar="采集表"
        ),
    ],
    system: Annotated[
        list[Path],
        typer.Option(
            "--system",
            "-s",
            help="公安系统导出表：文件或文件夹（可多个，--system 后可连写）",
            show_default=False,
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="结果文件夹", show_default=False)],
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="表头映射文件（TOML），补充或改写列名识别")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="覆盖已有的结果文件夹（只替换上次写出且未改动的文件，其余保留）"
        ),
    ] = False,
    committee: Annotated[
        list[str] | None,
        typer.Option(
            "--committee",
            "-c",
            help="只把这些居委的系统记录列入机到人待核查（可多次指定）；其余记为不在本次范围",
            show_default=False,
        ),
    ] = None,
    decisions: Annotated[
        list[Path] | None,
        typer.Option(
            "--decisions",
            help="已填好的「待人工确认单.xlsx」：是同一人的直接匹配，不是同一人的不再提出",
            show_default=False,
        ),
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="核对类型：不写为来沪人员（暂住人口）；写「人户分离」则把人户分离排查表与"
            "人户分离名单（--system）双向核对",
            show_default=False,
        ),
    ] = "",
    register: Annotated[Path | None, REGISTER_OPT] = None,
    as_of: Annotated[str | None, RUN_DATE_OPT] = None,
) -> None:
    from recon.modes import get_mode
    from recon.pipeline import run_match
    from recon.report import MATCH_STEPS, render_match_summary

    with _friendly():
        with StepProgress(MATCH_STEPS) as steps:
            run = run_match(
                field,
                system,
                out,
                mapping=mapping,
                force=force,
                on_step=steps.step,
                committees=committee,
                decisions=decisions,
                mode=mode,
            )
        err.print(render_match_summary(run.summary))
        lists = run.worklists
        if lists is not None and lists.pdf_skipped:
            how = get_mode(mode).pdf_hint
            err.print(f"核查单较长（{lists.visits} 人），没有生成 PDF；{how}")
        err.print(f"结果已写入：[bold]{escape(str(run.out))}[/]")
        _record("match", run.out, register, as_of)


# --- worklists -------------------------------------------------------------------------


@app.command(
    "worklist",
    options_metavar=OPTS,
    help=(
        "重新生成核查单：从 recon match 的结果文件夹生成「入户核查单」（每个居委一页表，"
        "按地址顺序，另有 PDF）和「待人工确认单」。"
    ),
)
def worklist_command(
    result: Annotated[
        Path,
        typer.Argument(help="recon match 的结果文件夹", show_default=False, metavar="结果文件夹"),
    ],
    out: Annotated[Path | None, OUT_BACK_OPT] = None,
    no_mask: Annotated[
        bool, typer.Option("--no-mask", help="打印件上显示完整的身份证号和电话（默认部分隐去）")
    ] = False,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="同时生成 PDF（默认生成）")] = True,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="映射文件（TOML），可含输出设置")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help=(
                "已改动（可能已填写）的核查单也重新生成（原来的另存一份），"
                "或覆盖已存在的 --out 文件夹"
            ),
        ),
    ] = False,
) -> None:
    import dataclasses

    from recon.regenerate import regenerate
    from recon.rules import load_rules

    with _friendly():
        output = load_rules(mapping).output
        if no_mask:
            output = dataclasses.replace(output, mask=False)
        with make_progress() as progress:
            task = progress.add_task("生成核查单", total=None)
            lists = regenerate(result, out, output, pdf=pdf, force=force)
            progress.update(task, total=1, completed=1)
        where = out or result
        err.print(
            f"入户核查单：{escape(str(where))}（{lists.visits} 人，PDF {len(lists.pdfs)} 个）"
        )
        if lists.review_workbook:
            err.print(f"待人工确认单：{lists.reviews} 对")


@app.command(
    "results",
    options_metavar=OPTS,
    help=(
        "读回填好的入户核查单：写出注销表（已离开）、变更表（信息有误）、待录入表（新发现的人）、"
        "各居委进度和读不懂的地方。"
    ),
)
def results_command(
    filled: Annotated[
        list[Path],
        typer.Argument(
            help="填好的入户核查单（文件或文件夹）", show_default=False, metavar="核查单"
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="结果文件夹", show_default=False)],
    match: Annotated[
        Path | None,
        typer.Option(
            "--match",
            help="recon match 的结果文件夹：把人到机待录入和信息变更一并写入待录入表、变更表",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="覆盖已存在的结果文件夹（仅限 recon 写的）")
    ] = False,
    register: Annotated[Path | None, REGISTER_OPT] = None,
    as_of: Annotated[str | None, RUN_DATE_OPT] = None,
) -> None:
    from recon.loaders import collect_files
    from recon.outdir import check_out_dir
    from recon.report import render_results_summary
    from recon.results import read_filled_worklists, write_results

    with _friendly():
        check_out_dir(out, [*filled, *([match] if match else [])], force)
        with make_progress() as progress:
            task = progress.add_task("读取核查单", total=None)
            results = read_filled_worklists(filled, match)
            counts = write_results(results, out, match, force=force)
            progress.update(task, total=1, completed=1)
        table = results.progress()
        copies = [c for c in ("读到份数", "有填写的份数") if c in table]
        err.print(render_results_summary(table.drop(columns=copies), counts))
        if copies:
            total = table.iloc[-1]
            skipped = len(collect_files(filled)) - len(results.files)
            same = f"；另有 {skipped} 份与已读的完全相同，只计一次" if skipped else ""
            err.print(
                f"读入核查单 {len(results.files)} 份，其中 {total['有填写的份数']} 份有填写{same}"
                "（各居委读到几份见「进度」表）"
            )
        err.print(f"结果已写入：[bold]{escape(str(out))}[/]")
        _record("results", out, register, as_of)


# --- audits -------------------------------------------------------------------------


def _day(text: str | None, option: str) -> _dt.date | None:
    """A date option (2026-11-25, 2026.11.25, 2026年11月25日, 20261125)."""
    if text is None:
        return None
    from recon.normalize.values import parse_date

    iso = parse_date(text)
    if not iso:
        raise UsageError(f"{option} 的日期看不懂：{text}", hint="请写成 2026-11-25 这样的格式")
    return _dt.date.fromisoformat(iso)


RESULT_ARG = typer.Argument(
    help="recon match 的结果文件夹", show_default=False, metavar="结果文件夹"
)
OUT_BACK_OPT = typer.Option("--out", "-o", help="写到另一个文件夹（默认写回结果文件夹）")
VISITS_OPT = typer.Option(
    "--visits",
    help="recon results 的结果文件夹（上门核查结果，可多个，--visits 后可连写）",
    show_default=False,
)


@app.command(
    "audit",
    options_metavar=OPTS,
    help=(
        "考核统计：按居委计算来登率、采集录入率、去销率、重复登记率、完整率、准确率、"
        "采集与录入时限、抽查结果，以及奖励与倒扣；写出 audit.csv 和「考核统计.xlsx」。"
    ),
)
def audit_command(
    result: Annotated[Path, RESULT_ARG],
    visits: Annotated[list[Path] | None, VISITS_OPT] = None,
    checks: Annotated[
        list[Path] | None,
        typer.Option(
            "--checks", help="填好的抽查单（recon sample 生成，可多个）", show_default=False
        ),
    ] = None,
    out: Annotated[Path | None, OUT_BACK_OPT] = None,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="考核规则文件（TOML），覆盖 audit.toml 中的同名设置"),
    ] = None,
    workdays: Annotated[
        Path | None,
        typer.Option("--workdays", help="补充节假日和调休的文件（CSV 或 xlsx，两列：日期、类型）"),
    ] = None,
    months: Annotated[
        int, typer.Option("--months", min=1, max=24, help="奖励按几个月计算（默认一个季度）")
    ] = 3,
    as_of: Annotated[
        str | None, typer.Option("--date", help="统计截止日期（默认今天）", show_default=False)
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="时限只统计这一天及以后的变动", show_default=False),
    ] = None,
    register: Annotated[
        Path | None,
        typer.Option(
            "--register",
            help="登记库文件：另按轮次列出各居委的来登率、去销率、采集录入率、录入及时率"
            "（trend.csv 和「考核趋势.xlsx」，每个比率一张折线图）",
            show_default=False,
        ),
    ] = None,
) -> None:
    from recon.audit import run_audit
    from recon.report import render_audit_summary

    with _friendly():
        day, start = _day(as_of, "--date"), _day(since, "--since")
        with make_progress() as progress:
            task = progress.add_task("统计", total=None)
            report = run_audit(
                result,
                out=out,
                results=visits,
                checks=checks,
                rules_path=rules,
                workdays=workdays,
                months=months,
                as_of=day,
                since=start,
                register=register,
            )
            progress.update(task, total=1, completed=1)
        for warning in report.warnings:
            err.print(f"[yellow]提示：[/]{escape(warning)}")
        err.print(render_audit_summary(report.rates, report.money))
        err.print(f"考核统计已写入：[bold]{escape(str(report.out))}[/]（audit.csv、考核统计.xlsx）")
        if register is not None:
            err.print("按轮次的比率：trend.csv、考核趋势.xlsx")


@app.command(
    "sample",
    options_metavar=OPTS,
    help=(
        "抽查：从核对结果中按户随机抽取（每个居委若干户，整户核查），生成「抽查单.xlsx」；"
        "同一随机种子抽到的户相同。填好后用 recon audit --checks 读回。"
    ),
)
def sample_command(
    result: Annotated[Path, RESULT_ARG],
    houses: Annotated[int, typer.Option("--houses", min=1, help="每个居委抽几户")] = 30,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="随机种子（默认按当前时间取，并显示出来以便重抽）"),
    ] = None,
    out: Annotated[Path | None, OUT_BACK_OPT] = None,
    committee: Annotated[
        list[str] | None,
        typer.Option("--committee", "-c", help="只抽这些居委（可多次指定）", show_default=False),
    ] = None,
    no_mask: Annotated[
        bool, typer.Option("--no-mask", help="抽查单上显示完整的身份证号（默认部分隐去）")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="已有抽查单时也重新抽（填过的另存一份）")
    ] = False,
) -> None:
    from recon.audit import draw_and_write_sample

    with _friendly():
        drawn = draw_and_write_sample(
            result, houses, seed, out=out, committees=committee, mask=not no_mask, force=force
        )
        err.print(
            f"抽查单已写入：[bold]{escape(str(drawn.path))}[/]"
            f"（{drawn.committees} 个居委，{drawn.houses} 户，名单 {drawn.people} 人，"
            f"随机种子 {drawn.seed}）"
        )


@app.command(
    "progress",
    options_metavar=OPTS,
    help=(
        "进度表：按居委统计截至某日的采集、匹配、待录入、待核查、已核查、已注销人数，"
        "写出「进度表.xlsx」和 进度表.csv，供每月10日、25日上报。"
    ),
)
def progress_command(
    result: Annotated[Path, RESULT_ARG],
    visits: Annotated[list[Path] | None, VISITS_OPT] = None,
    as_of: Annotated[
        str | None, typer.Option("--date", help="统计截止日期（默认今天）", show_default=False)
    ] = None,
    out: Annotated[Path | None, OUT_BACK_OPT] = None,
    register: Annotated[
        Path | None,
        typer.Option(
            "--register",
            help="登记库文件：另按登记库列出累计和上次上报日以来的新来、已录入、已注销、"
            "已上门核查及当前逾期（进度表.xlsx 的「登记库累计」页和 进度表_登记库.csv）",
            show_default=False,
        ),
    ] = None,
) -> None:
    from recon.audit import progress
    from recon.report import render_progress

    with _friendly():
        report = progress(result, visits, _day(as_of, "--date"), out, register=register)
        err.print(render_progress(report.table, f"进度表（截至 {report.as_of:%Y-%m-%d}）"))
        for note in report.notes:
            err.print(escape(note))
        err.print(f"进度表已写入：[bold]{escape(str(report.out))}[/]")


# --- rounds -----------------------------------------------------------------------------


@app.command(
    "changes",
    options_metavar=OPTS,
    help=(
        "跨轮变动与逾期：从登记库比较本轮与上一轮（或 --since 日期），按居委列出新来、离开、"
        "信息变更、录入和注销的办结与逾期、核查逾期、重新出现、未核查即注销；"
        "写出 changes.csv 和「变动与逾期.xlsx」。"
    ),
)
def changes_command(
    register: Annotated[
        Path, typer.Argument(help="登记库文件", show_default=False, metavar="登记库")
    ],
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="从这一天之后算起（默认从上一轮核对算起）", show_default=False
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--date", help="截至哪一天（默认今天）", show_default=False)
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="写入的文件夹（默认登记库旁边的「变动与逾期_日期」）"),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="考核规则文件（TOML），覆盖 audit.toml 中的期限设置"),
    ] = None,
    workdays: Annotated[
        Path | None,
        typer.Option("--workdays", help="补充节假日和调休的文件（CSV 或 xlsx，两列：日期、类型）"),
    ] = None,
) -> None:
    from recon.report import render_progress
    from recon.rounds import run_changes

    with _friendly():
        report, target = run_changes(
            register,
            _day(as_of, "--date"),
            _day(since, "--since"),
            out,
            rules_path=rules,
            workdays=workdays,
        )
        counts = report.counts().reset_index(names="居委")
        err.print(render_progress(counts, f"变动与逾期（本轮核对 {report.round_day:%Y-%m-%d}）"))
        err.print(f"已写入：[bold]{escape(str(target))}[/]（changes.csv、变动与逾期.xlsx）")


# --- houses ---------------------------------------------------------------------------


@app.command(
    "houses",
    options_metavar=OPTS,
    help=(
        "实有房屋：按核对结果建立房屋清册——每套房的房屋编码、登记和见到的人数、"
        "需上门的房屋（群租嫌疑、未入册、人房不符、居改非、出租未登记）；"
        "写出 houses.csv、residents.csv 和「房屋清册.xlsx」。房屋编码保存在登记库文件中，"
        "以后每次运行保持不变。"
    ),
)
def houses_command(
    result: Annotated[Path, RESULT_ARG],
    lists: Annotated[
        list[Path] | None,
        typer.Option(
            "--list",
            help="房屋清册（房管所、物业或实有房屋模块导出，可多个，--list 后可连写）",
            show_default=False,
        ),
    ] = None,
    register: Annotated[
        Path | None,
        typer.Option(
            "--register",
            help="登记库文件（默认：结果文件夹旁边的「街道登记库.sqlite」）",
            show_default=False,
        ),
    ] = None,
    out: Annotated[Path | None, OUT_BACK_OPT] = None,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="房屋规则文件（TOML），覆盖 houses.toml 中的同名设置"),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--date", help="本次运行代表的日期（默认今天）", show_default=False),
    ] = None,
    checked: Annotated[
        list[Path] | None,
        typer.Option(
            "--checked",
            help=(
                "填好的「居住房屋基础信息核对表」（可多个，--checked 后可连写）：核对结果记入登记库"
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    from recon.houses import run_houses
    from recon.report import render_houses_summary

    with _friendly():
        with make_progress() as progress:
            task = progress.add_task("建立房屋清册", total=None)
            report = run_houses(
                result,
                lists,
                register=register,
                out=out,
                rules_path=rules,
                day=_day(as_of, "--date"),
            )
            progress.update(task, total=1, completed=1)
        for note in report.notes:
            err.print(escape(note))
        for p in report.problems[:20]:
            where = f"{p['file']} {p['sheet']} 第{p['row']}行"
            err.print(f"[yellow]提示：[/]{escape(where)}：{escape(str(p['problem']))}")
        err.print(render_houses_summary(report.overview))
        err.print(
            f"房屋清册已写入：[bold]{escape(str(report.out))}[/]（houses.csv、residents.csv、房屋清册.xlsx）"
        )
        err.print(f"房屋编码保存在：{escape(str(report.register))}（请妥善备份）")


@app.command(
    "find",
    options_metavar=OPTS,
    help=(
        "查房知人、查人知住：输入地址（任何写法）、身份证号或姓名，"
        "显示对应的房屋、房屋编码和住在那里的所有人。"
    ),
)
def find_command(
    result: Annotated[Path, RESULT_ARG],
    texts: Annotated[
        list[str],
        typer.Argument(
            help="地址、身份证号或姓名（可多个）", show_default=False, metavar="查询内容"
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="每个查询输出一行 JSON（供其他程序使用）")
    ] = False,
) -> None:
    from recon.houses import find
    from recon.report import render_found

    with _friendly():
        for found in find(result, texts):
            if as_json:
                typer.echo(json.dumps(found.as_json(), ensure_ascii=False))
            else:
                out.print(render_found(found))


# --- verify and redact --------------------------------------------------------------


@app.command(
    "verify",
    options_metavar=OPTS,
    help=(
        "检查结果文件夹：文件是否齐全、行数是否与记录一致、各结果之和是否等于读取的行数、"
        "输入文件在核对之后是否被改动过。"
    ),
)
def verify_command(
    result: Annotated[
        Path,
        typer.Argument(help="recon match 的结果文件夹", show_default=False, metavar="结果文件夹"),
    ],
    redact: Annotated[
        Path | None,
        typer.Option("--redact", help="同时写出一份脱敏副本到这个文件夹（用于请人帮忙排查）"),
    ] = None,
) -> None:
    from rich.table import Table

    from recon.verify import redact_result, verify_result

    with _friendly():
        checks = verify_result(result)
        table = Table(title="结果文件夹检查")
        table.add_column("检查项", overflow="fold")  # wrapped, never cut to "…"
        table.add_column("结果", no_wrap=True)
        table.add_column("说明", overflow="fold")
        for c in checks:
            mark = (
                "[green]通过[/]"
                if c.ok
                else "[yellow]未核对[/]"
                if c.ok is None
                else "[red]不符[/]"
            )
            table.add_row(escape(c.what), mark, escape(c.detail))
        out.print(table)
        if redact:
            redact_result(result, redact)
            err.print(f"脱敏副本已写入：{escape(str(redact))}")
        if any(c.ok is False for c in checks):
            raise typer.Exit(1)


@app.command(
    "redact",
    options_metavar=OPTS,
    help=(
        "写出结果文件夹的脱敏副本：姓名、身份证号、出生日期、地址、电话和手写说明都部分隐去，"
        "行号和说明保留，便于请人帮忙排查。"
    ),
)
def redact_command(
    result: Annotated[
        Path,
        typer.Argument(
            help="recon match、results、audit 或 progress 写出的文件夹",
            show_default=False,
            metavar="结果文件夹",
        ),
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="副本写入的文件夹", show_default=False)
    ],
) -> None:
    from recon.verify import redact_result

    with _friendly():
        files = redact_result(result, out_dir)
        err.print(f"脱敏副本已写入：{escape(str(out_dir))}（{len(files)} 个文件）")


# --- sample data and the demo ---------------------------------------------------------


@app.command(
    "generate",
    options_metavar=OPTS,
    help="生成一个模拟街道的示例数据（采集表、系统导出表和标准答案），用于试用和测试。",
)
def generate_command(
    folder: Annotated[
        Path, typer.Argument(help="写入的文件夹", show_default=False, metavar="文件夹")
    ],
    seed: Annotated[int, typer.Option("--seed", help="随机种子（相同种子得到相同数据）")] = 2024,
    committees: Annotated[int, typer.Option("--committees", help="居委个数")] = 8,
    residents: Annotated[int, typer.Option("--residents", help="每个居委的实有人口数")] = 400,
    flat: Annotated[
        bool, typer.Option("--flat", help="只写两个简单的 CSV 文件（用于性能测试）")
    ] = False,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="写「人户分离」则生成人户分离名单和上门排查表（不写则为来沪人员）",
            metavar="类型",
        ),
    ] = "",
) -> None:
    from recon.demo import generate

    with _friendly():
        files = generate(
            folder, seed=seed, committees=committees, residents=residents, flat=flat, mode=mode
        )
        err.print(f"示例数据已写入：{files.field_dir.parent}")
        err.print(f"  现场采集表：{files.field_dir}")
        err.print(f"  系统导出表：{files.system_dir}")
        err.print(f"  标准答案：{files.truth_path}")
        if files.house_list is not None:
            err.print(f"  房屋清册：{files.house_list}")


@app.command(
    "demo",
    options_metavar=OPTS,
    help="生成示例数据并完整运行一遍，结果写入指定文件夹（默认 recon_demo）。",
)
def demo_command(
    folder: Annotated[
        Path, typer.Argument(help="示例数据和结果写入的文件夹", metavar="[文件夹]")
    ] = Path("recon_demo"),
) -> None:
    from recon.demo import run_demo

    with _friendly():
        run_demo(folder)


_MULTI_VALUE_OPTIONS = ("--system", "-s", "--visits", "--checks", "--list", "--checked")


def expand_argv(argv: list[str]) -> list[str]:
    """Let ``--system a.csv b.csv`` mean ``--system a.csv --system b.csv``.

    CONTRACT.md writes ``--system SYSTEM...``: every word after ``--system``
    up to the next option is a system file.
    """
    out: list[str] = []
    current: str | None = None
    for word in argv:
        if word.startswith("-") and len(word) > 1:
            current = word if word in _MULTI_VALUE_OPTIONS else None
            out.append(word)
            continue
        if current is not None and out and out[-1] != current:
            out.append(current)
        out.append(word)
    return out


def main() -> None:
    """Entry point of the ``recon`` script."""
    import gc
    import sys

    try:
        app(args=expand_argv(sys.argv[1:]), prog_name="recon")
    finally:
        # The process ends here, its files written and closed: leave what
        # is alive to the end out of the collections that tear the modules
        # down (pandas, pyarrow, reportlab, fontTools: about 0.3 s of a
        # `recon match` at 100k spent after its last line). Standard streams
        # are still flushed and atexit handlers still run.
        gc.freeze()


if __name__ == "__main__":
    main()
