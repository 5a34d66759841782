"""compose(): a submission's normalised content and attachments in, the article draft out.

Pure (no I/O) and total: whatever it is given, it returns a draft (a failure of its own
becomes a warning and the content as received). Every choice it makes leaves a Vietnamese
warning the editor sees on the card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import compose.texts as texts
from compose.blocks import LIST_ITEM, document_items, is_title_line, parse_body, text_items
from compose.guard import guard
from compose.letter import split_letter
from compose.model import (
    AUTHOR_MAX,
    SMALL_IMAGE,
    SUMMARY_MAX,
    TITLE_MAX,
    Draft,
    Item,
    Segment,
    Source,
    SourceFile,
)
from compose.text import clean_line, clean_text, cut, same
from compose.title import clean_subject, is_letter_subject


def compose(source: Source) -> Draft:
    """The draft of `source`; never raises."""
    try:
        return _compose(source)
    except Exception as exc:  # the contract is "never raises": show what was received
        text = clean_text(source.text)
        return Draft(
            title=cut(clean_line(source.subject), TITLE_MAX),
            author=cut(clean_line(source.author), AUTHOR_MAX),
            description="",
            body=[Item("text", p) for p in text.split("\n\n") if p.strip()],
            cover=None,
            letter="",
            warnings=[texts.COMPOSE_FAILED.format(error=type(exc).__name__)],
        )


@dataclass
class _Work:
    """The draft being built."""

    items: list[Item] = field(default_factory=list)
    letter: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    title: str = ""
    captions_used: set[str] = field(default_factory=set)


def _compose(source: Source) -> Draft:
    work = _Work()
    images = _photos(source, work)
    if source.channel == "telegram" and source.segments:
        _telegram(source, work)
    else:
        _mail(source, work)
    edit = source.edit
    if edit is not None and edit.title is not None and edit.title.strip():
        work.title = clean_line(edit.title)
        title_notes = {texts.TITLE_FROM_SUBJECT, texts.TITLE_FROM_DOCUMENT, texts.TITLE_MISSING}
        title_notes |= {texts.TITLE_FROM_FIRST_LINE, texts.TITLE_PREVIOUS}
        work.warnings = [w for w in work.warnings if w not in title_notes]
        work.warnings.append(texts.TITLE_EDITED)
    cover = _cover(source, images, work)
    if edit is not None and edit.body is not None:
        work.warnings.append(texts.EDITED)
        work.items = _edited_items(edit.body, images, cover, work, source.files)
    else:
        work.items = _place_images(work.items, images, cover, source, work)
    keep_contacts = edit is not None and edit.body is not None
    _guard(source, work, keep=keep_contacts)
    if len(work.title) > TITLE_MAX:
        work.warnings.append(texts.TITLE_CUT)
    title = cut(work.title, TITLE_MAX)
    description = _summary(source, work, title)
    if not any(i.type in ("text", "heading") for i in work.items):
        work.warnings.append(texts.EMPTY_BODY)
    return Draft(
        title=title,
        author=cut(clean_line(source.author), AUTHOR_MAX),
        description=description,
        body=work.items,
        cover=cover,
        letter="\n".join(work.letter),
        warnings=list(dict.fromkeys(work.warnings)),
    )


# --- e-mail (and any channel without Telegram segments) ----------------------------------


def _mail(source: Source, work: _Work) -> None:
    text = clean_text(source.text)
    split = split_letter(text)
    content = split.content
    document = [b for b in source.document or () if b.text.strip()]
    doc_chars = sum(len(b.text) for b in document)
    if document and doc_chars > len(content):
        work.letter = [line.strip() for line in text.split("\n") if line.strip()]
        if work.letter:
            work.warnings.append(texts.LETTER_ONLY.format(name=source.document_name))
        else:
            work.warnings.append(texts.DOCUMENT_USED.format(name=source.document_name))
        work.items = document_items(document)
        first = work.items[0] if work.items else None
        heading = first.content if first is not None and first.type == "heading" else ""
        _title(source, work, heading, from_document=True)
        return
    work.letter = list(split.letter)
    if split.letter:
        work.warnings.append(texts.LETTER_SPLIT.format(lines=len(split.letter)))
    work.items = text_items(content)
    first = work.items[0] if work.items else None
    heading = ""
    if (first is not None and first.type == "heading") or (
        first is not None
        and first.type == "text"
        and len(work.items) > 1
        and is_title_line(first.content)
    ):
        heading = first.content
    _title(source, work, heading, from_document=False)


def _title(source: Source, work: _Work, heading: str, *, from_document: bool) -> None:
    """Subject, else the content's heading; a revision answering our mail keeps the title."""
    subject = clean_subject(clean_line(source.subject))
    renamed = bool(subject) and not is_letter_subject(subject)  # the officer gave a title
    if source.answers_request and source.previous_title and not heading and not renamed:
        work.title = clean_line(source.previous_title)
        work.warnings.append(texts.TITLE_PREVIOUS)
        return
    if source.answers_request and heading:
        work.title = heading
        _drop_first_heading(work, heading)
        work.warnings.append(
            texts.TITLE_FROM_DOCUMENT if from_document else texts.TITLE_FROM_FIRST_LINE
        )
        return
    if subject and not is_letter_subject(subject):
        work.title = subject
        if heading and same(heading, subject):
            _drop_first_heading(work, heading)
            work.warnings.append(texts.HEADING_REMOVED)
        elif from_document or source.channel == "email":
            work.warnings.append(texts.TITLE_FROM_SUBJECT)
        return
    if subject:
        work.warnings.append(texts.TITLE_LETTER_SUBJECT.format(subject=subject))
    if heading:
        work.title = heading
        _drop_first_heading(work, heading)
        work.warnings.append(
            texts.TITLE_FROM_DOCUMENT if from_document else texts.TITLE_FROM_FIRST_LINE
        )
        return
    fallback = re.sub(r"^(?:v/v|v\.v\.?|về\s*việc|vv)\s*[:.]?\s*", "", subject, flags=re.I)
    work.title = fallback or subject or clean_line(source.previous_title)
    work.warnings.append(texts.TITLE_MISSING)


