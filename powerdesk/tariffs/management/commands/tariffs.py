"""``powerdesk tariffs …``: the tariff engine from the command line, JSON out.

* ``powerdesk tariffs bill --plan P --start D --end D --kwh N`` (or ``--peak N --semi-peak N
  --off-peak N`` for a time-of-use plan) — one reading period, the API's ``/tariffs/bill`` shape.
* ``powerdesk tariffs compare --summer-kwh N --non-summer-kwh N --summer-shares PEAK,SEMI,OFF
  --non-summer-shares SEMI,OFF`` (form (a)) or ``--csv FILE`` (form (c)) — the API's
  ``/tariffs/compare`` shape.

* ``powerdesk tariffs recommend [--from-db | --input FILE.csv|.parquet] [--output FILE.csv]
  [--partitions N [--partition I] [--enqueue]] [--chunk-size N] [--quiet]`` — every account
  priced under every plan open to it over its last 12 months, the cheapest plan and the saving
  (``powerdesk.tariffs.recommending``): a summary table on stdout, the per-account CSV, and a
  new ``RecommendationRun`` with its ``TariffRecommendation`` rows; a progress bar on stderr
  when it is a terminal.

Bad input exits with status 2 and a message naming the option (or the CSV row and column) in
the language of ``--language`` (bill and compare: zh-hant by default; recommend: English when
LC_ALL / LC_MESSAGES / LANG is English, else zh-hant). Subcommands are entries of
``SUBCOMMANDS``, added with ``register(name, subcommand=Subcommand(help=…, add_arguments=…,
run=…))``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from powerdesk.core.domain.errors import DomainError
from powerdesk.core.errors import ApplicationError, InvalidInputError
from powerdesk.tariffs import api
from powerdesk.tariffs.schemas import PLAN_CODES, bill_out, comparison_out

LANGUAGES = ("zh-hant", "en")
EXIT_BAD_INPUT = 2


@dataclass(frozen=True, slots=True)
class Subcommand:
    """One ``powerdesk tariffs <name>``: its help, its options, and what it does.

    ``run(command, options)`` returns the JSON-ready result to print, or None when it printed
    its own output; it raises ``ApplicationError`` (or ``CommandError``) on bad input.
    """

    help: str
    add_arguments: Callable[[CommandParser], None]
    run: Callable[[BaseCommand, dict[str, Any]], Any]


SUBCOMMANDS: dict[str, Subcommand] = {}


def register(name: str, *, subcommand: Subcommand) -> None:
    """Add a subcommand (``recommend`` is added by the bulk module this way)."""
    SUBCOMMANDS[name] = subcommand


def _flag(field: str) -> str:
    """The option a field of the shared calculations comes from (``kwh.semi_peak`` → --semi-peak)."""
    head, _, rest = field.partition(".")
    if head == "kwh" and rest:
        return "--" + rest.replace("_", "-")
    return "--" + head.replace("_", "-").split("[")[0]


def _customer_arguments(parser: CommandParser) -> None:
    parser.add_argument("--phase", default="single", help="single (default) or three.")
    parser.add_argument("--meter-amperes", help="[A] meter rating (for the minimum charge).")
    parser.add_argument(
        "--tax-exempt", action="store_true", help="Exempt from business tax (total ÷ 1.05)."
    )
    parser.add_argument("--power-factor", help="[%%] whole-percent power factor (three-phase).")
    parser.add_argument("--equipment-kva", help="[kVA] installed equipment (three-phase).")
    parser.add_argument("--language", choices=LANGUAGES, default="zh-hant")


def _customer(options: dict[str, Any]) -> dict[str, Any]:
    return {
        "phase": options["phase"],
        "meter_amperes": options["meter_amperes"],
        "tax_exempt": options["tax_exempt"],
        "power_factor": options["power_factor"],
        "equipment_kva": options["equipment_kva"],
    }


def _usage_error(options: dict[str, Any], *, zh_hant: str, en: str) -> CommandError:
    message = en if options["language"] == "en" else zh_hant
    return CommandError(message, returncode=EXIT_BAD_INPUT)


# --- bill -----------------------------------------------------------------------------------


def _bill_arguments(parser: CommandParser) -> None:
    parser.add_argument("--plan", required=True, help=f"One of: {', '.join(PLAN_CODES)}.")
    parser.add_argument("--start", required=True, help="First day of use (YYYY-MM-DD).")
    parser.add_argument("--end", required=True, help="Last day of use, inclusive (YYYY-MM-DD).")
    parser.add_argument("--kwh", help="[kWh] total (non-time-of-use plans).")
    parser.add_argument("--peak", help="[kWh] peak (time-of-use plans).")
    parser.add_argument("--semi-peak", help="[kWh] semi-peak (three-period plan).")
    parser.add_argument("--off-peak", help="[kWh] off-peak (time-of-use plans).")
    parser.add_argument("--billing", default="monthly", help="monthly (default) or bimonthly.")
    _customer_arguments(parser)


def _bill(command: BaseCommand, options: dict[str, Any]) -> dict[str, Any]:
    periods = {
        name: options[name]
        for name in ("peak", "semi_peak", "off_peak")
        if options[name] is not None
    }
    if periods and options["kwh"] is not None:
        raise _usage_error(
            options,
            zh_hant="--kwh 與 --peak/--semi-peak/--off-peak 只能擇一填寫。",
            en="Give either --kwh or --peak/--semi-peak/--off-peak, not both.",
        )
    options["periods_given"] = bool(periods)
    if not periods and options["kwh"] is None:
        raise _usage_error(
            options,
            zh_hant="請填寫 --kwh（非時間電價），或 --peak/--semi-peak/--off-peak（時間電價）。",
            en="Give --kwh (non-time-of-use plans) or --peak/--semi-peak/--off-peak (time-of-use plans).",
        )
    bill = api.tariff_bill(
        plan=options["plan"],
        start=options["start"],
        end=options["end"],
        kwh=periods or options["kwh"],
        billing=options["billing"],
        **_customer(options),
    )
    return bill_out(bill, language=options["language"])


# --- compare --------------------------------------------------------------------------------


def _compare_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--current-plan",
        default="residential",
        help=f"Your plan now (default residential); one of: {', '.join(PLAN_CODES)}.",
    )
    parser.add_argument(
        "--tiered-plan",
        help="Your non-time-of-use class: residential, non_residential or commercial (needed "
        "when --current-plan is a time-of-use plan).",
    )
    parser.add_argument("--summer-kwh", help="[kWh/month] typical summer month (form a).")
    parser.add_argument("--non-summer-kwh", help="[kWh/month] typical other month (form a).")
    parser.add_argument(
        "--summer-shares", help="[%%] PEAK,SEMI_PEAK,OFF_PEAK of summer use, summing to 100."
    )
    parser.add_argument(
        "--non-summer-shares",
        help="[%%] SEMI_PEAK,OFF_PEAK (or 0,SEMI_PEAK,OFF_PEAK) of other months' use.",
    )
    parser.add_argument("--csv", type=Path, help="Interval CSV file (form c).")
    parser.add_argument("--as-of", help="Price with the tariffs in force on this date.")
    parser.add_argument(
        "--offpeak-days", help="Taipower's off-peak days, comma-separated (form c)."
    )
    _customer_arguments(parser)


def _shares(options: dict[str, Any], *, name: str) -> dict[str, str]:
    flag = "--" + name.replace("_", "-")
    parts = [part.strip() for part in str(options[name]).split(",")]
    if len(parts) == 3:
        return dict(zip(("peak", "semi_peak", "off_peak"), parts, strict=True))
    if len(parts) == 2 and name == "non_summer_shares":
        return dict(zip(("semi_peak", "off_peak"), parts, strict=True))
    expected = "PEAK,SEMI_PEAK,OFF_PEAK" if name == "summer_shares" else "SEMI_PEAK,OFF_PEAK"
    raise _usage_error(
        options,
        zh_hant=f"{flag} 應為以逗號分隔的百分比 {expected}，收到「{options[name]}」。",
        en=f"{flag} must be percentages {expected} separated by commas, got {options[name]!r}.",
    )


def _compare(command: BaseCommand, options: dict[str, Any]) -> dict[str, Any]:
    typical = ("summer_kwh", "non_summer_kwh", "summer_shares", "non_summer_shares")
    language = options["language"]
    if options["csv"] is not None:
        given = [name for name in typical if options[name] is not None]
        if given:
            raise _usage_error(
                options,
                zh_hant=f"--csv 不能與 {_flag(given[0])} 同時使用。",
                en=f"--csv cannot be combined with {_flag(given[0])}.",
            )
        try:
            data = options["csv"].read_bytes()
        except OSError as error:
            raise _usage_error(
                options,
                zh_hant=f"--csv：無法讀取檔案 {options['csv']}（{error.strerror}）。",
                en=f"--csv: cannot read {options['csv']} ({error.strerror}).",
            ) from error
        comparison = api.tariff_compare_csv(
            data=data,
            current_plan=options["current_plan"],
            tiered_plan=options["tiered_plan"],
            as_of=options["as_of"],
            offpeak_days=options["offpeak_days"],
            **_customer(options),
        )
        return comparison_out(comparison, language=language)
    missing = [name for name in typical if options[name] is None]
    if missing:
        raise _usage_error(
            options,
            zh_hant=f"請填寫 {_flag(missing[0])}（或改用 --csv 上傳區間資料）。",
            en=f"Give {_flag(missing[0])} (or --csv with interval data).",
        )
    if options["offpeak_days"] is not None:
        raise _usage_error(
            options,
            zh_hant="--offpeak-days 只適用於 --csv。",
            en="--offpeak-days applies to --csv only.",
        )
    comparison = api.tariff_compare_typical(
        current_plan=options["current_plan"],
        tiered_plan=options["tiered_plan"],
        summer_kwh=options["summer_kwh"],
        non_summer_kwh=options["non_summer_kwh"],
        summer_shares=_shares(options, name="summer_shares"),
        non_summer_shares=_shares(options, name="non_summer_shares"),
        as_of=options["as_of"],
        **_customer(options),
    )
    return comparison_out(comparison, language=language)


register(
    "bill",
    subcommand=Subcommand(
        help="The itemised bill of one reading period (JSON, like POST /api/v1/tariffs/bill).",
        add_arguments=_bill_arguments,
        run=_bill,
    ),
)
register(
    "compare",
    subcommand=Subcommand(
        help="Compare the plans over a year from a typical month per season or an interval "
        "CSV (JSON, like POST /api/v1/tariffs/compare).",
        add_arguments=_compare_arguments,
        run=_compare,
    ),
)


def _problem_lines(
    error: InvalidInputError, *, language: str, periods_given: bool = False
) -> list[str]:
    rows = getattr(error, "rows", None)
    if rows:
        lines = [problem.message.in_language(language) for problem in rows]
        more = getattr(error, "more", 0)
        if more:
            lines.append(
                f"(and {more} more problems)" if language == "en" else f"（另有 {more} 個問題）"
            )
        return lines
    return [
        "{flag}: {message}".format(
            flag=(
                "--peak/--semi-peak/--off-peak"
                if periods_given and problem.field == "kwh"
                else _flag(problem.field)
            ),
            message=problem.message.in_language(language),
        )
        for problem in error.problems
    ]


class Command(BaseCommand):
    help = (
        "Taipower lighting tariffs from the command line: bill, compare, … (JSON out; bad "
        "input exits with status 2). See `powerdesk tariffs <subcommand> -h`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        for name, subcommand in SUBCOMMANDS.items():
            subcommand.add_arguments(sub.add_parser(name, help=subcommand.help))

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = SUBCOMMANDS[options["verb"]]
        language = options.get("language") or "zh-hant"
        with translation.override(language):
            try:
                result = subcommand.run(self, options)
            except InvalidInputError as error:
                raise CommandError(
                    "\n".join(
                        _problem_lines(
                            error,
                            language=language,
                            periods_given=bool(options.get("periods_given")),
                        )
                    ),
                    returncode=EXIT_BAD_INPUT,
                ) from error
            except ApplicationError as error:
                raise CommandError(error.text(language), returncode=EXIT_BAD_INPUT) from error
        if result is not None:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))


# --- recommend ------------------------------------------------------------------------------


def _default_language() -> str:
    """``en`` when the environment's locale (LC_ALL, LC_MESSAGES, LANG) is English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh-hant"
    return "zh-hant"


