"""What intake kept, as composition's `Source`: the one place the article draft of a
submission is built from (publisher, review cards, the web console, the CLI).

It sits below intake, review and publisher so that all of them can read a stored submission
without importing each other. A stored mail is read again with the e-mail intake's MIME
parser (mime.parse, pure: bytes in, a ParsedMessage out) and a Telegram draft with
tgbot.messages.

A stored submission is composed again from its raw message (the mail's body and subject,
the Word attachment's structure; the Telegram messages in order), its stored attachments
and the editors' edits; `compose()` itself is pure (compose/).

Editors' edits are kept without a column of their own: a title or summary that differs from
what the officer sent, a revision whose source key starts with "edit:" (its text is the
edited body, see compose.blocks), and the chosen cover (`cover_attachment_id`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from compose import Block, Contacts, Draft, Edit, Segment, Source, SourceFile, compose
from mime.docxtext import extract_docx_blocks
from mime.model import ParsedMessage
from mime.parse import parse_message
from storage.files import FileStore, safe_filename
from storage.models import Attachment, Officer, Submission, SubmissionRevision, Unit
from tgbot.messages import draft_items

log = logging.getLogger(__name__)

EDIT_PREFIX = "edit:"
_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def media_of_file(filename: str, content_type: str) -> str:
    """image / video / document / other, as intake stores it."""
    content_type = content_type.lower()
    if content_type.startswith("image/"):
        return "image"
    if content_type.startswith("video/"):
        return "video"
    return "document" if content_type.startswith("application/") else "other"


def is_docx(filename: str, content_type: str) -> bool:
    return content_type.lower() == _DOCX_TYPE or filename.lower().endswith(".docx")


def unique_names(names: Sequence[str]) -> list[str]:
    """Attachment names as composition knows them: a repeated name gets "-2", "-3"."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        count = seen.get(name, 0) + 1
        seen[name] = count
        if count == 1:
            out.append(name)
        else:
            stem, dot, ext = name.rpartition(".")
            out.append(f"{stem}-{count}.{ext}" if dot else f"{name}-{count}")
    return out


def document_of(parsed: ParsedMessage) -> tuple[tuple[Block, ...] | None, str]:
    """The structure of the first readable Word attachment, and its name."""
    for attachment in parsed.attachments:
        if not is_docx(attachment.filename, attachment.content_type):
            continue
        blocks = extract_docx_blocks(attachment.data)
        if blocks:
            found = tuple(Block(b.kind, b.text, b.level) for b in blocks)
            return found, safe_filename(attachment.filename)
    return None, ""


def mail_body(parsed: ParsedMessage) -> str:
    """The mail's own body: when intake took the article's text from a Word attachment,
    the body it had is the cover note."""
    if any(w.startswith("text_from_docx") for w in parsed.warnings):
        return parsed.cover_note or ""
    return parsed.text


def source_of_message(
    parsed: ParsedMessage,
    *,
    author: str = "",
    protected: Contacts = Contacts(),
    files: Sequence[SourceFile] | None = None,
    previous_title: str = "",
    answers_request: bool = False,
    edit: Edit | None = None,
) -> Source:
    """A parsed mail as composition's source (files: the stored attachments, if any)."""
    document, document_name = document_of(parsed)
    if files is None:
        names = unique_names([safe_filename(a.filename) for a in parsed.attachments])
        files = [
            SourceFile(name, media_of_file(a.filename, a.content_type), size=a.size)
            for name, a in zip(names, parsed.attachments, strict=True)
        ]
    return Source(
        channel="email",
        subject=parsed.subject or parsed.title,
        text=mail_body(parsed),
        document=document,
        document_name=document_name,
        files=tuple(files),
        author=author,
        protected=protected,
        previous_title=previous_title,
        answers_request=answers_request,
        edit=edit,
    )


@dataclass
class Loaded:
    """A stored submission's source, and which attachment each composed name means."""

    source: Source
    attachments: dict[str, Attachment] = field(default_factory=dict)
    revisions: list[SubmissionRevision] = field(default_factory=list)

    def draft(self) -> Draft:
        return compose(self.source)


async def protected_contacts(session: AsyncSession) -> Contacts:
    """Every registered officer's phone and e-mail (the submitting officer among them)."""
    rows = (await session.exec(select(Officer.phone, Officer.email))).all()
    phones = tuple(sorted({p for p, _ in rows if p}))
    emails = tuple(sorted({e.lower() for _, e in rows if e}))
    return Contacts(phones=phones, emails=emails)


async def list_revisions(*, session: AsyncSession, submission_id: int) -> list[SubmissionRevision]:
    result = await session.exec(
        select(SubmissionRevision)
        .where(col(SubmissionRevision.submission_id) == submission_id)
        .order_by(col(SubmissionRevision.revision))
    )
    return list(result.all())


def is_edit(revision: SubmissionRevision) -> bool:
    return revision.source_key.startswith(EDIT_PREFIX)


