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

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from heelcoach.errors import InvalidInputError
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.blobs import BlobRecord, Blobs
from heelcoach.store.models import Person

#: Bytes per stored chunk: small enough for any database row, big enough to keep rows few.
CHUNK_BYTES = 1024 * 1024

#: What one person may keep stored as uploads at once, in multiples of the upload size limit.
QUOTA_UPLOADS = 10


#: What a blob is kept for: an upload waiting for its job (counts for the quota), a picture a
#: worker drew for a gait report, a watch file runs were imported from (for their detail page),
#: a report PDF a worker made (the plan handout, the hand-over report).
UPLOAD, GAIT_PICTURE, WATCH_FILE, REPORT_PDF = "upload", "gait_picture", "watch_file", "report_pdf"

#: How long an upload no job has taken stays stored: a watch file kept while the job server was
#: away and never retried, or a job lost with its queue. Older ones are deleted (so they stop counting
#: for the quota) when the person stores a new upload, and by the clinic's periodic sweep.
UPLOAD_KEEP = timedelta(days=2)

#: How many report PDFs of one name a person keeps (older ones are deleted when a new one is made).
KEEP_REPORTS = 3

#: How a stored gait report names a picture kept as a blob: ``blob:<id>/<file name>``.
PICTURE_PREFIX = "blob:"

#: The folder a worker reads a stored upload into: its name carries the blob id.
BLOB_FOLDER = re.compile(r"[/\\]blob-([0-9a-f]{32})[/\\]")


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

    def put(self, person_id: int, source: Path, name: str, kind: str = UPLOAD) -> str:
        """Store ``source`` in one transaction (all of it or nothing); refuse it over the limits."""
        with transaction(self.ctx.sessions) as s:
            return self.put_in(s, person_id, source, name, kind)

    def put_in(self, s: Session, person_id: int, source: Path, name: str, kind: str = UPLOAD) -> str:
        """Store ``source`` in the caller's transaction ``s`` (so it commits with the caller's rows)."""
        size = source.stat().st_size
        with source.open("rb") as fh:
            return self._put_chunks(s, person_id, size, iter(lambda: fh.read(CHUNK_BYTES), b""), name, kind)

    def put_report(self, person_id: int, data: bytes, name: str) -> str:
        """Store a report a worker made (a PDF) for any web process to serve; its blob id.

        Only the newest :data:`KEEP_REPORTS` reports of the same name are kept for the person.
        """
        with transaction(self.ctx.sessions) as s:
            chunks = (data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES))
            blob_id = self._put_chunks(s, person_id, len(data), chunks, name, REPORT_PDF)
            repo = Blobs(s)
            for old in repo.ids_of(person_id, REPORT_PDF, name[:255])[KEEP_REPORTS:]:
                repo.delete(old)
            return blob_id

    def _put_chunks(
        self, s: Session, person_id: int, size: int, chunks: Iterator[bytes], name: str, kind: str
    ) -> str:
        if size > self.max_bytes:
            raise BlobError(
                f"{name} is {size / 1e6:.1f} MB; uploads are limited to {self.max_bytes / 1e6:.0f} MB."
            )
        blob_id = uuid.uuid4().hex
        if s.get(Person, person_id) is None:
            raise BlobError(f"There is no person with id {person_id}: {name} was not stored.")
        repo = Blobs(s)
        if kind == UPLOAD:  # the person's forgotten uploads stop counting before the quota is checked
            for stale in repo.uploads_before(datetime.now(UTC) - UPLOAD_KEEP, person_id):
                repo.delete(stale)
        if kind == UPLOAD and repo.used_bytes(person_id) + size > self.quota_bytes:
            raise BlobError(
                f"{name} was not stored: your uploads waiting to be read would pass "
                f"{self.quota_bytes / 1e6:.0f} MB. Wait for the running analyses and imports to end."
            )
        repo.add(BlobRecord(blob_id, person_id, name[:255], size, datetime.now(UTC), kind))
        for seq, chunk in enumerate(chunks):
            repo.add_chunk(blob_id, seq, chunk)
        return blob_id

    def sweep_stale_uploads(self, now: datetime) -> int:
        """Delete every upload older than :data:`UPLOAD_KEEP` that no job took; how many went."""
        with transaction(self.ctx.sessions) as s:
            repo = Blobs(s)
            stale = repo.uploads_before(now - UPLOAD_KEEP)
            for blob_id in stale:
                repo.delete(blob_id)
            return len(stale)

    def read(self, blob_id: str, person_id: int, kind: str) -> bytes | None:
        """The bytes of a small blob of this person and kind (a picture), or None for any other."""
        with transaction(self.ctx.sessions) as s:
            repo = Blobs(s)
            record = repo.get(blob_id)
            if record is None or record.person_id != person_id or record.kind != kind:
                return None
            return b"".join(repo.chunks(blob_id))

    def keep_as(self, blob_id: str, kind: str) -> None:
        """Keep an upload for good as ``kind`` (it no longer counts for the quota)."""
        with transaction(self.ctx.sessions) as s:
            Blobs(s).set_kind(blob_id, kind)

    def delete_upload(self, blob_id: str) -> None:
        """Remove the blob if it is still an upload waiting for its job (kept ones stay)."""
        with transaction(self.ctx.sessions) as s:
            repo = Blobs(s)
            record = repo.get(blob_id)
            if record is not None and record.kind == UPLOAD:
                repo.delete(blob_id)

    def local_copy(self, person_id: int, source_root: str, cache_dir: Path) -> Path | None:
        """A copy under ``cache_dir`` of the watch file a worker read from ``source_root``, or None.

        A worker reads an upload into ``.../blob-<id>/<name>`` in its own folder and keeps the
        upload as a ``watch_file`` blob; any web process reads it back from here by that id.
        """
        found = BLOB_FOLDER.search(source_root)
        if found is None:
            return None
        blob_id = found.group(1)
        dest = cache_dir / f"blob-{blob_id}" / Path(source_root).name
        if dest.is_file():
            return dest
        with transaction(self.ctx.sessions) as s:
            record = Blobs(s).get(blob_id)
        if record is None or record.person_id != person_id or record.kind != WATCH_FILE:
            return None
        return self.fetch(blob_id, dest)

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
