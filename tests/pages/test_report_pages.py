"""The report pages as a browser without script uses them: file a draft, edit it, add and
remove evidence files, submit; a coordinator accepts or returns it (issue 12). Each refusal is
a page in the person's language, and nothing refused is written."""

from typing import Any
from uuid import UUID

import pytest
from sqlmodel import Session, select

from app.models import Commitment, Plan, Report, ReportFile, ReportState
from tests.pages.conftest import ORIGIN, Browser, World, form_value

SCRIPT = "<script>alert('x')</script>"
PDF = b"%PDF-1.7\n%%EOF\n"


def _commitment(session: Session, world: World) -> Commitment:
    commitment = session.get(Commitment, world.task.commitment_id)
    assert commitment is not None
    return commitment


def _draft(**overrides: str) -> dict[str, Any]:
    return {
        "assessment": "limited",
        "narrative_id": "Pedoman sedang disusun.",
        "narrative_en": "",
        "indicator_value": "2 of 5",
        "evidence_url": ["https://kemenpppa.go.id/pedoman", ""],
        "evidence_title": ["Draf pedoman", ""],
        **overrides,
    }


def _report(session: Session) -> Report:
    session.commit()  # end the read snapshot: see what the app committed since
    session.expire_all()
    return session.exec(select(Report)).one()


def _file(browser: Browser, session: Session, world: World, **overrides: Any) -> Report:
    commitment = _commitment(session, world)
    opened = browser.client.get(f"/commitments/{commitment.id}/reports/2026-S1")
    assert opened.status_code == 200, opened.text
    data = {"csrf": form_value(opened.text, "csrf"), **_draft(**overrides)}
    filed = browser.post(f"/commitments/{commitment.id}/reports/2026-S1", data)
    assert filed.status_code == 303, filed.text
    report = _report(session)
    assert filed.headers["location"] == f"/reports/{report.id}?saved=1"
    return report


def _csrf(browser: Browser, report: Report) -> str:
    return form_value(browser.client.get(f"/reports/{report.id}").text, "csrf")


def test_a_contributor_files_edits_and_submits_a_report(
    browser: Browser, world: World, session: Session
) -> None:
    browser.sign_in("ayu@example.test")
    report = _file(browser, session, world)
    page = browser.client.get(f"/reports/{report.id}?saved=1")
    assert "Saved." in page.text
    assert "Pedoman sedang disusun." in page.text
    csrf = form_value(page.text, "csrf")

    saved = browser.post(
        f"/reports/{report.id}",
        {"csrf": csrf, "version": "1", **_draft(narrative_en="Guidelines drafted.")},
    )
    assert saved.status_code == 303
    assert _report(session).narrative_en == "Guidelines drafted."

    submitted = browser.post(f"/reports/{report.id}/submit", {"csrf": csrf, "version": "2"})

    assert submitted.status_code == 303
    assert _report(session).state is ReportState.submitted
    page = browser.client.get(f"/reports/{report.id}")
    assert "Edit the draft" not in page.text  # read-only for its authors
    assert "Guidelines drafted." in page.text
    late = browser.post(f"/reports/{report.id}", {"csrf": csrf, "version": "3", **_draft()})
    assert late.status_code == 409
    assert "cannot be changed" in late.text
    assert _report(session).version == 3


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Someone else changed this report"), ("id", "Orang lain telah mengubah laporan ini")],
)
def test_a_stale_form_is_never_applied(
    browser: Browser, world: World, session: Session, language: str, words: str
) -> None:
    browser.sign_in("ayu@example.test")
    report = _file(browser, session, world)
    csrf = _csrf(browser, report)
    first = browser.post(
        f"/reports/{report.id}",
        {"csrf": csrf, "version": "1", **_draft(narrative_id="Versi rekan saya.")},
    )
    assert first.status_code == 303
    browser.client.cookies.set("pantau_lang", language)

    stale = browser.post(
        f"/reports/{report.id}",
        {"csrf": csrf, "version": "1", **_draft(narrative_id="Versi lama saya.")},
    )

    assert stale.status_code == 409
    assert words in stale.text
    assert "Versi lama saya." in stale.text  # the person's values, to apply again
    assert _report(session).narrative_id == "Versi rekan saya."


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"evidence_url": ["javascript:alert(1)"], "evidence_title": ["x"]}, "evidence"),
        ({"evidence_url": ["ftp://example.org/a.pdf"], "evidence_title": [""]}, "evidence"),
        ({"narrative_en": "x" * 20_001}, "narrative_en"),
        ({"assessment": "excellent"}, "assessment"),
    ],
)
def test_bad_input_is_a_page_and_nothing_is_saved(
    browser: Browser, world: World, session: Session, fields: dict[str, Any], words: str
) -> None:
    browser.sign_in("ayu@example.test")
    report = _file(browser, session, world)

    refused = browser.post(
        f"/reports/{report.id}",
        {"csrf": _csrf(browser, report), "version": "1", **_draft(**fields)},
    )

    assert refused.status_code == 422
    assert "The change was not saved" in refused.text
    assert words in refused.text
    assert _report(session).version == 1