def _drop_first_heading(work: _Work, heading: str) -> None:
    if work.items and same(work.items[0].content, heading):
        work.items = work.items[1:]


# --- Telegram ----------------------------------------------------------------------------


def _telegram(source: Source, work: _Work) -> None:
    """Messages in order: texts become paragraphs, files their images with their captions.
    The title is the first short line when a blank line follows it."""
    segments = [Segment(clean_text(s.text), s.file) for s in source.segments]
    media = {f.name: f for f in source.files}
    has_text = any(s.text and s.file is None for s in segments)
    items: list[Item] = []
    for segment in segments:
        file = media.get(segment.file) if segment.file else None
        if segment.file is None or (not has_text and segment.text and not items):
            if segment.file is not None and segment.text:
                work.warnings.append(texts.CAPTION_AS_TEXT)
                work.captions_used.add(segment.text)
            items.extend(text_items(segment.text))
            if segment.file is not None and file is not None and file.media == "image":
                items.append(Item("image", name=file.name))
            continue
        if file is not None and file.media == "image":
            items.append(Item("image", name=file.name, caption=_caption(segment.text)))
            if segment.text:
                work.captions_used.add(segment.text)
        elif segment.text:  # a video or a document: its caption stays as a paragraph
            items.extend(text_items(segment.text))
    work.items = items
    first_text = next(
        (s.text for s in segments if s.text and s.text not in work.captions_used), ""
    )
    if not first_text and segments:
        first_text = next((s.text for s in segments if s.text), "")
    _telegram_title(source, work, first_text)


def _telegram_title(source: Source, work: _Work, first_text: str) -> None:
    lines = first_text.split("\n")
    first = lines[0].strip() if lines else ""
    blank_follows = len(lines) > 1 and not lines[1].strip()
    if first and blank_follows and len(first) <= TITLE_MAX and not first.endswith(","):
        work.title = first
        work.warnings.append(texts.TITLE_FROM_FIRST_LINE)
        for index, item in enumerate(work.items):
            if item.type in ("text", "heading") and same(item.content, first):
                del work.items[index]
                break
        return
    if source.answers_request and source.previous_title:
        work.title = clean_line(source.previous_title)
        work.warnings.append(texts.TITLE_PREVIOUS)
        return
    subject = clean_line(source.subject)
    work.title = subject or cut(first, 80)
    work.warnings.append(texts.TITLE_MISSING)


def _caption(text: str) -> str:
    return cut(" ".join(text.split()), SUMMARY_MAX)


# --- images ------------------------------------------------------------------------------


def _photos(source: Source, work: _Work) -> list[SourceFile]:
    """The images that are photos: in mail, a tiny one (a logo in a signature) is left out,
    unless the editor chose it as the cover (an edited body may still place it). A photo
    sent by Telegram is a photo whatever its size."""
    chosen = source.edit.cover if source.edit is not None else None
    if source.channel != "email":
        return [f for f in source.files if f.media == "image"]
    photos: list[SourceFile] = []
    for file in source.files:
        if file.media != "image":
            continue
        if _looks_like_logo(file) and file.name != chosen:
            work.warnings.append(texts.SMALL_IMAGE.format(name=file.name, size=file.size))
            continue
        photos.append(file)
    return photos


_LOGO_NAME = re.compile(r"^image\d{3}\.\w+$|\.(png|gif|bmp)$", re.IGNORECASE)


def _looks_like_logo(file: SourceFile) -> bool:
    """Under 10 KB and a PNG/GIF or named like Outlook's signature images (image001.png):
    a logo, not a photo (a photo, even a small JPEG, is kept)."""
    return 0 < file.size < SMALL_IMAGE and bool(_LOGO_NAME.search(file.name))


