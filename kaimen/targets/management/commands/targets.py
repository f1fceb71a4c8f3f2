"""``kaimen targets import FILE [--layout NAME] [--dry-run]`` and
``kaimen targets backtest [--series FILE.csv|DIR ...]``, ``kaimen targets board rebuild
[--year Y]``: thin wrappers over the import services, the pure nowcast backtest and the stored
board."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kaimen.lib.errors import KaimenError
from kaimen.lib.periods import Period, parse_period
from kaimen.targets import board_store, imports, workbook
from kaimen.targets.models import Indicator
from kaimen.targets.nowcast import (
    Backtest,
    backtest,
    backtest_table,
    pooled,
    read_series_csv,
    summary_line,
)
from kaimen.targets.selectors import district_unit, history_of


class Command(BaseCommand):
    help = "Targets tools: import a statistics bureau workbook; backtest the nowcast."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        imp = actions.add_parser("import", help="Import a statistics bureau workbook (.xlsx).")
        imp.add_argument("file")
        imp.add_argument("--layout", default="", help="A remembered workbook layout, by name.")
        imp.add_argument(
            "--period", default="", help="The period, e.g. 2025年1-2月 (default: from the title)."
        )
        imp.add_argument(
            "--dry-run", action="store_true", help="Show what would be imported; write nothing."
        )
        test = actions.add_parser(
            "backtest",
            help=(
                "Replay history: each year's year end is projected at each released period from "
                "earlier years only. Prints, per period and overall, the mean absolute percentage "
                "error of the seasonal method (cumulative ÷ the last three years' average share) and "
                "of the time-progress projection (cumulative ÷ elapsed share of the year), and how "
                "often the ~80% interval held the outcome. The interval is projection × exp(± "
                "t(0.90, n) × rms of the last n ≤ 5 real-time log errors: each earlier year "
                "projected from the three years before it), Student's t with n degrees of freedom widening it "
                "when few years are known; it needs four earlier years. Series may have gaps: "
                "a year counts for a period when that period and 1-12月 are both there."
            ),
            description=(
                "Replay the nowcast on history and compare it with the time-progress projection."
            ),
        )
        test.add_argument(
            "--series",
            action="append",
            default=[],
            metavar="FILE.csv|DIR",
            help=(
                "A CSV with year,period,value (cumulative; extra columns such as source are "
                "ignored; empty or — values are months not published), or a directory of them "
                "(e.g. bench/series). Repeat for several; the figures of all are then also "
                "pooled. Without it: the stored history of the district."
            ),
        )
        board = actions.add_parser("board", help="The stored monitoring board.")
        board.add_argument("what", choices=["rebuild"], help="rebuild: recompute it (repair).")
        board.add_argument("--year", type=int, action="append", help="Only this year (repeatable).")

    def handle(self, *args, action: str, **options):
        try:
            if action == "import":
                self._import(
                    Path(options["file"]), options["layout"], options["period"], options["dry_run"]
                )
            elif action == "board":
                self._board(options["year"])
            else:
                self._backtest(options["series"])
        except KaimenError as exc:
            raise CommandError(exc.message) from exc

    def _board(self, years: list[int] | None) -> None:
        stored = board_store.board_rebuild(years=years, actor_name="kaimen targets board rebuild")
        for year, rows in stored.items():
            self.stdout.write(f"{year}年：监测看板已重算，{rows}行。")
        if not stored:
            self.stdout.write("没有目标，监测看板为空。")

    def _import(self, path: Path, layout: str, period_text: str, dry_run: bool) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件“{path}”：{exc.strerror}。") from exc
        period = parse_period(period_text) if period_text else None
        if period is not None:
            period = Period.cumulative(period.year, period.end_month)
        workbook.check_upload(data, path.name, max_bytes=imports.max_upload_bytes())
        prepared = imports.prepare(data, name=path.name, layout_name=layout, period=period)
        self._summary(path, prepared)
        if prepared.extraction.errors:
            raise CommandError(f"文件有{len(prepared.extraction.errors)}处错误，未导入任何数据。")
        if dry_run:
            self.stdout.write("试运行（--dry-run）：未写入任何数据。")
            return
        batch, created = imports.import_upload(
            actor=None, data=data, file_name=path.name, system=True
        )
        if created and (layout or period):
            imports.import_preview(
                actor=None, batch=batch, layout=prepared.layout, period=prepared.period, system=True
            )
            batch.refresh_from_db()
        result = imports.import_commit(actor=None, batch=batch, data=data, system=True)
        if result.already_imported:
            when = timezone.localtime(batch.finished_at) if batch.finished_at else None
            self.stdout.write(
                f"该文件已于{when:%Y-%m-%d %H:%M}导入（批次{batch.pk}），本次未做任何改动。"
            )
        else:
            self.stdout.write(
                f"已导入（批次{batch.pk}）：新增{result.created}个数，{result.unchanged}个未变，"
                f"{result.corrections}个统计局修订已提交审核。"
                + (
                    f"{result.not_imported}个不在指标目录中的分项未导入（见上方说明）。"
                    if result.not_imported
                    else ""
                )
            )

    def _summary(self, path: Path, prepared: imports.Prepared) -> None:
        extraction = prepared.extraction
        counts = prepared.counts
        self.stdout.write(f"文件：{path.name}")
        self.stdout.write(
            f"统计期间：{prepared.period or '未识别'}"
            + (f"（{prepared.period_note}）" if prepared.period_note else "")
        )
        self.stdout.write(
            f"版式：{prepared.layout_name or '自动识别'}（指纹 {prepared.fingerprint[:12]}）"
        )
        used = [s.sheet for s in prepared.layout.sheets if s.use]
        self.stdout.write(f"导入的工作表：{'、'.join(used) or '无'}")
        self.stdout.write(
            f"找到{len(extraction.rows)}个数：新增{counts.get('new', 0)}，未变{counts.get('unchanged', 0)}，"
            f"统计局修订{counts.get('revised', 0)}；标“—”的空格{extraction.missing_cells}个。"
        )
        self.stdout.write(
            f"问题：{len(extraction.errors)}个错误，{len(extraction.warnings)}个提醒。"
        )
        for problem in extraction.problems:
            mark = "错误" if problem.severity == "error" else "提醒"
            self.stdout.write(f"  [{mark}] {problem.where}：{problem.reason}")
        for note in extraction.notes:
            self.stdout.write(f"  说明：{note}")

    def _series_files(self, paths: list[str]) -> list[Path]:
        files: list[Path] = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                found = sorted(path.glob("*.csv"))
                if not found:
                    raise CommandError(f"目录“{path}”中没有CSV文件。")
                files.extend(found)
            else:
                files.append(path)
        return files

    def _backtest(self, series_paths: list[str]) -> None:
        if series_paths:
            results = []
            for path in self._series_files(series_paths):
                series, gaps = read_series_csv(path)
                months = {p.end_month for year in series.values() for p in year}
                merged = 1 not in months and 2 in months
                years = f"{min(series)}–{max(series)}年"
                self.stdout.write(
                    f"\n序列：{path.name}（{years}，{'1-2月合并发布' if merged else '1月单独发布'}）"
                )
                if gaps:
                    self.stdout.write(f"  未发布（空值）：{'、'.join(gaps)}。")
                try:
                    result = backtest(series, merged_jan_feb=merged)
                except KaimenError as exc:
                    self.stdout.write(f"  {exc.message}")
                    continue
                self.stdout.write(backtest_table(result))
                for note in result.notes:
                    self.stdout.write(f"  {note}")
                results.append(result)
            if not results:
                raise CommandError("没有一个序列可以回测，原因见上。")
            overall = results[0].overall if len(results) == 1 else pooled(results)
            assert overall is not None
            label = "合计" if len(results) == 1 else f"{len(results)}个序列合计"
            self.stdout.write(f"\n{label}：{summary_line(overall)}")
            return
        district = district_unit()
        if district is None:
            raise CommandError("还没有单位数据：请先运行 kaimen demo，或用 --series 指定CSV文件。")
        shown: list[Backtest] = []
        for indicator in Indicator.objects.filter(is_active=True):
            history = history_of(indicator_id=indicator.pk, unit_id=district.pk, before=9999)
            if len(history) < 4:
                continue
            try:
                result = backtest(history, merged_jan_feb=indicator.merged_jan_feb)
            except KaimenError as exc:
                self.stdout.write(f"{indicator.name}（{indicator.code}）：{exc.message}")
                continue
            years = f"{min(history)}–{max(history)}"
            self.stdout.write(f"\n{indicator.name}（{indicator.code}，{district.name}，{years}年）")
            self.stdout.write(backtest_table(result))
            for note in result.notes:
                self.stdout.write(f"  {note}")
            shown.append(result)
        if shown:
            self.stdout.write(f"\n{len(shown)}个指标合计：{summary_line(pooled(shown))}")
        if not shown:
            raise CommandError(
                "没有足够的历史数据可供回测（每个指标至少需要4个年份）：请先运行 kaimen demo，或用 --series 指定CSV文件。"
            )
