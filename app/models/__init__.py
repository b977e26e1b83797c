"""Every table, imported in one place: Alembic and the tests import this module alone."""

from app.models.attempt import AttemptCount
from app.models.base import metadata
from app.models.catalogue import (
    Alignment,
    Basis,
    Commitment,
    CommitmentOrganisation,
    Confidence,
    Organisation,
    OrganisationAlias,
    OrganisationKind,
    Pillar,
    Plan,
    PlanKind,
    PlanScope,
)
from app.models.change import Change, DataVersion, IdempotentRequest
from app.models.reminder import (
    Channel,
    DeliveryStatus,
    Reminder,
    ReminderDigest,
    ReminderKind,
    ReminderPass,
    ReminderSubject,
)
from app.models.report import Assessment, Report, ReportFile, ReportState
from app.models.signin import SignInRequest, WebSession
from app.models.tally import OwnerTally, TallyDay, TaskTally
from app.models.task import (
    TASK_DONE,
    TASK_OPEN,
    History,
    OwnerRole,
    Priority,
    Task,
    TaskOwner,
    TaskStatus,
)
from app.models.user import ApiToken, Locale, PlanCoordinator, Role, User
from app.models.webhook import Webhook, WebhookDelivery, WebhookEvent

__all__ = [
    "TASK_DONE",
    "TASK_OPEN",
    "Alignment",
    "ApiToken",
    "Assessment",
    "AttemptCount",
    "Basis",
    "Change",
    "Channel",
    "Commitment",
    "CommitmentOrganisation",
    "Confidence",
    "DataVersion",
    "DeliveryStatus",
    "History",
    "IdempotentRequest",
    "Locale",
    "Organisation",
    "OrganisationAlias",
    "OrganisationKind",
    "OwnerRole",
    "OwnerTally",
    "Pillar",
    "Plan",
    "PlanCoordinator",
    "PlanKind",
    "PlanScope",
    "Priority",
    "Reminder",
    "ReminderDigest",
    "ReminderKind",
    "ReminderPass",
    "ReminderSubject",
    "Report",
    "ReportFile",
    "ReportState",
    "Role",
    "SignInRequest",
    "TallyDay",
    "Task",
    "TaskOwner",
    "TaskStatus",
    "TaskTally",
    "User",
    "WebSession",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "metadata",
]
