"""The cast of the authorisation test: two national plans P and Q (and a regional plan R for
alignments), two organisations O and F, and one user of every role. The coordinator
coordinates P, the other coordinator Q; the contributor works for O, the other for F.
Every case gets fresh targets, so a write that one role may make never changes what the next
role finds."""

from dataclasses import dataclass, field
from itertools import count
from typing import Any
from uuid import UUID

from sqlmodel import Session

from app.auth import hash_secret, new_secret
from app.models import (
    ApiToken,
    Assessment,
    Commitment,
    DeliveryStatus,
    History,
    Organisation,
    Pillar,
    Plan,
    PlanScope,
    Report,
    ReportFile,
    ReportState,
    Role,
    Task,
    User,
)
from app.storage import Store
from tests.factories import (
    auth,
    make_alignment,
    make_commitment,
    make_coordinator_of,
    make_organisation,
    make_pillar,
    make_plan,
    make_task,
    make_token,
    make_user,
    make_webhook,
    make_webhook_delivery,
)

PDF = b"%PDF-1.7\n%%EOF\n"
ROLES = (
    "admin",
    "coordinator",
    "coordinator_q",
    "contributor",
    "contributor_f",
    "viewer",
    "anonymous",
)
_serial = count(1)


def serial() -> int:
    return next(_serial)


@dataclass
class Cast:
    session: Session
    plans: dict[str, Plan]
    organisations: dict[str, Organisation]
    commitments: dict[str, Commitment]
    pillars: dict[str, Pillar]
    users: dict[str, User] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    store: Store | None = None

    def headers(self, role: str) -> dict[str, str]:
        return auth(self.secrets[role]) if role in self.secrets else {}

    def me(self, role: str) -> User:
        """The caller; the anonymous caller aims at the viewer."""
        return self.users.get(role) or self.users["viewer"]

    def task(self, target: str, **fields: Any) -> Task:
        """A fresh task in plan P or Q led by organisation O or F: target "P/O" and so on."""
        plan, organisation = target.split("/")
        commitment = self.commitments[plan]
        return make_task(
            self.session, commitment=commitment, lead=self.organisations[organisation], **fields
        )

    def led_commitment(self, target: str) -> Commitment:
        """A fresh commitment in plan P or Q led by organisation O or F ("P/O" and so on)."""
        plan, organisation = target.split("/")
        lead = self.organisations[organisation]
        return make_commitment(self.session, plan=self.plans[plan], lead=lead)

    def report(self, target: str, state: ReportState = ReportState.draft) -> UUID:
        """A report for 2026-S1 (started at the tests' NOW) on a fresh commitment."""
        commitment = self.led_commitment(target)
        report = Report(
            plan_id=commitment.plan_id,
            commitment_id=commitment.id,
            period="2026-S1",
            state=state,
            assessment=Assessment.limited,
            narrative_en="Work began.",
        )
        self.session.add(report)
        self.session.commit()
        return report.id

    def report_file(self, target: str) -> tuple[UUID, UUID]:
        """A draft report with one evidence file, its bytes in the app's store."""
        report_id = self.report(target)
        row = ReportFile(
            report_id=report_id,
            name="evidence.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256="0" * 64,
            storage_key="",
        )
        row.storage_key = f"reports/{report_id.hex}/{row.id.hex}"
        assert self.store is not None, "cast(session, store=...) for evidence files"
        self.store.put(row.storage_key, PDF, row.content_type)
        self.session.add(row)
        self.session.commit()
        return report_id, row.id

    def commitment(self, plan: str) -> Commitment:
        return make_commitment(self.session, plan=self.plans[plan])

    def alignment(self, plan: str) -> UUID:
        national = self.commitment(plan)
        regional = make_commitment(self.session, plan=self.plans["R"])
        alignment = make_alignment(self.session, national=national, regional=regional)
        return alignment.id

    def person(self, target: str, role: str) -> User:
        """The user a /users case aims at: the caller itself, a contributor of O (a person of
        plan P, since O owns a task there) or a viewer that the coordinator created."""
        if target.startswith("self"):
            return self.me(role)
        if target.startswith("O-person"):
            return make_user(
                self.session, role=Role.contributor, organisation=self.organisations["O"]
            )
        created = make_user(self.session, role=Role.viewer)
        self.session.add(
            History(
                entity="user",
                entity_id=created.id,
                action="created",
                actor_id=self.users["coordinator"].id,
                at=created.created_at,
            )
        )
        self.session.commit()
        return created

    def token_of(self, target: str, role: str) -> UUID:
        """A token of the caller ("own") or of another user ("other")."""
        owner = self.me(role) if target == "own" else make_user(self.session)
        secret = new_secret()
        token = ApiToken(
            user_id=owner.id, name="case", token_hash=hash_secret(secret), prefix=secret[:8]
        )
        self.session.add(token)
        self.session.commit()
        return token.id

    def webhook(self) -> UUID:
        return make_webhook(self.session).id

    def delivery(self) -> tuple[UUID, UUID]:
        webhook = make_webhook(self.session)
        dead = make_webhook_delivery(self.session, webhook=webhook, status=DeliveryStatus.dead)
        return webhook.id, dead.id


def cast(session: Session, store: Store | None = None) -> Cast:
    plans = {"P": make_plan(session), "Q": make_plan(session)}
    plans["R"] = make_plan(session, scope=PlanScope.regional)
    organisations = {"O": make_organisation(session), "F": make_organisation(session)}
    pillars = {code: make_pillar(session, plan=plans[code]) for code in ("P", "Q")}
    commitments = {
        code: make_commitment(session, plan=plans[code], pillar=pillars[code])
        for code in ("P", "Q")
    }
    w = Cast(session, plans, organisations, commitments, pillars, store=store)
    w.users = {
        "admin": make_user(session, role=Role.admin),
        "coordinator": make_user(session, role=Role.coordinator),
        "coordinator_q": make_user(session, role=Role.coordinator),
        "contributor": make_user(session, role=Role.contributor, organisation=organisations["O"]),
        "contributor_f": make_user(session, role=Role.contributor, organisation=organisations["F"]),
        "viewer": make_user(session, role=Role.viewer),
    }
    make_coordinator_of(session, plan=plans["P"], user=w.users["coordinator"])
    make_coordinator_of(session, plan=plans["Q"], user=w.users["coordinator_q"])
    w.secrets = {role: make_token(session, user=user) for role, user in w.users.items()}
    w.task("P/O")  # O works on P: its people are people of P
    w.task("Q/F")
    return w
