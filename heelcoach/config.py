"""Settings read from the environment (prefix HEELCOACH_), for the services and the interfaces."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """Where the embedded database and uploads live for a local runner."""
    return user_data_path("heelcoach", appauthor=False)


class Settings(BaseSettings):
    """Runtime settings. ``database_url`` defaults to a SQLite file in the user's data directory."""

    model_config = SettingsConfigDict(env_prefix="HEELCOACH_", extra="ignore")

    data_dir: Path = default_data_dir()
    database_url: str | None = None
    max_upload_mb: int = 200
    max_archive_uncompressed_mb: int = 2048
    #: Entries across every level of a nested archive (zip bombs made of many tiny files).
    max_archive_members: int = 50_000
    #: Required from every browser and script when set (a long random token or a password); the
    #: server refuses to listen off this computer without it. ``serve --new-access-secret`` makes one.
    access_secret: str | None = None
    #: Extra host names the web app answers to (comma-separated), besides the loopback names and
    #: the address given to ``serve --host``. Any other Host header is refused (DNS rebinding).
    allowed_hosts: str = ""
    #: Clinic mode (``heelcoach serve --clinic``): accounts, roles and login instead of one local runner.
    clinic: bool = False
    #: A Redis URL (``redis://host:6379/0``): background jobs then run on Celery workers
    #: (``heelcoach worker``) and uploads are kept in the database; unset, jobs run in-process.
    broker_url: str | None = None
    #: Longest a background job may run on a worker before it is stopped (seconds).
    job_time_limit_s: int = 900
    #: A job a worker took but never finished (the worker died) is handed to another after this
    #: long (seconds); unset: the time limit plus a minute, so a running job is never handed out twice.
    job_redeliver_s: int | None = None
    #: The mail server the daily reminder e-mails go through (clinic mode, sent by Celery beat).
    smtp_host: str | None = None
    smtp_port: int = 25
    #: The sender of the reminder e-mails.
    mail_from: str = "heelcoach@localhost"
    #: How often Celery beat looks for reminders that are due (seconds).
    reminder_every_s: int = 60

    def resolved_database_url(self) -> str:
        """The database URL, creating the data directory for the SQLite default."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'heelcoach.db'}"


def get_settings() -> Settings:
    """Fresh settings from the current environment."""
    return Settings()
