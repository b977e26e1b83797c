"""The words of the period report in English and Indonesian, through the pages' gettext
catalogue, so the HTML and the Markdown say the same things."""

from collections.abc import Callable
from typing import Any

from app.i18n import N_, translations
from app.models import Assessment, ReportState
from app.templating import labels

STATE_MSGIDS = {
    ReportState.draft: N_("draft"),
    ReportState.submitted: N_("submitted"),
    ReportState.accepted: N_("accepted (verified)"),
    ReportState.returned: N_("returned"),
}
ASSESSMENT_MSGIDS = {
    Assessment.not_started: N_("not started"),
    Assessment.limited: N_("limited"),
    Assessment.substantial: N_("substantial"),
    Assessment.complete: N_("complete"),
    Assessment.not_applicable: N_("no longer applicable"),
}


def words(language: str) -> dict[str, Any]:
    """What a template needs to speak the language: `_` and the value labels."""
    gettext: Callable[[str], str] = translations(language).gettext
    return {
        "_": gettext,
        "labels": labels(language),
        "states": {state.value: gettext(msgid) for state, msgid in STATE_MSGIDS.items()},
        "assessments": {a.value: gettext(msgid) for a, msgid in ASSESSMENT_MSGIDS.items()},
    }
