"""Words the code looks up by a value rather than writes as a sentence: resource names, pydantic's
error types, status and schedule labels. Each is marked with its msgctxt so extraction finds it."""


def N_(message: str) -> str:  # gettext's name for "mark now, translate later"
    return message


def in_context(context: str, message: str) -> str:
    """Marks `message` for the catalogues under `context` (its msgctxt); translated later."""
    return message


# What the API calls its resources, as a sentence in the reader's language names them.
ENTITIES = frozenset(
    {
        in_context("entity", "organisation"),
        in_context("entity", "alias"),
        in_context("entity", "plan"),
        in_context("entity", "pillar"),
        in_context("entity", "commitment"),
        in_context("entity", "alignment"),
        in_context("entity", "task"),
        in_context("entity", "user"),
        in_context("entity", "token"),
        in_context("entity", "coordinator"),
        in_context("entity", "plan_coordinator"),
        in_context("entity", "webhook"),
        in_context("entity", "delivery"),
        in_context("entity", "webhook_delivery"),
        in_context("entity", "reminder"),
    }
)

# Pydantic's error types: pydantic words its messages in English with the offending values in
# them, so other languages translate the type; pydantic's English stands for the rest.
VALIDATION_TYPES = frozenset(
    {
        in_context("validation", "missing"),
        in_context("validation", "string_too_short"),
        in_context("validation", "string_too_long"),
        in_context("validation", "string_type"),
        in_context("validation", "int_parsing"),
        in_context("validation", "int_type"),
        in_context("validation", "int_from_float"),
        in_context("validation", "bool_parsing"),
        in_context("validation", "bool_type"),
        in_context("validation", "greater_than_equal"),
        in_context("validation", "less_than_equal"),
        in_context("validation", "greater_than"),
        in_context("validation", "less_than"),
        in_context("validation", "enum"),
        in_context("validation", "literal_error"),
        in_context("validation", "date_from_datetime_parsing"),
        in_context("validation", "date_parsing"),
        in_context("validation", "date_type"),
        in_context("validation", "datetime_parsing"),
        in_context("validation", "datetime_from_date_parsing"),
        in_context("validation", "timezone_aware"),
        in_context("validation", "date_out_of_range"),  # app.dates
        in_context("validation", "uuid_parsing"),
        in_context("validation", "uuid_type"),
        in_context("validation", "extra_forbidden"),
        in_context("validation", "value_error"),
        in_context("validation", "list_type"),
        in_context("validation", "dict_type"),
        in_context("validation", "model_type"),
        in_context("validation", "json_invalid"),
        in_context("validation", "url_parsing"),
        in_context("validation", "url_scheme"),
    }
)

# How a task's status and schedule read to a person, by their values in the API.
STATUS_LABELS = {
    "not_started": in_context("status", "Not started"),
    "in_progress": in_context("status", "In progress"),
    "blocked": in_context("status", "Blocked"),
    "completed": in_context("status", "Completed"),
    "cancelled": in_context("status", "Cancelled"),
}
SCHEDULE_LABELS = {
    "no_due_date": in_context("schedule", "No due date"),
    "on_track": in_context("schedule", "On track"),
    "due_soon": in_context("schedule", "Due soon"),
    "overdue": in_context("schedule", "Overdue"),
    "done": in_context("schedule", "Done"),
}

# An owner's role, as the pages show it beside the organisation (`_(owner.role)`).
OWNER_ROLES = frozenset({N_("lead"), N_("support")})