def _recommend_arguments(parser: CommandParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--from-db",
        action="store_true",
        help="Read every account's readings from the customer database (default).",
    )
    source.add_argument(
        "--input",
        type=Path,
        help="Read the 12-month history from a CSV or Parquet file instead (format: "
        "powerdesk/tariffs/bulk/inputs.py).",
    )
    parser.add_argument("--output", type=Path, help="Write the per-account table to this CSV.")
    parser.add_argument(
        "--partitions", type=int, default=1, help="Split the accounts into N partitions."
    )
    parser.add_argument(
        "--partition",
        type=int,
        help="Run only partition I (1 … N); default: every partition, one after another.",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=10_000,
        help="Accounts read and priced at once (default 10,000; bounds memory).",
    )
    parser.add_argument(
        "--enqueue",
        action="store_true",
        help="Queue one task per partition for `powerdesk worker` instead of running now.",
    )
    parser.add_argument(
        "--summer-shares",
        help="[%%] PEAK,SEMI_PEAK,OFF_PEAK assumed for accounts without kWh per period.",
    )
    parser.add_argument(
        "--non-summer-shares", help="[%%] SEMI_PEAK,OFF_PEAK assumed in other months."
    )
    parser.add_argument("--quiet", action="store_true", help="No progress bar, no table.")
    parser.add_argument("--language", choices=LANGUAGES, default=_default_language())


