"""The .docx reader: parts found through the package relationships, hostile XML kept inert."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest

from mime.docxtext import extract_docx_text, may_name_legacy_font

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def package(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def document(body: str, prolog: str = "") -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'  # noqa: E501


def test_main_part_and_styles_are_found_through_relationships() -> None:
    styles = (
        f'<w:styles xmlns:w="{W}"><w:style w:styleId="Cu"><w:rPr>'
        '<w:rFonts w:ascii=".VnTime"/></w:rPr></w:style></w:styles>'
    )
    data = package(
        {
            "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="r1" '
            f'Type="{DOC}/officeDocument" Target="noidung/chinh.xml"/></Relationships>',
            "noidung/_rels/chinh.xml.rels": f'<Relationships xmlns="{RELS}"><Relationship '
            f'Id="r2" Type="{DOC}/styles" Target="kieu.xml"/></Relationships>',
            "noidung/chinh.xml": document(
                "<w:p><w:r><w:t>Thông báo tiêm chủng</w:t></w:r></w:p>"
                "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Ô 1</w:t></w:r></w:p></w:tc>"
                "<w:tc><w:p><w:r><w:t>Ô 2</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
                '<w:p><w:pPr><w:pStyle w:val="Cu"/></w:pPr><w:r><w:t>Hµ Néi</w:t></w:r></w:p>'
            ),
            "noidung/kieu.xml": styles,
        }
    )
    found = extract_docx_text(data)
    assert found is not None
    assert found.text.splitlines() == ["Thông báo tiêm chủng", "Ô 1 | Ô 2", "Hà Nội"]
    assert found.legacy_encoding == "tcvn3"


def test_entities_are_not_resolved() -> None:
    prolog = '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    data = package({"word/document.xml": document("<w:p><w:r><w:t>&x;</w:t></w:r></w:p>", prolog)})
    found = extract_docx_text(data)
    assert found is None or "root:" not in found.text


def test_what_is_not_a_word_file_has_no_text() -> None:
    assert extract_docx_text(b"PK\x03\x04 not really a zip") is None
    assert extract_docx_text(package({"word/document.xml": "<a>không phải Word</a>"})) is None
    assert extract_docx_text(package({"khac.txt": "x"})) is None


def _styled(styles: str, body: str) -> bytes:
    return package(
        {
            "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="r1" '
            f'Type="{DOC}/officeDocument" Target="word/document.xml"/></Relationships>',
            "word/_rels/document.xml.rels": f'<Relationships xmlns="{RELS}"><Relationship '
            f'Id="r2" Type="{DOC}/styles" Target="styles.xml"/></Relationships>',
            "word/document.xml": document(body),
            "word/styles.xml": f'<w:styles xmlns:w="{W}">{styles}</w:styles>',
        }
    )


def test_the_style_sheet_is_read_only_when_its_bytes_may_name_a_legacy_font() -> None:
    assert not may_name_legacy_font(
        f'<w:styles xmlns:w="{W}"><w:rFonts w:ascii="Times New Roman"/></w:styles>'.encode()
    )
    for named in (
        '<w:rFonts w:ascii=".VnTime"/>',
        "<w:rFonts w:hAnsi='.VNTIMEH'/>",
        '<w:rFonts w:cs="Vni-Times"/>',
        '<w:rFonts w:ascii="&#46;VnTime"/>',  # a character reference hides the name
    ):
        assert may_name_legacy_font(named.encode()), named
    assert may_name_legacy_font('<w:rFonts w:ascii="Arial"/>'.encode("utf-16"))
    # Only rFonts tags name the fonts read; a style merely called ".VnTime" names none.
    assert not may_name_legacy_font(
        b'<w:style><w:name w:val=".VnTime"/><w:rFonts w:ascii="Arial"/>'
    )
    assert may_name_legacy_font(b'<w:rFonts\n  w:eastAsia="Arial"\n  w:hAnsi = " .VnArial"/>')


def test_a_legacy_default_font_hidden_behind_a_character_reference_still_converts() -> None:
    defaults = '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="&#46;VnTime"/>'
    data = _styled(defaults + "</w:rPr></w:rPrDefault></w:docDefaults>", _para("Hµ Néi"))
    found = extract_docx_text(data)
    assert found is not None
    assert (found.text, found.legacy_encoding) == ("Hà Nội\tx", "tcvn3")


def test_without_a_legacy_font_the_text_is_kept_as_written() -> None:
    # "Hµ Néi" only looks like TCVN3: with no legacy font named anywhere it is left alone.
    normal = '<w:style w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
    data = _styled(normal, _para("Hµ Néi"))
    found = extract_docx_text(data)
    assert found is not None
    assert (found.text, found.legacy_encoding) == ("Hµ Néi\tx", None)


def _para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t><w:tab/><w:t>x</w:t></w:r></w:p>"


def test_a_style_sheet_seen_before_is_not_read_again_and_sheets_are_not_confused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN documents of one template (the same style sheet) and one of another WHEN their
    text is read THEN the shared sheet is inflated once, its legacy font still converts the
    second document's text, and the other sheet is read and used for its own document."""
    unique = uuid.uuid4().hex  # sheets other tests have not shown the cache
    legacy = (
        f'<w:style w:styleId="Cu{unique}"><w:rPr><w:rFonts w:ascii=".VnTime"/></w:rPr></w:style>'
    )
    plain = f'<w:style w:styleId="Cu{unique}"><w:rPr><w:rFonts w:ascii="Arial"/></w:rPr></w:style>'

    def para(text: str) -> str:
        return (
            f'<w:p><w:pPr><w:pStyle w:val="Cu{unique}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>'
        )

    read: list[str] = []
    original = zipfile.ZipFile.read

    def counting(self: zipfile.ZipFile, name: str, pwd: bytes | None = None) -> bytes:
        read.append(name)
        return original(self, name, pwd)

    monkeypatch.setattr(zipfile.ZipFile, "read", counting)
    first = extract_docx_text(_styled(legacy, para("Hµ Néi")))
    second = extract_docx_text(_styled(legacy, para("Th«ng b¸o")))
    other = extract_docx_text(_styled(plain, para("Hµ Néi")))
    assert first is not None and second is not None and other is not None
    assert (first.text, first.legacy_encoding) == ("Hà Nội", "tcvn3")
    assert (second.text, second.legacy_encoding) == ("Thông báo", "tcvn3")
    assert (other.text, other.legacy_encoding) == ("Hµ Néi", None)
    assert read.count("word/styles.xml") == 2  # the first and the other document's sheets
    assert read.count("word/document.xml") == 0  # streamed (ZipFile.open), never read whole
