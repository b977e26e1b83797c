"""The period report as Markdown: for e-mail, a wiki or a pull into a word processor.

User text is escaped: Markdown passes raw HTML through, so `<script>` in a narrative would run
in whatever renders the file; here it stays text."""

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from app.i18n import N_
from app.reports.document_schemas import CommitmentLine, PeriodReport, RollupLine
from app.reports.words import words

EVIDENCE_FILE = N_("Evidence file")  # marked here: extraction does not read inside f-strings
SLIPPED = N_("Open work past its commitment's target year, by organisation.")
MOVED = N_(
    "Due dates moved to a later day in the period, with the reason given and who moved them."
)
SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def escape(text: object) -> str:
    plain = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return SPECIAL.sub(r"\\\1", " ".join(plain.split()))


def render(report: PeriodReport, *, api: str) -> str:
    """The report; its file downloads are linked under the API's prefix, `api`."""
    w = {**words(report.language), "api": api}
    parts = [_head, _totals, _completed, _overdue, _organisations, _reports, _missing, _rollup]
    return "\n".join(line for part in parts for line in part(report, w)) + "\n"


def _head(report: PeriodReport, w: dict[str, Any]) -> Iterator[str]:
    _ = w["_"]
    yield f"# {_('Period report')} {report.period.id}: {escape(report.plan_title)}"
    yield ""
    yield f"- {_('Reporting period')}: {report.period.start} – {report.period.end}"
    yield f"- {_('Reports due')}: {report.period.due}"
    yield f"- {_('As of')}: {report.today}"


def _table(header: list[str], rows: Sequence[Sequence[object]]) -> Iterator[str]:
    yield "| " + " | ".join(header) + " |"
    yield "|" + "---|" * len(header)
    for row in rows:
        yield "| " + " | ".join(escape(cell) for cell in row) + " |"


def _section(title: str) -> Iterator[str]:
    yield ""
    yield f"## {title}"
    yield ""


def _totals(report: PeriodReport, w: dict[str, Any]) -> Iterator[str]:
    _, status = w["_"], w["labels"]["status"]
    yield from _section(_("Totals by strategy and status"))
    header = [_("Strategy"), _("Tasks"), *status.values(), _("Completion")]
    groups = [(p.code or _("Plan-wide"), p) for p in report.totals.pillars]
    rows = [
        [name, g.tasks, *(g.by_status.get(s, 0) for s in status), f"{g.completion}%"]
        for name, g in groups
    ]
    total = report.totals
    rows.append(
        [
            _("All strategies"),
            total.tasks,
            *(total.by_status.get(s, 0) for s in status),
            f"{total.completion}%",
        ]
    )
    yield from _table(header, rows)


def _task_rows(lines: list[Any], w: dict[str, Any], late: bool = False) -> Iterator[str]:
    if not lines:
        yield w["_"]("Nothing.")
    for line in lines:
        extra = f" ({line.days_overdue} {w['_']('days overdue')})" if late else ""
        lead = f", {escape(line.lead_organisation)}" if line.lead_organisation else ""
        yield f"- {escape(line.commitment)}: {escape(line.title)}{lead}, {line.due_date}{extra}"


def _completed(report: PeriodReport, w: dict[str, Any]) -> Iterator[str]:
    yield from _section(w["_"]("Completed in the period"))
    yield from _task_rows(report.completed, w)


def _overdue(report: PeriodReport, w: dict[str, Any]) -> Iterator[str]:
    yield from _section(w["_"]("Overdue work by organisation"))
    if not report.overdue:
        yield w["_"]("Nothing.")
    for organisation, lines in report.overdue.items():
        yield f"### {escape(organisation)}"
        yield ""
        yield from _task_rows(lines, w, late=True)
        yield ""