def _recommend_shares(options: dict[str, Any]) -> Any:
    from powerdesk.tariffs.bulk.recommend import assumed_shares

    given = [options["summer_shares"] is not None, options["non_summer_shares"] is not None]
    if not any(given):
        return None
    if not all(given):
        missing = "--non-summer-shares" if given[0] else "--summer-shares"
        raise _usage_error(
            options,
            zh_hant=f"請同時填寫 {missing}。",
            en=f"Give {missing} too.",
        )
    try:
        return assumed_shares(
            summer=_shares(options, name="summer_shares"),
            non_summer=_shares(options, name="non_summer_shares"),
        )
    except DomainError as error:
        raise InvalidInputError.from_domain(error) from error


def _partition_output(path: Path | None, *, index: int, count: int) -> Path | None:
    if path is None or count == 1:
        return path
    return path.with_name(f"{path.stem}-{index + 1}-of-{count}{path.suffix}")


def _recommend_check(options: dict[str, Any]) -> None:
    language_pairs: list[tuple[bool, str, str]] = [
        (
            options["partitions"] < 1,
            f"--partitions 必須是正整數，收到 {options['partitions']}。",
            f"--partitions must be a positive whole number, got {options['partitions']}.",
        ),
        (
            options["chunk_size"] < 1,
            f"--chunk-size 必須是正整數，收到 {options['chunk_size']}。",
            f"--chunk-size must be a positive whole number, got {options['chunk_size']}.",
        ),
        (
            options["partition"] is not None
            and not 1 <= options["partition"] <= options["partitions"],
            f"--partition 必須介於 1 與 {options['partitions']}（--partitions）之間。",
            f"--partition must be between 1 and {options['partitions']} (--partitions).",
        ),
        (
            options["enqueue"] and options["input"] is not None,
            "--enqueue 只適用於資料庫（--from-db），不能與 --input 同時使用。",
            "--enqueue works with the database (--from-db) only, not with --input.",
        ),
    ]
    output: Path | None = options["output"]
    if output is not None and not output.parent.is_dir():
        language_pairs.append(
            (
                True,
                f"--output：資料夾 {output.parent} 不存在。",
                f"--output: the folder {output.parent} does not exist.",
            )
        )
    for failed, zh_hant, en in language_pairs:
        if failed:
            raise _usage_error(options, zh_hant=zh_hant, en=en)


