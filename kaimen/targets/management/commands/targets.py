"""``kaimen targets import FILE [--layout NAME] [--dry-run]`` and
``kaimen targets backtest [--series FILE.csv]``: thin wrappers over the import services and the
pure nowcast backtest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kaimen.lib.errors import KaimenError
from kaimen.lib.periods import Period, parse_period
from kaimen.targets import imports, workbook
from kaimen.targets.models import Indicator
from kaimen.targets.nowcast import backtest, backtest_table, load_series_csv
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
            help="Replay history: MAPE of the nowcast vs the time-progress projection, and interval coverage.",
        )
        test.add_argument(
            "--series",
            default="",
            help="A CSV with year,period,value (cumulative) instead of the stored history.",
        )

    def handle(self, *args, action: str, **options):
        try:
            if action == "import":
                self._import(
                    Path(options["file"]), options["layout"], options["period"], options["dry_run"]
                )
            else:
                self._backtest(options["series"])
        except KaimenError as exc:
            raise CommandError(exc.message) from exc

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

    def _backtest(self, series_path: str) -> None:
        if series_path:
            series = load_series_csv(series_path)
            months = {p.end_month for year in series.values() for p in year}
            merged = 1 not in months and 2 in months
            self.stdout.write(
                f"序列：{Path(series_path).name}（{'1-2月合并发布' if merged else '1月单独发布'}）"
            )
            self.stdout.write(backtest_table(backtest(series, merged_jan_feb=merged)))
            return
        district = district_unit()
        if district is None:
            raise CommandError("还没有单位数据：请先运行 kaimen demo，或用 --series 指定CSV文件。")
        shown = 0
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
            shown += 1
        if not shown:
            raise CommandError(
                "没有足够的历史数据可供回测（每个指标至少需要4个年份）：请先运行 kaimen demo，或用 --series 指定CSV文件。"
            )
