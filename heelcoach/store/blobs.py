"""Tables and repository for uploads kept in the database, in chunks, so any worker can read them.

A clinic's workers may run on other machines than the web processes: an upload is stored here
(a row per file, its bytes in chunks of about a megabyte) rather than as a path on the web host.
Both tables go with their person (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from heelcoach.store.base import Base
from heelcoach.store.models import Person  # noqa: F401 - the people table our foreign key points at


class BlobRow(Base):
    """One stored upload: whose it is, the name it was uploaded with, its size."""

    __tablename__ = "blobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    #: ``upload`` (waiting for a job; counts for the quota), ``gait_picture`` (a key frame or chart a
    #: worker drew), ``watch_file`` (a watch file runs were imported from, for their detail), ``report_pdf``
    #: (a report PDF a worker made).
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="upload", server_default="upload")


class BlobChunkRow(Base):
    """A piece of an upload's bytes, in order (``seq`` from 0)."""

    __tablename__ = "blob_chunks"

    blob_id: Mapped[str] = mapped_column(ForeignKey("blobs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


@dataclass(frozen=True, slots=True)
class BlobRecord:
    """A stored upload's description (its bytes are read chunk by chunk)."""

    id: str
    person_id: int
    name: str
    size_bytes: int
    created_at: datetime
    kind: str = "upload"


class Blobs:
    """The blobs and blob_chunks tables."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: BlobRecord) -> None:
        """Add the description; its chunks follow with :meth:`add_chunk`."""
        self.session.add(
            BlobRow(
                id=record.id,
                person_id=record.person_id,
                name=record.name,
                size_bytes=record.size_bytes,
                created_at=record.created_at,
                kind=record.kind,
            )
        )
        self.session.flush()

    def add_chunk(self, blob_id: str, seq: int, data: bytes) -> None:
        """Store one chunk of the blob's bytes."""
        self.session.add(BlobChunkRow(blob_id=blob_id, seq=seq, data=data))
        self.session.flush()

    def get(self, blob_id: str) -> BlobRecord | None:
        """The blob's description, or None."""
        row = self.session.get(BlobRow, blob_id)
        if row is None:
            return None
        return BlobRecord(row.id, row.person_id, row.name, row.size_bytes, row.created_at, row.kind)

    def chunks(self, blob_id: str) -> Iterator[bytes]:
        """The blob's bytes, chunk by chunk in order (one chunk in memory at a time)."""
        seqs = self.session.scalars(
            select(BlobChunkRow.seq).where(BlobChunkRow.blob_id == blob_id).order_by(BlobChunkRow.seq)
        ).all()
        for seq in seqs:
            data = self.session.scalar(
                select(BlobChunkRow.data).where(BlobChunkRow.blob_id == blob_id, BlobChunkRow.seq == seq)
            )
            if data is not None:
                yield bytes(data)

    def used_bytes(self, person_id: int) -> int:
        """The bytes a person's stored uploads waiting for a job take (what the quota counts)."""
        query = select(func.sum(BlobRow.size_bytes)).where(
            BlobRow.person_id == person_id, BlobRow.kind == "upload"
        )
        total = self.session.scalar(query)
        return int(total or 0)

    def set_kind(self, blob_id: str, kind: str) -> None:
        """Change what the blob is kept for (an upload becomes a kept watch file)."""
        row = self.session.get(BlobRow, blob_id)
        if row is not None:
            row.kind = kind
            self.session.flush()

    def ids_of(self, person_id: int, kind: str, name: str) -> list[str]:
        """The ids of the person's blobs of this kind and name, newest first."""
        query = (
            select(BlobRow.id)
            .where(BlobRow.person_id == person_id, BlobRow.kind == kind, BlobRow.name == name)
            .order_by(BlobRow.created_at.desc(), BlobRow.id)
        )
        return list(self.session.scalars(query))

    def uploads_before(self, moment: datetime, person_id: int | None = None) -> list[str]:
        """The ids of uploads (still waiting for a job) stored before ``moment``: one person's, or all."""
        query = select(BlobRow.id).where(BlobRow.kind == "upload", BlobRow.created_at < moment)
        if person_id is not None:
            query = query.where(BlobRow.person_id == person_id)
        return list(self.session.scalars(query))

    def delete(self, blob_id: str) -> None:
        """Remove the blob and its chunks."""
        self.session.execute(delete(BlobChunkRow).where(BlobChunkRow.blob_id == blob_id))
        self.session.execute(delete(BlobRow).where(BlobRow.id == blob_id))
