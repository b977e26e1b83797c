from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Literal
from urllib.parse import quote

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.i18n import SUPPORTED

DEFAULT_DATABASE_URL = "sqlite:///./pantau.db"


class Settings(BaseSettings):
    """Every setting of the service; docs/settings.md documents each one with its default."""

    model_config = SettingsConfigDict(env_prefix="PANTAU_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    api_prefix: str = "/api/v1"
    public_url: str = "http://127.0.0.1:8000"
    default_time_zone: str = "Asia/Jakarta"
    default_locale: str = "en"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    log_level: str = "INFO"
    log_json: bool = True
    idempotency_ttl_hours: float = Field(default=24.0, gt=0)
    idempotency_claim_seconds: float = Field(default=300.0, gt=0)

    # unset: mail is written to the log and to .eml files in mail_folder (docs/settings.md)
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: bool = False
    mail_from: str = "pantau@localhost"

    mail_folder: str = "mail"
    # sign-in by e-mail link and browser sessions (docs/pages.md)
    sign_in_link_minutes: float = Field(default=15.0, gt=0)
    sign_in_window_minutes: float = Field(default=15.0, gt=0)
    sign_in_per_address: int = Field(default=5, ge=1)
    sign_in_per_client: int = Field(default=20, ge=1)
    session_idle_minutes: float = Field(default=120.0, gt=0)
    session_max_hours: float = Field(default=12.0, gt=0)
    # `serve` on SQLite runs the reminder worker in its own process; off where workers run apart
    serve_worker: bool = True

    webhook_allowlist: Annotated[list[IPv4Network | IPv6Network | str], NoDecode] = []
    webhook_timeout_seconds: float = 10.0
    webhook_max_attempts: int = 6
    webhook_disable_after_failures: int = 20
    # how long a rotated secret still signs beside the new one
    webhook_secret_overlap_hours: float = Field(default=24.0, gt=0)

    # reporting periods of a plan without its own policy (app.periods)
    report_cadence: Literal["quarter", "semester", "year"] = "semester"
    report_due_days: int = Field(default=15, ge=0, le=365)

    # origins whose browser scripts may call the API (CORS); empty: none, no CORS headers
    cors_origins: Annotated[list[str], NoDecode] = []
    # failed authentication per client address before 429 (app.limits, decision 15)
    auth_failures_per_client: int = Field(default=20, ge=1)
    auth_failure_window_seconds: int = Field(default=300, ge=1)
    public_dashboard: bool = False
    # reading (and writing) requests using the database at once per process (app.db.concurrency)
    db_concurrency: int | None = Field(default=None, ge=1)
    data_version_refresh_seconds: float = 0.5
    # answers of polled collections kept by their ETag, per process (app.dashboard.fastpath)
    poll_cache_bytes: int = Field(default=33_554_432, ge=0)
    events_heartbeat_seconds: float = 15.0
    worker_interval_seconds: float = 30.0
    # reminders and deliveries (docs/api.md, "Reminders and webhooks")
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_max_attempts: int = Field(default=6, ge=1)
    retry_base_seconds: float = Field(default=60.0, gt=0)
    retry_max_seconds: float = Field(default=21_600.0, gt=0)
    reminder_batch_size: int = Field(default=20, ge=1, le=1000)
    reminder_lease_seconds: float = Field(default=600.0, gt=0)
    reminder_catch_up_days: int = Field(default=7, ge=0, le=90)
    reminder_holiday_categories: str = "public,government"
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    worker_metrics_host: str = "127.0.0.1"
    # exchange: imports (docs/api.md, "Exchange")
    import_max_rows: int = Field(default=50_000, ge=1)
    # the body of POST /imports; other bodies keep max_body_bytes
    import_max_bytes: int = Field(default=33_554_432, ge=1024)
    import_max_unpacked_bytes: int = Field(default=100_663_296, ge=1024)
    # evidence files of reports (docs/reports.md, "Evidence files"): the local disk, or an
    # S3-compatible bucket that every replica reaches
    evidence_store: Literal["local", "s3"] = "local"
    evidence_folder: str = "evidence"
    evidence_max_bytes: int = Field(default=10_485_760, ge=1024)
    s3_endpoint_url: str | None = None
    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None

    @field_validator("webhook_allowlist", mode="before")
    @classmethod
    def split_allowlist(cls, value: object) -> object:
        if isinstance(value, str):
            value = [item.strip() for item in value.split(",") if item.strip()]
        if isinstance(value, list):
            return [_network_or_host(item) if isinstance(item, str) else item for item in value]
        return value

    def task_page_url(self, task_id: object) -> str:
        """The task's page for people, as every link the service sends gives it (e-mails,
        calendar events, webhook payloads): not the JSON resource, which a browser cannot open."""
        return f"{self.public_url.rstrip('/')}/tasks/{task_id}"

    def report_page_url(self, commitment_code: str, period: str) -> str:
        """A commitment's report for a period as people open it: the page to file it, or the
        filed report (a signed-out browser is sent to sign in, then back here)."""
        commitment = quote(commitment_code, safe="")
        return f"{self.public_url.rstrip('/')}/commitments/{commitment}/reports/{quote(period)}"

    @field_validator("default_locale")
    @classmethod
    def supported_locale(cls, value: str) -> str:
        if value not in SUPPORTED:
            raise ValueError(f"not a language with a catalogue: {', '.join(SUPPORTED)}")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip().rstrip("/") for item in value.split(",") if item.strip()]
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _network_or_host(item: str) -> IPv4Network | IPv6Network | str:
    try:
        return ip_network(item, strict=False)
    except ValueError:
        return item.lower()


@lru_cache
def get_settings() -> Settings:
    return Settings()