def _progress_bar(command: BaseCommand, options: dict[str, Any], *, total: int) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="account",
        desc="recommend",
        file=sys.stderr,
        disable=options["quiet"] or not sys.stderr.isatty(),
    )


def _recommend_table(command: BaseCommand, runs: list[Any], *, language: str) -> None:
    from powerdesk.tariffs.models import TariffRecommendation

    en = language == "en"
    labels = (
        ("run", "執行編號"),
        ("accounts", "電號數"),
        ("all plans priced", "方案全部試算"),
        ("not priceable", "無法試算"),
        ("would save", "改方案可省"),
        ("total saving [NT$/year]", "合計可省（元／年）"),
    )
    lines = []
    for run in runs:
        values = (
            run.pk,
            run.accounts,
            run.complete,
            run.not_priceable,
            run.would_save,
            run.total_saving,
        )
        lines.append(
            "  ".join(
                f"{label[0] if en else label[1]}: {value:,}"
                for label, value in zip(labels, values, strict=True)
            )
        )
    command.stdout.write("\n".join(lines))
    shown = TariffRecommendation.objects.filter(run__in=runs).order_by("run", "id")[:50]
    header = (
        ("account", "current", "cheapest", "saving", "months", "not priced")
        if en
        else ("電號", "目前方案", "最省方案", "可省（元／年）", "月數", "未試算原因")
    )
    rows = [
        (
            row.account_number,
            row.current_plan,
            row.cheapest or "—",
            "—" if row.saving is None else f"{row.saving:,}",
            str(row.months),
            row.not_priced,
        )
        for row in shown
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    command.stdout.write(
        "\n".join(
            "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True))
            for line in (header, *rows)
        ).rstrip()
    )
    total = sum(run.accounts for run in runs)
    if total > len(rows):
        command.stdout.write(
            f"(first {len(rows)} of {total:,} accounts; every account is in the CSV and the "
            "database table)"
            if en
            else f"（僅列出 {total:,} 個電號中的前 {len(rows)} 個；全部見 CSV 與資料庫）"
        )


def _recommend(command: BaseCommand, options: dict[str, Any]) -> None:
    from powerdesk.tariffs import recommending
    from powerdesk.tariffs.tasks import tariffs_recommend_partition_task

    _recommend_check(options)
    shares = _recommend_shares(options)
    run_options = recommending.RunOptions(chunk_size=options["chunk_size"], shares=shares)
    count = options["partitions"]
    chosen = range(count) if options["partition"] is None else [options["partition"] - 1]
    batch = recommending.new_batch()
    runs = []
    if options["input"] is not None:
        path: Path = options["input"]
        if not path.is_file():
            raise _usage_error(
                options,
                zh_hant=f"--input：找不到檔案 {path}。",
                en=f"--input: no such file {path}.",
            )
        history = recommending.read_history_file(path).history
        for index in chosen:
            with _progress_bar(command, options, total=history.size) as bar:
                runs.append(
                    recommending.run_file(
                        history,
                        input_name=str(path),
                        partition=(index, count),
                        options=run_options,
                        output=_partition_output(options["output"], index=index, count=count),
                        progress=bar.update,
                        batch=batch,
                    )
                )
    else:
        bounds = recommending.db_partitions(count)
        if options["enqueue"]:
            shares_json = run_options.as_json()
            for index in chosen:
                if index >= len(bounds):
                    continue
                output = _partition_output(options["output"], index=index, count=count)
                tariffs_recommend_partition_task.enqueue(
                    batch=batch,
                    index=index,
                    count=count,
                    first_id=bounds[index][0],
                    stop_id=bounds[index][1],
                    chunk_size=options["chunk_size"],
                    summer_shares=shares_json["summer_shares"],
                    non_summer_shares=shares_json["non_summer_shares"],
                    output=None if output is None else str(output.resolve()),
                )
            command.stdout.write(
                f"enqueued {len([i for i in chosen if i < len(bounds)])} partition task(s), "
                f"batch {batch}"
                if options["language"] == "en"
                else f"已排入 {len([i for i in chosen if i < len(bounds)])} 個分區工作，"
                f"批次 {batch}"
            )
            return
        for index in chosen:
            part = bounds[index] if index < len(bounds) else (0, 0)  # an empty extra partition
            with _progress_bar(command, options, total=recommending.count_accounts(part)) as bar:
                runs.append(
                    recommending.run_database(
                        bounds=part,
                        partition=(index, count),
                        options=run_options,
                        output=_partition_output(options["output"], index=index, count=count),
                        progress=bar.update,
                        batch=batch,
                    )
                )
    if not options["quiet"]:
        _recommend_table(command, runs, language=options["language"])
    return


register(
    "recommend",
    subcommand=Subcommand(
        help="Price every account under every plan open to it over its last 12 months and "
        "recommend the cheapest (CSV, database table, summary).",
        add_arguments=_recommend_arguments,
        run=_recommend,
    ),
)