def test_script_in_every_text_is_shown_as_text(
    browser: Browser, world: World, session: Session
) -> None:
    browser.sign_in("ayu@example.test")
    report = _file(
        browser,
        session,
        world,
        narrative_en=SCRIPT,
        narrative_id=SCRIPT,
        indicator_value=SCRIPT,
        evidence_url=["https://example.org/a"],
        evidence_title=[SCRIPT],
    )
    csrf = _csrf(browser, report)
    files = {"file": ("<b>x</b>.pdf", PDF, "application/pdf")}
    browser.client.post(
        f"/reports/{report.id}/files", data={"csrf": csrf}, files=files, headers={"Origin": ORIGIN}
    )
    browser.post(f"/reports/{report.id}/submit", {"csrf": csrf, "version": "2"})
    browser.sign_in("citra@example.test")
    returned = browser.post(
        f"/reports/{report.id}/return",
        {"csrf": _csrf(browser, report), "version": "3", "comment": SCRIPT},
    )
    assert returned.status_code == 303

    for person in ("citra@example.test", "ayu@example.test"):
        browser.sign_in(person)
        page = browser.client.get(f"/reports/{report.id}").text
        assert SCRIPT not in page
        assert "&lt;script&gt;" in page
        assert "<b>x</b>" not in page


def test_evidence_files_are_added_checked_and_removed(
    browser: Browser, world: World, session: Session
) -> None:
    browser.sign_in("ayu@example.test")
    report = _file(browser, session, world)
    csrf = _csrf(browser, report)

    def upload(name: str, data: bytes, **headers: str) -> Any:
        return browser.client.post(
            f"/reports/{report.id}/files",
            data={"csrf": csrf},
            files={"file": (name, data, "application/pdf")},
            headers={"Origin": ORIGIN, **headers},
            follow_redirects=False,
        )

    added = upload("laporan.pdf", PDF)
    misleading = upload("evil.pdf", b"<html><script>alert(1)</script></html>")
    browser.client.cookies.set("pantau_lang", "id")
    in_indonesian = upload("evil.pdf", b"<html><script>alert(1)</script></html>")
    without_csrf = browser.client.post(
        f"/reports/{report.id}/files",
        files={"file": ("a.pdf", PDF, "application/pdf")},
        headers={"Origin": ORIGIN},
    )

    assert added.status_code == 303
    assert misleading.status_code == 415
    assert "not accepted as evidence" in misleading.text
    assert in_indonesian.status_code == 415
    assert "tidak diterima sebagai bukti" in in_indonesian.text
    assert without_csrf.status_code == 400
    session.commit()
    (row,) = session.exec(select(ReportFile)).all()
    page = browser.client.get(f"/reports/{report.id}").text
    assert f'/api/v1/reports/{report.id}/files/{row.id}"' in page
    download = browser.client.get(f"/api/v1/reports/{report.id}/files/{row.id}")
    assert download.content == PDF

    removed = browser.post(f"/reports/{report.id}/files/{row.id}/delete", {"csrf": csrf})

    assert removed.status_code == 303
    session.commit()
    assert session.exec(select(ReportFile)).first() is None