def _cover(source: Source, images: list[SourceFile], work: _Work) -> str | None:
    names = [f.name for f in images]
    chosen = source.edit.cover if source.edit is not None else None
    if chosen and chosen in names:
        work.warnings.append(texts.COVER_CHOSEN.format(name=chosen))
        return chosen
    if not names:
        work.warnings.append(texts.COVER_NONE)
        return None
    work.warnings.append(texts.COVER_FIRST.format(name=names[0]))
    return names[0]


def _place_images(
    items: list[Item], images: list[SourceFile], cover: str | None, source: Source, work: _Work
) -> list[Item]:
    """The cover out of the body; other images keep their place (Telegram) or follow the
    paragraphs in order, one after each, the rest at the end (e-mail)."""
    captions = {f.name: f.caption for f in images}
    placed = {i.name for i in items if i.type == "image"}
    out: list[Item] = []
    for item in items:
        if item.type == "image" and item.name == cover:
            if item.caption:
                work.warnings.append(texts.COVER_CAPTION_UNUSED.format(caption=item.caption))
            continue
        out.append(item)
    rest = [f for f in images if f.name not in placed and f.name != cover]
    if not rest:
        return out
    result: list[Item] = []
    queue = list(rest)
    for item in out:
        result.append(item)
        if item.type == "text" and queue and not _is_list_item(item):
            image = queue.pop(0)
            result.append(Item("image", name=image.name, caption=_caption(captions[image.name])))
    result += [Item("image", name=f.name, caption=_caption(captions[f.name])) for f in queue]
    return result


def _is_list_item(item: Item) -> bool:
    return bool(LIST_ITEM.match(item.content))


def _edited_items(
    body: str,
    images: list[SourceFile],
    cover: str | None,
    work: _Work,
    files: tuple[SourceFile, ...] = (),
) -> list[Item]:
    items = parse_body(clean_text(body))
    known = {f.name for f in images} | {f.name for f in files if f.media == "image"}
    for item in items:
        if item.type == "image" and item.name not in known:
            work.warnings.append(texts.IMAGE_UNKNOWN.format(name=item.name))
    items = [i for i in items if i.type != "image" or i.name in known]
    if any(i.type == "image" for i in items):
        return items
    rest = [f for f in images if f.name != cover]
    if rest:
        work.warnings.append(texts.EDIT_IMAGES_APPENDED)
    return items + [Item("image", name=f.name, caption=_caption(f.caption)) for f in rest]


# --- summary and guard -------------------------------------------------------------------


def _summary(source: Source, work: _Work, title: str) -> str:
    edit = source.edit
    if edit is not None and edit.summary is not None and edit.summary.strip():
        summary = cut(clean_line(edit.summary), SUMMARY_MAX)
        found = guard(summary, source.protected, remove=False)  # the editor's words: kept
        work.warnings += [texts.OFFICER_CONTACT_KEPT.format(value=v) for v in found.kept]
        work.warnings += [texts.PHONE_FOUND.format(value=v) for v in found.phones]
        work.warnings += [texts.EMAIL_FOUND.format(value=v) for v in found.emails]
        work.warnings += [texts.CITIZEN_ID_FOUND.format(value=v) for v in found.citizen_ids]
        return summary
    for item in work.items:
        if item.type != "text" or _is_list_item(item) or same(item.content, title):
            continue
        if clean_line(item.content) == title:
            continue
        if len(item.content) > SUMMARY_MAX:
            work.warnings.append(texts.SUMMARY_CUT)
        else:
            work.warnings.append(texts.SUMMARY_FROM_LEAD)
        return cut(item.content, SUMMARY_MAX)
    work.warnings.append(texts.SUMMARY_MISSING)
    return ""


def _guard(source: Source, work: _Work, *, keep: bool) -> None:
    removed_phones = removed_emails = 0
    found: list[str] = []
    edit = source.edit
    keep_title = keep or (edit is not None and edit.title is not None)

    def run(text: str, *, keep_this: bool) -> str:
        nonlocal removed_phones, removed_emails
        result = guard(text, source.protected, remove=not keep_this)
        removed_phones += result.removed_phones
        removed_emails += result.removed_emails
        found.extend(texts.OFFICER_CONTACT_KEPT.format(value=v) for v in result.kept)
        found.extend(texts.PHONE_FOUND.format(value=v) for v in result.phones)
        found.extend(texts.EMAIL_FOUND.format(value=v) for v in result.emails)
        found.extend(texts.CITIZEN_ID_FOUND.format(value=v) for v in result.citizen_ids)
        return result.text

    work.title = run(work.title, keep_this=keep_title)
    guarded: list[Item] = []
    for item in work.items:
        if item.type == "image":
            caption = run(item.caption, keep_this=keep) if item.caption else ""
            guarded.append(Item("image", name=item.name, caption=caption))
            continue
        content = run(item.content, keep_this=keep).strip()
        if content:
            guarded.append(Item(item.type, content))
    work.items = guarded
    if removed_phones:
        work.warnings.append(texts.OFFICER_PHONE_REMOVED.format(count=removed_phones))
    if removed_emails:
        work.warnings.append(texts.OFFICER_EMAIL_REMOVED.format(count=removed_emails))
    work.warnings.extend(found)
