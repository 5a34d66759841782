"""The article golden set: submissions in the forms Vietnamese units really send, each with
the draft an editor would publish (tests/unit/compose/test_golden_articles.py).

Mail goes through the real path (raw bytes -> parse_message -> sources.stored ->
compose); Telegram sequences and revisions are given as composition's Source. Each case
names what matters by hand (`expect`): the title, the start of the summary, what the body
and the letter must and must not hold. The whole draft is also kept as JSON beside this
file (refreshed with GOLDEN_UPDATE=1 and reviewed).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

from compose import Contacts, Segment, Source, SourceFile

OFFICERS = Contacts(
    phones=("+84912345678", "+84987654321", "+84903111222", "+84356789012"),
    emails=("an.nv@syt.thaibinh.gov.vn", "hoa.vhtt@vuthu.thaibinh.gov.vn"),
)

TITLE_SOI = "Tiêm chủng vắc xin sởi cho trẻ em từ 1 đến 5 tuổi"
SOI_1 = (
    "Sáng ngày 02/12/2026, Sở Y tế phối hợp với Trung tâm Kiểm soát bệnh tật tỉnh phát động "
    "chiến dịch tiêm chủng vắc xin sởi cho trẻ em từ 1 đến 5 tuổi trên địa bàn tỉnh."
)
SOI_2 = (
    "Chiến dịch được triển khai tại 260 trạm y tế xã, phường, thị trấn từ nay đến hết ngày "
    "31/12/2026. Phụ huynh mang theo sổ tiêm chủng của trẻ khi đến tiêm."
)
SOI_3 = (
    "Sở Y tế khuyến cáo người dân đưa trẻ đi tiêm đầy đủ, đúng lịch để phòng bệnh sởi và các "
    "biến chứng nguy hiểm."
)
TITLE_BHXH = "Hội nghị tuyên truyền chính sách bảo hiểm xã hội tự nguyện tại xã Thần Khê"
BHXH_1 = (
    "Sáng ngày 24/11/2026, Ủy ban nhân dân xã Thần Khê tổ chức hội nghị tuyên truyền chính "
    "sách bảo hiểm xã hội tự nguyện cho hơn 200 hộ gia đình trên địa bàn."
)
BHXH_2 = (
    "Tại hội nghị, cán bộ Bảo hiểm xã hội tỉnh đã giải đáp các thắc mắc của người dân về mức "
    "đóng, phương thức đóng và quyền lợi khi tham gia."
)
TITLE_CDS = "Xã Vũ Hội đẩy mạnh chuyển đổi số trong giải quyết thủ tục hành chính"
CDS_1 = (
    "Năm 2026, xã Vũ Hội (huyện Vũ Thư) xác định chuyển đổi số là nhiệm vụ trọng tâm, gắn với "
    "cải cách hành chính và nâng cao chất lượng phục vụ người dân."
)
CDS_2 = (
    "Đến nay, 100% hồ sơ thủ tục hành chính của xã được tiếp nhận và trả kết quả trên Cổng "
    "dịch vụ công; tỷ lệ hồ sơ trực tuyến toàn trình đạt 82%."
)
LONG_LEAD = (
    "Thực hiện Chỉ thị số 07/CT-TTg ngày 21/3/2023 của Thủ tướng Chính phủ về đẩy mạnh công "
    "tác truyền thông chính sách, thời gian qua Sở Khoa học và Công nghệ đã chủ động đổi mới "
    "cách làm, đưa thông tin chính sách đến gần hơn với người dân và doanh nghiệp. Sở đã rà "
    "soát, kiện toàn đội ngũ cán bộ đầu mối làm công tác truyền thông chính sách tại các "
    "phòng, đơn vị trực thuộc; mỗi đơn vị cử một cán bộ chịu trách nhiệm cung cấp thông tin "
    "định kỳ hằng tháng cho Ban Biên tập."
)

SIG_AN = "Trân trọng,\nNguyễn Văn An\nChánh Văn phòng Sở Y tế\nĐT: 0912 345 678"
SIG_HOA = (
    "Trân trọng cảm ơn!\n--\nTrần Thị Hoa\nPhòng Văn hóa - Thông tin huyện Vũ Thư\n"
    "SĐT: 0987.654.321 - Email: hoa.vhtt@vuthu.thaibinh.gov.vn"
)
SIG_TUAN = (
    "Xin cảm ơn!\nLê Minh Tuấn\nCông chức Văn hóa - Xã hội xã Vũ Hội\n"
    "Điện thoại: 0227 3831 234\nDĐ: 0903 111 222\nZalo: 0903111222"
)
SIG_NOI_NHAN = "Trân trọng./.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT, VP."
SIG_TM = "Trân trọng./.\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nPhạm Văn Bình"
SIG_AN_EMAIL = "Trân trọng,\nNguyễn Văn An\nEmail: an.nv@syt.thaibinh.gov.vn\nSĐT: +84 912 345 678"


def para(*parts: str) -> str:
    return "\n\n".join(parts)


def mail(
    subject: str,
    body: str,
    *,
    html: str | None = None,
    files: tuple[tuple[str, str, bytes], ...] = (),
) -> bytes:
    """A mail as a client sends it: text (and HTML) body, attachments."""
    message = EmailMessage()
    message["From"] = "Nguyễn Văn An <an.nv@syt.thaibinh.gov.vn>"
    message["To"] = "bbt@stttt.thaibinh.gov.vn"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash(subject + body)) % 10**12}@syt.thaibinh.gov.vn>"
    message["Date"] = "Wed, 02 Dec 2026 09:15:00 +0700"
    if html is not None and not body:
        message.set_content(html, subtype="html")  # HTML only, as webmail often sends
    elif html is not None:
        message.set_content(body)
        message.add_alternative(html, subtype="html")
    else:
        message.set_content(body)
    for name, mime, data in files:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    # No folding: the stdlib's folding of a long encoded subject drops a space.
    return message.as_bytes(policy=policy.SMTP.clone(max_line_length=None))


def jpeg(seed: int) -> bytes:
    """A photo-sized JPEG (tens of KB, like a real photo; a tiny image is a logo)."""
    import random

    from PIL import Image

    noise = random.Random(seed).randbytes(160 * 120 * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (160, 120), noise).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def docx(blocks: list[tuple[str, str]]) -> bytes:
    """A Word file: (style, text) with style "title", "h1", "h2", "bullet", "number",
    "bold" (a short bold line) or "" (a plain paragraph)."""
    import docx as python_docx

    document = python_docx.Document()
    for style, text in blocks:
        if style == "title":
            document.add_heading(text, 0)
        elif style in ("h1", "h2"):
            document.add_heading(text, int(style[1]))
        elif style == "bullet":
            document.add_paragraph(text, style="List Bullet")
        elif style == "number":
            document.add_paragraph(text, style="List Number")
        elif style == "bold":
            document.add_paragraph().add_run(text).bold = True
        else:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Case:
    """One submission and what its draft must be."""

    name: str
    eml: Callable[[], bytes] | None = None
    source: Callable[[], Source] | None = None
    expect: dict[str, Any] = field(default_factory=dict)
    protected: Contacts = OFFICERS


CASES: list[Case] = []


def case(name: str, **expect: Any) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    def register(build: Callable[[], Any]) -> Callable[[], Any]:
        if name.startswith("tg-") or name.startswith("rev-tg") or name.startswith("src-"):
            CASES.append(Case(name, source=build, expect=expect))
        else:
            CASES.append(Case(name, eml=build, expect=expect))
        return build

    return register


# --- e-mail: letters and signatures ------------------------------------------------------


@case(
    "mail-letter-an",
    title=TITLE_SOI,
    summary=SOI_1,
    letter=["Kính gửi: Ban Biên tập", "đề nghị Ban Biên tập", "Trân trọng", "ĐT: 0912 345 678"],
    absent=["Kính gửi", "0912", "Trân trọng", "Nguyễn Văn An"],
    body_texts=3,
)
def _() -> bytes:
    body = para(
        "Kính gửi: Ban Biên tập Zalo OA Công dân số Thái Bình\n"
        "Sở Y tế gửi bài tuyên truyền về chiến dịch tiêm chủng, đề nghị Ban Biên tập xem xét, "
        "đăng tải.",
        SOI_1,
        SOI_2,
        SOI_3,
        SIG_AN,
    )
    return mail(TITLE_SOI, body)


@case(
    "mail-letter-subject-vv",
    title=TITLE_SOI,
    summary=SOI_1,
    letter=["Kính gửi Ban biên tập", "Trân trọng cảm ơn!"],
    absent=["V/v", "Sent from", "0987"],
    warnings=["Tiêu đề lấy từ dòng đầu của nội dung", "không dùng làm tiêu đề bài"],
)
def _() -> bytes:
    body = para(
        "Kính gửi Ban biên tập,",
        TITLE_SOI,
        SOI_1,
        SOI_2,
        SIG_HOA,
        "Sent from my iPhone",
    )
    return mail("V/v gửi tin bài tháng 12/2026", body)


@case(
    "mail-gui-tin-bai",
    title=TITLE_BHXH,
    summary=BHXH_1,
    letter=["Xin gửi tin bài", "Xin cảm ơn!", "DĐ: 0903 111 222"],
    absent=["0903", "Xin gửi", "Lê Minh Tuấn"],
)
def _() -> bytes:
    body = para("Xin gửi tin bài tháng 12 của đơn vị.", TITLE_BHXH, BHXH_1, BHXH_2, SIG_TUAN)
    return mail("Gửi tin bài", body)


@case(
    "mail-tin-bai-thang",
    title=TITLE_CDS,
    summary=CDS_1,
    letter=["Đề nghị Ban Biên tập đăng tải tin dưới đây:", "Nơi nhận:", "- Lưu: VT, VP."],
    absent=["Nơi nhận", "Như trên"],
)
def _() -> bytes:
    body = para(
        "Kính gửi Ban Biên tập,\nĐề nghị Ban Biên tập đăng tải tin dưới đây:",
        TITLE_CDS,
        CDS_1,
        CDS_2,
        SIG_NOI_NHAN,
    )
    return mail("Tin bài tháng 12", body)


@case(
    "mail-salutation-list",
    title=TITLE_SOI,
    summary=SOI_1,
    letter=["Kính gửi:", "- Ban Biên tập Trang thông tin điện tử;", "- Sở Thông tin"],
    absent=["Ban Biên tập Trang", "Sở Thông tin và Truyền thông."],
)
def _() -> bytes:
    body = para(
        "Kính gửi:\n- Ban Biên tập Trang thông tin điện tử;\n- Sở Thông tin và Truyền thông.",
        SOI_1,
        SOI_2,
        SIG_AN,
    )
    return mail(TITLE_SOI, body)


@case(
    "mail-tm-signature",
    title=TITLE_BHXH,
    summary=BHXH_1,
    letter=["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Phạm Văn Bình"],
    absent=["CHỦ TỊCH", "Phạm Văn Bình", "Trân trọng"],
)
def _() -> bytes:
    return mail(TITLE_BHXH, para(BHXH_1, BHXH_2, SIG_TM))


@case("mail-duoc-gui-tu", title=TITLE_CDS, summary=CDS_1, absent=["Được gửi từ"])
def _() -> bytes:
    return mail(TITLE_CDS, para(CDS_1, CDS_2, "Được gửi từ iPhone của tôi"))


@case("mail-outlook-mobile", title=TITLE_CDS, summary=CDS_1, absent=["Outlook"])
def _() -> bytes:
    return mail(TITLE_CDS, para(CDS_1, CDS_2, "Get Outlook for Android"))


@case(
    "src-footers-and-signature",
    title=TITLE_CDS,
    summary=CDS_1,
    letter=["Được gửi từ iPhone của tôi", "Trân trọng cảm ơn!", "Email: hoa.vhtt@"],
    absent=["Được gửi từ", "Trần Thị Hoa", "0987"],
    body_texts=2,
)
def _() -> Source:
    text = para(CDS_1, CDS_2, SIG_HOA, "Được gửi từ iPhone của tôi")
    return Source(channel="email", subject=TITLE_CDS, text=text, protected=OFFICERS)


@case(
    "src-outlook-footer",
    title=TITLE_BHXH,
    letter=["Get Outlook for Android", "DĐ: 0903 111 222"],
    absent=["Outlook", "0903"],
    body_texts=2,
)
def _() -> Source:
    text = para(BHXH_1, BHXH_2, SIG_TUAN, "Get Outlook for Android")
    return Source(channel="email", subject=TITLE_BHXH, text=text, protected=OFFICERS)


@case(
    "mail-sig-email-plus84",
    title=TITLE_SOI,
    letter=["Email: an.nv@syt.thaibinh.gov.vn", "SĐT: +84 912 345 678"],
    absent=["an.nv@", "912 345"],
)
def _() -> bytes:
    return mail(TITLE_SOI, para(SOI_1, SOI_2, SIG_AN_EMAIL))


@case(
    "mail-transmittal-at-end",
    title=TITLE_BHXH,
    summary=BHXH_1,
    letter=["Kính đề nghị Ban Biên tập xem xét, đăng tải.", "Trân trọng"],
    absent=["Kính đề nghị"],
)
def _() -> bytes:
    return mail(
        TITLE_BHXH,
        para(BHXH_1, BHXH_2, "Kính đề nghị Ban Biên tập xem xét, đăng tải.", SIG_AN),
    )


@case(
    "mail-no-letter",
    title=TITLE_CDS,
    summary=CDS_1,
    letter=[],
    body_texts=2,
)
def _() -> bytes:
    return mail(TITLE_CDS, para(CDS_1, CDS_2))


@case(
    "mail-officer-phone-in-text",
    title=TITLE_SOI,
    absent=["0912.345.678", "0912345678"],
    present=["0978 222 333"],
    warnings=[
        "Đã xóa số điện thoại của cán bộ đầu mối khỏi nội dung (2)",
        "Có số điện thoại trong nội dung: 0978 222 333",
    ],
)
def _() -> bytes:
    contact = (
        "Mọi thắc mắc xin liên hệ đồng chí An, ĐT: 0912.345.678 hoặc đường dây nóng của "
        "Trung tâm: 0978 222 333."
    )
    return mail(TITLE_SOI, para(SOI_1, contact, "Liên hệ Zalo 0912345678 để được hỗ trợ."))


@case(
    "mail-citizen-id-and-email",
    title=TITLE_BHXH,
    present=["034190001234", "ho.tro@gmail.com"],
    warnings=[
        "Có dãy 12 chữ số (có thể là số căn cước công dân) trong nội dung: 034190001234",
        "Có địa chỉ thư điện tử trong nội dung: ho.tro@gmail.com",
    ],
)
def _() -> bytes:
    extra = (
        "Ông Nguyễn Văn Bảy (CCCD 034190001234) là người đầu tiên tham gia. Góp ý gửi về "
        "ho.tro@gmail.com."
    )
    return mail(TITLE_BHXH, para(BHXH_1, extra))


@case(
    "mail-officer-email-in-text",
    title=TITLE_CDS,
    absent=["hoa.vhtt@"],
    warnings=["Đã xóa địa chỉ thư điện tử của cán bộ đầu mối khỏi nội dung (1)"],
)
def _() -> bytes:
    extra = "Thông tin chi tiết gửi về chị Hoa, email hoa.vhtt@vuthu.thaibinh.gov.vn, trước 15/12."
    return mail(TITLE_CDS, para(CDS_1, extra, CDS_2))


@case("mail-long-lead", title=TITLE_CDS, summary_max=300, summary_ends=".")
def _() -> bytes:
    return mail(TITLE_CDS, para(LONG_LEAD, CDS_2))


@case("mail-long-lead-sentences", title=TITLE_CDS, summary_ends=".", summary_max=300)
def _() -> bytes:
    lead = " ".join([SOI_1, SOI_2, SOI_3, SOI_1])
    return mail(TITLE_CDS, para(lead, CDS_2))


@case("src-long-sentence-cut-on-word", summary_max=300, summary_ends="…")
def _() -> Source:
    lead = ", ".join([SOI_1.rstrip(".")] * 3) + "."
    return Source(channel="email", subject=TITLE_SOI, text=para(lead, SOI_2))


@case(
    "mail-reply-prefixes",
    title=TITLE_BHXH,
    absent_title=["RE", "Fwd", "TL"],
)
def _() -> bytes:
    return mail(f"TL: RE: Fwd: {TITLE_BHXH}", para(BHXH_1, BHXH_2))


@case(
    "mail-forwarded-headers",
    title=TITLE_BHXH,
    summary=BHXH_1,
    letter=["Chuyển Ban Biên tập tin của xã."],
    absent=["Forwarded", "Subject:"],
)
def _() -> bytes:
    body = para(
        "Chuyển Ban Biên tập tin của xã.",
        "---------- Forwarded message ---------\nFrom: UBND xã Thần Khê <ubnd@thankhe.gov.vn>\n"
        "Date: Tue, 1 Dec 2026 at 16:00\nSubject: " + TITLE_BHXH,
        BHXH_1,
        BHXH_2,
    )
    return mail(f"Fwd: {TITLE_BHXH}", body)


# --- e-mail: body structure ---------------------------------------------------------------


@case(
    "mail-bullets-single-newline",
    title=TITLE_SOI,
    items=["- Trẻ từ 1 đến 5 tuổi chưa tiêm đủ 2 mũi;", "- Trẻ chưa rõ tiền sử tiêm chủng."],
)
def _() -> bytes:
    listing = (
        "Đối tượng tiêm gồm:\n- Trẻ từ 1 đến 5 tuổi chưa tiêm đủ 2 mũi;\n"
        "- Trẻ chưa rõ tiền sử tiêm chủng."
    )
    return mail(TITLE_SOI, para(SOI_1, listing, SOI_2))


@case(
    "mail-numbered-list",
    title=TITLE_CDS,
    items=["1. Cài đặt ứng dụng VNeID;", "2. Kích hoạt tài khoản định danh mức 2;"],
)
def _() -> bytes:
    listing = (
        "Người dân cần thực hiện:\n1. Cài đặt ứng dụng VNeID;\n"
        "2. Kích hoạt tài khoản định danh mức 2;\n3. Nộp hồ sơ trực tuyến."
    )
    return mail(TITLE_CDS, para(CDS_1, listing))


@case(
    "mail-headings-caps",
    title=TITLE_CDS,
    headings=["I. KẾT QUẢ ĐẠT ĐƯỢC", "II. NHIỆM VỤ THỜI GIAN TỚI"],
)
def _() -> bytes:
    return mail(
        TITLE_CDS,
        para(CDS_1, "I. KẾT QUẢ ĐẠT ĐƯỢC", CDS_2, "II. NHIỆM VỤ THỜI GIAN TỚI", SOI_3),
    )


@case(
    "mail-short-heading-line",
    title=TITLE_SOI,
    headings=["Lịch tiêm tại các trạm y tế"],
)
def _() -> bytes:
    return mail(TITLE_SOI, para(SOI_1, "Lịch tiêm tại các trạm y tế", SOI_2))


@case(
    "mail-first-line-repeats-subject",
    title=TITLE_SOI,
    summary=SOI_1,
    warnings=["Dòng tiêu đề ở đầu nội dung không lặp lại trong thân bài"],
    first_item=SOI_1,
)
def _() -> bytes:
    return mail(TITLE_SOI, para(TITLE_SOI, SOI_1, SOI_2))


@case(
    "mail-photos-cover",
    title=TITLE_BHXH,
    cover="hoi-nghi-1.jpg",
    images=["hoi-nghi-2.jpg", "hoi-nghi-3.jpg"],
)
def _() -> bytes:
    files = tuple((f"hoi-nghi-{i}.jpg", "image/jpeg", jpeg(i)) for i in (1, 2, 3))
    return mail(TITLE_BHXH, para(BHXH_1, BHXH_2, SIG_AN), files=files)


@case("mail-photo-only", title="Ảnh ra quân vệ sinh môi trường", cover="ra-quan.jpg", images=[])
def _() -> bytes:
    body = "Gửi Ban Biên tập ảnh hoạt động ra quân dọn vệ sinh môi trường.\n\n" + SIG_AN
    files = (("ra-quan.jpg", "image/jpeg", jpeg(7)),)
    return mail("Ảnh ra quân vệ sinh môi trường", body, files=files)


@case(
    "html-list",
    title=TITLE_SOI,
    summary=SOI_1,
    items=["- Trẻ từ 1 đến 5 tuổi;", "- Phụ nữ chuẩn bị mang thai."],
    letter=["Kính gửi Ban Biên tập,", "Trân trọng,"],
)
def _() -> bytes:
    html = (
        "<div dir='ltr'><p>Kính gửi Ban Biên tập,</p><p>" + SOI_1 + "</p>"
        "<p>Đối tượng ưu tiên:</p><ul><li>Trẻ từ 1 đến 5 tuổi;</li>"
        "<li>Phụ nữ chuẩn bị mang thai.</li></ul><p>" + SOI_2 + "</p>"
        "<p>Trân trọng,<br>Nguyễn Văn An<br>ĐT: 0912 345 678</p></div>"
    )
    return mail(TITLE_SOI, "", html=html)


@case(
    "html-ordered-list-heading",
    title=TITLE_CDS,
    items=["- Nộp hồ sơ trực tuyến;", "- Thanh toán không dùng tiền mặt."],
    headings=["KẾT QUẢ NỔI BẬT"],
)
def _() -> bytes:
    html = (
        "<p>" + CDS_1 + "</p><h3>KẾT QUẢ NỔI BẬT</h3><ol><li>Nộp hồ sơ trực tuyến;</li>"
        "<li>Thanh toán không dùng tiền mặt.</li></ol><p>" + CDS_2 + "</p>"
    )
    return mail(TITLE_CDS, "", html=html)


# --- e-mail: .docx -------------------------------------------------------------------------


@case(
    "docx-title-headings-lists",
    title="Đẩy mạnh chuyển đổi số cấp xã năm 2026",
    summary=CDS_1,
    headings=["1. Kết quả nổi bật", "2. Nhiệm vụ trọng tâm"],
    items=["• Nộp hồ sơ trực tuyến toàn trình", "• Thanh toán không dùng tiền mặt"],
    letter=["Kính gửi Ban Biên tập,", "Sở gửi bài viết (file đính kèm)."],
    absent=["Kính gửi", "file đính kèm"],
)
def _() -> bytes:
    word = docx(
        [
            ("title", "Đẩy mạnh chuyển đổi số cấp xã năm 2026"),
            ("", CDS_1),
            ("h1", "1. Kết quả nổi bật"),
            ("bullet", "Nộp hồ sơ trực tuyến toàn trình"),
            ("bullet", "Thanh toán không dùng tiền mặt"),
            ("h1", "2. Nhiệm vụ trọng tâm"),
            ("", CDS_2),
        ]
    )
    body = "Kính gửi Ban Biên tập,\nSở gửi bài viết (file đính kèm).\nTrân trọng.\n"
    return mail("V/v gửi bài viết tháng 12", body, files=(("bai-viet.docx", DOCX, word),))


@case(
    "docx-heading-not-run-in",
    title="Xây dựng nông thôn mới kiểu mẫu",
    first_item="Sáng ngày 02/12, xã Vũ Hội tổ chức lễ công bố đạt chuẩn nông thôn mới kiểu mẫu.",
)
def _() -> bytes:
    word = docx(
        [
            ("h1", "Xây dựng nông thôn mới kiểu mẫu"),
            (
                "",
                "Sáng ngày 02/12, xã Vũ Hội tổ chức lễ công bố đạt chuẩn nông thôn mới kiểu mẫu.",
            ),
            ("", CDS_2),
        ]
    )
    return mail("Gửi tin bài", "Gửi Ban Biên tập.\n", files=(("tin.docx", DOCX, word),))


@case(
    "docx-bold-heading-and-numbers",
    title=TITLE_SOI,
    headings=["Đối tượng và thời gian"],
    items=["1. Trẻ từ 1 đến 5 tuổi", "2. Trẻ chưa tiêm đủ mũi"],
)
def _() -> bytes:
    word = docx(
        [
            ("", SOI_1),
            ("bold", "Đối tượng và thời gian"),
            ("number", "1. Trẻ từ 1 đến 5 tuổi"),
            ("number", "2. Trẻ chưa tiêm đủ mũi"),
            ("", SOI_2),
        ]
    )
    return mail(
        TITLE_SOI, "Kính gửi BBT,\nXin gửi bài.\n" + SIG_AN, files=(("a.docx", DOCX, word),)
    )


@case(
    "docx-letter-with-phone",
    title="Tuyên truyền phòng, chống sốt xuất huyết",
    absent=["0912", "Nguyễn Văn An"],
    letter=["ĐT: 0912 345 678"],
)
def _() -> bytes:
    word = docx(
        [
            ("title", "Tuyên truyền phòng, chống sốt xuất huyết"),
            ("", SOI_3),
            ("", "Người dân chủ động diệt lăng quăng, bọ gậy, ngủ màn kể cả ban ngày."),
        ]
    )
    body = "Kính gửi Ban Biên tập,\nSở Y tế gửi bài tuyên truyền, đề nghị đăng tải.\n\n" + SIG_AN
    return mail(
        "V/v tuyên truyền phòng chống sốt xuất huyết", body, files=(("sxh.docx", DOCX, word),)
    )


@case(
    "docx-with-photos",
    title="Ngày hội Đại đoàn kết toàn dân tộc",
    cover="anh-1.jpg",
    images=["anh-2.jpg"],
)
def _() -> bytes:
    word = docx([("title", "Ngày hội Đại đoàn kết toàn dân tộc"), ("", BHXH_1), ("", BHXH_2)])
    files = (
        ("bai.docx", DOCX, word),
        ("anh-1.jpg", "image/jpeg", jpeg(1)),
        ("anh-2.jpg", "image/jpeg", jpeg(2)),
    )
    return mail("Tin bài tháng 11", "Gửi tin kèm ảnh.\n", files=files)


# --- revisions replying to our mail ---------------------------------------------------------


@case(
    "rev-mail-keeps-title",
    title="__previous__",
    absent_title=["Đề nghị chỉnh sửa", "2026-12-0006"],
    warnings=["Bản sửa trả lời thư đề nghị chỉnh sửa: giữ tiêu đề của bản trước"],
)
def _() -> bytes:
    body = para("Kính gửi Ban Biên tập,\nĐơn vị gửi lại bài đã chỉnh sửa.", SOI_1, SOI_2, SIG_AN)
    return mail("RE: [2026-12-0006] Đề nghị chỉnh sửa bài", body)


@case(
    "rev-mail-new-heading",
    title="Tiêm chủng vắc xin sởi: mở rộng đến hết tháng 1/2027",
    absent_title=["Đề nghị chỉnh sửa"],
)
def _() -> bytes:
    body = para(
        "Đơn vị gửi lại bài đã sửa theo góp ý.",
        "Tiêm chủng vắc xin sởi: mở rộng đến hết tháng 1/2027",
        SOI_1,
        SOI_2,
    )
    return mail("Trả lời: [2026-12-0006] Đề nghị chỉnh sửa bài", body)


# --- Telegram sequences (and revisions as sources) -----------------------------------------


def tg(*segments: tuple[str, str | None], **extra: Any) -> Source:
    files = tuple(
        SourceFile(name, "video" if name.endswith(".mp4") else "image")
        for _, name in segments
        if name
    )
    return Source(
        channel="telegram",
        segments=tuple(Segment(text, name) for text, name in segments),
        files=files,
        author="Sở Y tế",
        protected=OFFICERS,
        **extra,
    )


@case(
    "tg-title-paragraphs-album",
    title=TITLE_SOI,
    summary=SOI_1,
    cover="anh-1.jpg",
    images=["anh-2.jpg", "anh-3.jpg"],
    captions={"anh-2.jpg": ""},
    absent=["Các hoạt động tại trạm y tế phường Trần Lãm"],
    body_texts=2,
)
def _() -> Source:
    return tg(
        (para(TITLE_SOI, SOI_1, SOI_2), None),
        ("Các hoạt động tại trạm y tế phường Trần Lãm", "anh-1.jpg"),
        ("", "anh-2.jpg"),
        ("", "anh-3.jpg"),
    )


@case(
    "tg-caption-once",
    title=TITLE_BHXH,
    cover="a1.jpg",
    images=["a2.jpg"],
    captions={"a2.jpg": "Người dân tìm hiểu chính sách tại hội nghị"},
    once=["Người dân tìm hiểu chính sách tại hội nghị"],
)
def _() -> Source:
    return tg(
        (para(TITLE_BHXH, BHXH_1, BHXH_2), None),
        ("", "a1.jpg"),
        ("Người dân tìm hiểu chính sách tại hội nghị", "a2.jpg"),
    )


@case(
    "tg-no-blank-line-title",
    warnings=["Chưa có tiêu đề rõ ràng: đề nghị biên tập viên đặt tiêu đề"],
)
def _() -> Source:
    return tg((BHXH_1 + "\n" + BHXH_2, None))


@case(
    "tg-photo-caption-is-article",
    title=TITLE_CDS,
    summary=CDS_1,
    cover="p.jpg",
    warnings=["Tin, bài gửi qua Telegram không có đoạn văn riêng"],
)
def _() -> Source:
    return tg((para(TITLE_CDS, CDS_1, CDS_2), "p.jpg"))


@case(
    "tg-texts-in-several-messages",
    title=TITLE_CDS,
    summary=CDS_1,
    body_texts=3,
)
def _() -> Source:
    return tg((para(TITLE_CDS, CDS_1), None), (CDS_2, None), (SOI_3, None))


@case("tg-officer-phone", title=TITLE_SOI, absent=["0356 789 012", "0356789012"])
def _() -> Source:
    return tg((para(TITLE_SOI, SOI_1, "Liên hệ: anh Dũng 0356 789 012."), None))


@case(
    "tg-video-caption-kept",
    title=TITLE_BHXH,
    present=["Phóng sự ngắn về hội nghị"],
    cover=None,
)
def _() -> Source:
    return tg((para(TITLE_BHXH, BHXH_1), None), ("Phóng sự ngắn về hội nghị", "video.mp4"))


@case("tg-list-lines", title=TITLE_SOI, items=["- Trẻ từ 1 đến 5 tuổi", "- Trẻ chưa tiêm đủ mũi"])
def _() -> Source:
    return tg((para(TITLE_SOI, SOI_1, "- Trẻ từ 1 đến 5 tuổi\n- Trẻ chưa tiêm đủ mũi"), None))


@case(
    "rev-tg-keeps-previous-title",
    title="Tiêm chủng vắc xin sởi (bản trước)",
    warnings=["Bản sửa trả lời thư đề nghị chỉnh sửa: giữ tiêu đề của bản trước"],
)
def _() -> Source:
    return tg(
        (SOI_1 + " " + SOI_2, None),
        previous_title="Tiêm chủng vắc xin sởi (bản trước)",
        answers_request=True,
    )


@case(
    "src-stored-text-only",
    title=TITLE_CDS,
    summary=CDS_1,
)
def _() -> Source:
    return Source(channel="email", subject=TITLE_CDS, text=para(CDS_1, CDS_2), author="UBND xã")


@case(
    "src-title-too-long",
    summary=SOI_1,
    title_max=150,
    warnings=["Tiêu đề dài quá 150 ký tự, đã cắt bớt"],
)
def _() -> Source:
    return Source(channel="email", subject=(TITLE_SOI + " ") * 4, text=para(SOI_1, SOI_2))


@case("src-empty", warnings=["Tin, bài không có nội dung văn bản", "Chưa có tóm tắt"])
def _() -> Source:
    return Source(channel="email", subject="", text="")


# --- what is not a letter ------------------------------------------------------------------

LEAD_DE_NGHI = (
    "Ngày 01/12/2026, Ủy ban nhân dân tỉnh có văn bản đề nghị các sở, ban, ngành và Ủy ban "
    "nhân dân các huyện, thành phố đẩy mạnh tuyên truyền chính sách bảo hiểm xã hội tự nguyện, "
    "đăng tải thông tin trên trang thông tin điện tử của đơn vị."
)


@case("neg-lead-with-de-nghi", title=TITLE_BHXH, summary=LEAD_DE_NGHI, letter=[], body_texts=2)
def _() -> bytes:
    return mail(TITLE_BHXH, para(LEAD_DE_NGHI, BHXH_2))


@case(
    "neg-office-landline-kept",
    title=TITLE_SOI,
    present=["0227 3851 234"],
    letter=[],
    body_texts=2,
)
def _() -> bytes:
    contact = "Mọi thông tin chi tiết xin liên hệ Phòng Y tế huyện, điện thoại 0227 3851 234."
    return mail(TITLE_SOI, para(SOI_1, contact))


@case("neg-author-credit-line", title=TITLE_CDS, present=["Minh Anh"], letter=[], body_texts=3)
def _() -> bytes:
    return mail(TITLE_CDS, para(CDS_1, CDS_2, "Minh Anh"))


def tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 12), (200, 16, 46)).save(buffer, format="PNG")
    return buffer.getvalue()


@case(
    "mail-signature-logo-not-a-photo",
    title=TITLE_SOI,
    cover="tiem-chung.jpg",
    images=[],
    warnings=["Ảnh image001.png rất nhỏ", "có thể là logo trong chữ ký"],
)
def _() -> bytes:
    files = (
        ("image001.png", "image/png", tiny_png()),
        ("tiem-chung.jpg", "image/jpeg", jpeg(5)),
    )
    return mail(TITLE_SOI, para(SOI_1, SOI_2, SIG_AN), files=files)
