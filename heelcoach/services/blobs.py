"""Uploads any worker can read: a small store interface, kept in the database in chunks.

Usage::

    store = DatabaseBlobStore(ctx)
    blob_id = store.put(person_id, path, "morning run.fit")   # the web process, after the upload
    store.fetch(blob_id, tmp_dir / "morning run.fit")        # a worker, on any machine
    store.delete(blob_id)

With a broker configured, the web app never hands a worker a path on its own disk: it stores the
upload here. Blobs go with their person (``ON DELETE CASCADE``) and are bounded in size and per
person (the quota), checked before any byte is stored.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from heelcoach.errors import InvalidInputError
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.blobs import BlobRecord, Blobs
from heelcoach.store.models import Person

#: Bytes per stored chunk: small enough for any database row, big enough to keep rows few.
CHUNK_BYTES = 1024 * 1024

#: What one person may keep stored as uploads at once, in multiples of the upload size limit.
QUOTA_UPLOADS = 10


class BlobError(InvalidInputError):
    """An upload could not be stored or read; the message says why and what to do."""


class BlobStore(Protocol):
    """Where uploads live so that any worker can read them."""

    def put(self, person_id: int, source: Path, name: str) -> str:
        """Store the file at ``source`` for the person under ``name``; its blob id."""
        ...

    def fetch(self, blob_id: str, dest: Path) -> Path:
        """Write the blob's bytes to ``dest`` (a worker's own folder); ``dest``."""
        ...

    def name(self, blob_id: str) -> str | None:
        """The name the blob was uploaded with, or None when it is gone."""
        ...

    def delete(self, blob_id: str) -> None:
        """Remove the blob (nothing happens when it is already gone)."""
        ...


class DatabaseBlobStore:
    """Blobs in the application database (SQLite or PostgreSQL), a megabyte per row."""

    def __init__(self, ctx: AppContext, max_bytes: int | None = None, quota_bytes: int | None = None) -> None:
        self.ctx = ctx
        limit = int(ctx.settings.max_upload_mb) * 1024 * 1024
        self.max_bytes = max_bytes if max_bytes is not None else limit
        self.quota_bytes = quota_bytes if quota_bytes is not None else QUOTA_UPLOADS * limit

    def put(self, person_id: int, source: Path, name: str) -> str:
        """Store ``source`` in one transaction (all of it or nothing); refuse it over the limits."""
        size = source.stat().st_size
        if size > self.max_bytes:
            raise BlobError(
                f"{name} is {size / 1e6:.1f} MB; uploads are limited to {self.max_bytes / 1e6:.0f} MB."
            )
        blob_id = uuid.uuid4().hex
        with transaction(self.ctx.sessions) as s:
            if s.get(Person, person_id) is None:
                raise BlobError(f"There is no person with id {person_id}: {name} was not stored.")
            repo = Blobs(s)
            if repo.used_bytes(person_id) + size > self.quota_bytes:
                raise BlobError(
                    f"{name} was not stored: your uploads waiting to be read would pass "
                    f"{self.quota_bytes / 1e6:.0f} MB. Wait for the running analyses and imports to end."
                )
            repo.add(BlobRecord(blob_id, person_id, name[:255], size, datetime.now(UTC)))
            with source.open("rb") as fh:
                for seq, chunk in enumerate(iter(lambda: fh.read(CHUNK_BYTES), b"")):
                    repo.add_chunk(blob_id, seq, chunk)
        return blob_id

    def fetch(self, blob_id: str, dest: Path) -> Path:
        """Write the blob to ``dest`` one chunk at a time; BlobError when it is gone."""
        with transaction(self.ctx.sessions) as s:
            repo = Blobs(s)
            if repo.get(blob_id) is None:
                raise BlobError("The uploaded file is no longer stored (its person may have been deleted).")
            dest.parent.mkdir(parents=True, exist_ok=True)
            with dest.open("wb") as fh:
                for chunk in repo.chunks(blob_id):
                    fh.write(chunk)
        return dest

    def name(self, blob_id: str) -> str | None:
        """The name the blob was uploaded with, or None."""
        with transaction(self.ctx.sessions) as s:
            record = Blobs(s).get(blob_id)
        return None if record is None else record.name

    def delete(self, blob_id: str) -> None:
        """Remove the blob and its chunks."""
        with transaction(self.ctx.sessions) as s:
            Blobs(s).delete(blob_id)