def test_a_coordinator_accepts_or_returns_and_others_may_not(
    browser: Browser, world: World, session: Session
) -> None:
    browser.sign_in("ayu@example.test")
    report = _file(browser, session, world)
    browser.post(f"/reports/{report.id}/submit", {"csrf": _csrf(browser, report), "version": "1"})
    own = browser.post(
        f"/reports/{report.id}/accept", {"csrf": _csrf(browser, report), "version": "2"}
    )
    assert own.status_code == 403  # its author may not verify it
    browser.sign_in("budi@example.test")
    other = browser.post(
        f"/reports/{report.id}/accept", {"csrf": _csrf(browser, report), "version": "2"}
    )
    assert other.status_code == 403
    assert _report(session).state is ReportState.submitted

    browser.sign_in("citra@example.test")
    page = browser.client.get(f"/reports/{report.id}")
    assert "Accept the report" in page.text
    csrf = form_value(page.text, "csrf")
    bare = browser.post(f"/reports/{report.id}/return", {"csrf": csrf, "version": "2"})
    assert bare.status_code == 422
    returned = browser.post(
        f"/reports/{report.id}/return", {"csrf": csrf, "version": "2", "comment": "Add the annex."}
    )
    assert returned.status_code == 303
    assert _report(session).state is ReportState.returned

    browser.sign_in("ayu@example.test")
    page = browser.client.get(f"/reports/{report.id}")
    assert "Add the annex." in page.text
    assert "Edit the draft" in page.text  # returned: its authors change it again
    browser.post(
        f"/reports/{report.id}/submit", {"csrf": form_value(page.text, "csrf"), "version": "3"}
    )
    browser.sign_in("citra@example.test")
    accepted = browser.post(
        f"/reports/{report.id}/accept", {"csrf": _csrf(browser, report), "version": "4"}
    )
    assert accepted.status_code == 303
    assert _report(session).state is ReportState.accepted


def test_a_period_that_has_not_started_takes_no_report(
    browser: Browser, world: World, session: Session
) -> None:
    commitment = _commitment(session, world)
    browser.sign_in("ayu@example.test")
    page = browser.client.get(f"/commitments/{commitment.id}/reports/2026-S2")
    assert "has not started yet" in page.text
    assert "File the report" not in page.text

    refused = browser.post(
        f"/commitments/{commitment.id}/reports/2026-S2",
        {"csrf": form_value(page.text, "csrf"), **_draft()},
    )

    assert refused.status_code == 422
    assert "2026-07-01" in refused.text
    session.commit()
    assert session.exec(select(Report)).first() is None


def test_a_commitment_outside_the_reporters_organisation(
    browser: Browser, world: World, session: Session
) -> None:
    commitment = _commitment(session, world)
    browser.sign_in("budi@example.test")
    page = browser.client.get(f"/commitments/{commitment.id}/reports/2026-S1")
    assert page.status_code == 200
    assert "File the report" not in page.text

    refused = browser.post(
        f"/commitments/{commitment.id}/reports/2026-S1",
        {"csrf": form_value(page.text, "csrf"), **_draft()},
    )

    assert refused.status_code == 403
    session.commit()
    assert session.exec(select(Report)).first() is None


def test_plan_page_and_my_work_lead_to_the_report(
    browser: Browser, world: World, session: Session
) -> None:
    commitment = _commitment(session, world)
    plan = session.get(Plan, commitment.plan_id)
    assert plan is not None
    browser.sign_in("ayu@example.test")
    link = f'href="/commitments/{commitment.id}/reports/2026-S1"'

    assert link in browser.client.get(f"/plans/{plan.code}").text
    assert link in browser.client.get("/").text
    _file(browser, session, world)
    browser.client.cookies.set("pantau_lang", "id")
    assert "draf" in browser.client.get("/").text


def test_an_unknown_report_or_commitment_is_a_404_page(browser: Browser, world: World) -> None:
    browser.sign_in("ayu@example.test")

    assert browser.client.get(f"/reports/{UUID(int=7)}").status_code == 404
    assert browser.client.get(f"/commitments/{UUID(int=7)}/reports/2026-S1").status_code == 404
    assert browser.client.get("/commitments/NOPE/reports/2031-S1").status_code == 404