def _organisations(report: PeriodReport, w: dict[str, Any]) -> Iterator[str]:
    _ = w["_"]
    yield from _section(_("Slipped deadlines"))
    yield _(MOVED)
    yield ""
    if not report.slipped:
        yield _("Nothing.")
    for slip in report.slipped:
        lead = f", {escape(slip.lead_organisation)}" if slip.lead_organisation else ""
        moved = f"{slip.old_due_date or '—'} → {slip.new_due_date or '—'}"
        reason = escape(slip.reason or "—")
        mover = _("Moved by")
        by = f" ({mover} {escape(slip.actor)}, {slip.at.date()})" if slip.actor else ""
        yield f"- {escape(slip.commitment)}: {escape(slip.title)}{lead}: {moved}. {reason}{by}"
    yield ""
    yield _(SLIPPED)
    yield ""
    header = [
        _("Organisation"),
        _("Tasks"),
        _("open"),
        w["labels"]["schedule"]["overdue"],
        _("past the target year"),
    ]
    rows = [[o.code, o.tasks, o.open, o.overdue, o.slipped] for o in report.organisations]
    yield from _table(header, rows)


def _reports(report: PeriodReport, w: dict[str, Any]) -> Iterator[str]:
    yield from _section(w["_"]("Reports on commitments"))
    if not report.reports:
        yield w["_"]("Nothing.")
    for line in report.reports:
        yield from _one_report(line, w)


def _one_report(line: CommitmentLine, w: dict[str, Any]) -> Iterator[str]:
    _: Callable[[str], str] = w["_"]
    filed = line.report
    assert filed is not None  # only filed reports are listed here
    yield f"### {escape(line.code)}: {escape(line.title)}"
    yield ""
    yield f"- {_('Assessment')}: {w['assessments'][filed.assessment.value]}"
    yield f"- {_('Report state')}: {w['states'][filed.state.value]}"
    if filed.indicator_value or filed.target:
        reached, target = escape(filed.indicator_value or "—"), escape(filed.target or "—")
        yield f"- {_('Indicator')}: {reached} / {_('Target')}: {target}"
    if filed.review_comment:
        yield f"- {_('Verification')}: {escape(filed.review_comment)}"
    for narrative in (filed.narrative_id, filed.narrative_en):
        if narrative:
            yield f"- {_('Narrative')}: {escape(narrative)}"
    for item in filed.evidence:
        target = item.url.replace(">", "%3E").replace("<", "%3C")
        yield f"- {_('Evidence')}: [{escape(item.title or item.url)}](<{target}>)"
    for file in filed.files:
        download = f"{w['api']}/reports/{filed.id}/files/{file.id}"
        yield f"- {_(EVIDENCE_FILE)}: [{escape(file.name)}](<{download}>), {file.content_type}"
    yield ""


def _missing(report: PeriodReport, w: dict[str, Any]) -> Iterator[str]:
    yield from _section(w["_"]("Commitments with no report yet"))
    if not report.missing:
        yield w["_"]("Nothing.")
    for line in report.missing:
        lead = f" ({escape(line.lead_organisation)})" if line.lead_organisation else ""
        yield f"- {escape(line.code)}: {escape(line.title)}{lead}"


def _rollup(report: PeriodReport, w: dict[str, Any]) -> Iterator[str]:
    if not report.rollup:
        return
    yield from _section(w["_"]("Regional roll-up"))
    for line in report.rollup:
        yield from _rollup_line(line, w)


def _rollup_line(line: RollupLine, w: dict[str, Any]) -> Iterator[str]:
    _ = w["_"]
    yield f"### {escape(line.code)}: {escape(line.title)}"
    yield ""
    if not line.national:
        yield _("No national commitment is aligned yet.")
        yield ""
        return
    header = [_("Member state"), _("Commitment"), _("Progress"), _("Latest report"), _("Evidence")]
    rows = [
        [
            n.country or "—",
            f"{n.plan} {n.code}: {n.title}",
            "—" if n.progress is None else f"{n.progress}%",
            " ".join(
                filter(
                    None, [n.report_period, n.report_state and w["states"][n.report_state.value]]
                )
            )
            or "—",
            " ".join(item.url for item in n.evidence) or "—",
        ]
        for n in line.national
    ]
    yield from _table(header, rows)
    yield ""