async def media_attachments(
    *, session: AsyncSession, submission: Submission, revisions: Sequence[SubmissionRevision]
) -> list[Attachment]:
    """The attachments of the latest version an officer sent (an editor's edit has none),
    or all of them when that version came without files (as before)."""
    assert submission.id is not None
    sent = [r.revision for r in revisions if not is_edit(r)]
    query = select(Attachment).where(col(Attachment.submission_id) == submission.id)
    rows = list(
        (
            await session.exec(query.order_by(col(Attachment.revision), col(Attachment.position)))
        ).all()
    )
    if sent:
        own = [a for a in rows if a.revision == sent[-1]]
        if own:
            return own
    return rows


async def load_source(
    *,
    session: AsyncSession,
    files: FileStore,
    submission: Submission,
    default_author: str = "",
    upto: int | None = None,
) -> Loaded:
    """The source of a stored submission's current (or `upto`) revision."""
    assert submission.id is not None
    revisions = await list_revisions(session=session, submission_id=submission.id)
    if upto is not None:
        revisions = [r for r in revisions if r.revision <= upto]
    sent = [r for r in revisions if not is_edit(r)]
    base = sent[-1] if sent else None
    attachments = await media_attachments(
        session=session, submission=submission, revisions=revisions
    )
    if base is not None:
        attachments = [a for a in attachments if a.revision <= base.revision] or attachments
    names = unique_names([a.filename for a in attachments])
    by_name = dict(zip(names, attachments, strict=True))
    source_files = [SourceFile(n, a.media, a.caption, a.size) for n, a in by_name.items()]
    unit = await session.get(Unit, submission.unit_id) if submission.unit_id else None
    author = unit.name if unit else (submission.sender_name or default_author)
    protected = await protected_contacts(session)
    previous_title = ""
    answers = base is not None and base.revision > 1
    if answers and base is not None:
        previous = await load_source(
            session=session,
            files=files,
            submission=submission,
            default_author=default_author,
            upto=base.revision - 1,
        )
        previous_title = previous.draft().title
    raw = await _raw(files, base)
    source: Source
    if raw is not None and str(submission.channel) == "email":
        parsed = await asyncio.to_thread(parse_message, raw)
        source = source_of_message(parsed, files=source_files)
    elif raw is not None and str(submission.channel) == "telegram":
        source = Source(channel="telegram", segments=_segments(raw), files=tuple(source_files))
    else:
        source = Source(
            channel=str(submission.channel),
            subject=base.title if base else submission.title,
            text=base.text if base else submission.text,
            files=tuple(source_files),
        )
    source = replace(
        source,
        author=author,
        protected=protected,
        previous_title=previous_title,
        answers_request=answers,
    )
    if upto is None:
        edit = _edit(submission, revisions, base, by_name)
        if edit is not None:
            source = replace(source, edit=edit)
    return Loaded(source=source, attachments=by_name, revisions=revisions)


async def _raw(files: FileStore, revision: SubmissionRevision | None) -> bytes | None:
    if revision is None or not revision.raw_sha256:
        return None
    try:
        return await asyncio.to_thread(files.read, revision.raw_sha256)
    except OSError:
        log.warning("raw message %s missing; composing from the stored text", revision.raw_sha256)
        return None


def _segments(raw: bytes) -> tuple[Segment, ...]:
    try:
        updates = json.loads(raw)
    except ValueError:
        return ()
    if not isinstance(updates, list):
        return ()
    items = draft_items([u for u in updates if isinstance(u, dict) and "update_id" in u])
    names = unique_names([safe_filename(i.file_name) for i in items if i.file_id])
    out: list[Segment] = []
    position = 0
    for item in items:
        name = None
        if item.file_id:
            name = names[position]
            position += 1
        out.append(Segment(text=item.text, file=name))
    return tuple(out)


def _edit(
    submission: Submission,
    revisions: Sequence[SubmissionRevision],
    base: SubmissionRevision | None,
    attachments: dict[str, Attachment],
) -> Edit | None:
    """What editors changed on top of what the officer sent."""
    since = [r for r in revisions if base is None or r.revision > base.revision]
    body = next((r.text for r in reversed(since) if is_edit(r) and r.text), None)
    sent_title = base.title if base is not None else ""
    title = submission.title if submission.title and submission.title != sent_title else None
    summary = submission.summary or None
    cover = next(
        (n for n, a in attachments.items() if a.id == submission.cover_attachment_id), None
    )
    if body is None and title is None and summary is None and cover is None:
        return None
    return Edit(title=title, summary=summary, body=body, cover=cover)


async def load_draft(
    *, session: AsyncSession, files: FileStore, submission: Submission, default_author: str = ""
) -> tuple[Draft, Loaded]:
    """The current draft of a stored submission (what would be published)."""
    loaded = await load_source(
        session=session, files=files, submission=submission, default_author=default_author
    )
    return loaded.draft(), loaded
