"""Writes the golden mail corpus (tests/golden/mail/*.eml) in the formats of real clients.

Run `python -m tests.golden.build_corpus` to regenerate the .eml files; expected results
are refreshed with `GOLDEN_UPDATE=1 pytest tests/unit/mime/test_golden.py` and reviewed.
"""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Callable
from pathlib import Path

from tests.golden.legacy_encode import to_tcvn3, to_tcvn3h, to_vni
from tests.golden.mimekit import (
    b64,
    cp1258,
    docx,
    enc_b,
    enc_q,
    jpeg,
    mp4,
    pdf,
    png,
    qp,
    rfc2231,
    tnef,
)

OUT = Path(__file__).parent / "mail"

NEWS = (
    "Sáng ngày 24/11/2025, Ủy ban nhân dân xã Thần Khê tổ chức hội nghị tuyên truyền "
    "chính sách bảo hiểm xã hội tự nguyện cho hơn 200 hộ gia đình trên địa bàn. "
    "Tại hội nghị, cán bộ Bảo hiểm xã hội tỉnh đã giải đáp các thắc mắc của người dân "
    "về mức đóng, phương thức đóng và quyền lợi khi tham gia."
)
NEWS2 = (
    "Chiều 25/11, Sở Y tế phối hợp với Trung tâm Kiểm soát bệnh tật tỉnh phát động chiến "
    "dịch tiêm chủng vắc xin sởi cho trẻ em từ 1 đến 5 tuổi. Chiến dịch kéo dài đến hết "
    "tháng 12/2025 tại 104 trạm y tế xã, phường."
)
ARTICLE_PARAS = [
    "Thực hiện Chỉ thị số 07/CT-TTg của Thủ tướng Chính phủ về đẩy mạnh công tác truyền "
    "thông chính sách, thời gian qua Sở Khoa học và Công nghệ đã chủ động đổi mới cách làm, "
    "đưa thông tin chính sách đến gần hơn với người dân và doanh nghiệp.",
    "Trước hết, Sở đã rà soát, kiện toàn đội ngũ cán bộ đầu mối làm công tác truyền thông "
    "chính sách tại các phòng, đơn vị trực thuộc; mỗi đơn vị cử một cán bộ chịu trách nhiệm "
    "cung cấp thông tin định kỳ hằng tháng.",
    "Bên cạnh các hình thức truyền thống như hội nghị, tờ rơi, pa nô, Sở đẩy mạnh truyền thông "
    "trên nền tảng số: trang thông tin điện tử, Zalo OA và các nhóm cộng đồng. Các sản phẩm "
    "được thiết kế ngắn gọn, trực quan, dễ chia sẻ.",
    "Kết quả, trong 10 tháng năm 2025, Sở đã thực hiện hơn 120 tin, bài, 35 infographic và "
    "12 video ngắn giới thiệu các chính sách mới về khoa học, công nghệ, đổi mới sáng tạo và "
    "chuyển đổi số; nhiều sản phẩm thu hút hàng chục nghìn lượt xem.",
    "Thời gian tới, Sở tiếp tục nâng cao chất lượng nội dung, tăng cường phối hợp với các cơ "
    "quan báo chí và các xã, phường để thông tin chính sách đến được với từng người dân.",
]
ARTICLE = "\n\n".join(ARTICLE_PARAS)
FROM_LAN = enc_b("Nguyễn Thị Lan") + " <Lan.NT@syt.hungyen.gov.vn>"
GMAIL_B = "000000000000a1b2c3d4e5f60708"


def _msg(headers: list[str], body: str) -> bytes:
    return ("\r\n".join(headers) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("utf-8")


def _text_html(text: str) -> str:
    paras = "".join(f'<div dir="ltr">{p}</div><div><br></div>' for p in text.split("\n\n"))
    return f'<div dir="ltr">{paras}</div>'


def _gmail_alt(text: str, html: str, boundary: str = GMAIL_B) -> str:
    return (
        f'--{boundary}\nContent-Type: text/plain; charset="UTF-8"\n'
        f"Content-Transfer-Encoding: quoted-printable\n\n{qp(text.encode())}\n"
        f'--{boundary}\nContent-Type: text/html; charset="UTF-8"\n'
        f"Content-Transfer-Encoding: quoted-printable\n\n{qp(html.encode())}\n"
        f"--{boundary}--\n"
    )


def _att(boundary: str, name: str, ctype: str, data: bytes, *, disp: str = "attachment") -> str:
    return (
        f'--{boundary}\nContent-Type: {ctype}; name="{name}"\n'
        f'Content-Disposition: {disp}; filename="{name}"\n'
        f"Content-Transfer-Encoding: base64\n\n{b64(data)}\n"
    )


def _gmail_headers(subject: str, msgid: str, *, frm: str = FROM_LAN, mixed: str = "") -> list[str]:
    ctype = (
        f'multipart/mixed; boundary="{mixed}"'
        if mixed
        else f'multipart/alternative; boundary="{GMAIL_B}"'
    )
    return [
        "MIME-Version: 1.0",
        "Date: Tue, 25 Nov 2025 08:15:42 +0700",
        f"Message-ID: <{msgid}@mail.gmail.com>",
        f"Subject: {subject}",
        f"From: {frm}",
        "To: tinbai@stttt.hungyen.gov.vn",
        f"Content-Type: {ctype}",
    ]


# --- Gmail -------------------------------------------------------------------------------


def gmail_plain() -> bytes:
    subject = enc_b("Tin hội nghị tuyên truyền BHXH tự nguyện")
    return _msg(_gmail_headers(subject, "CAF1gmail01"), _gmail_alt(NEWS, _text_html(NEWS)))


def gmail_reply_vi() -> bytes:
    quote = (
        "Vào Th 2, 24 thg 11, 2025 vào lúc 16:02 Ban Biên tập <tinbai@stttt.hungyen.gov.vn>\n"
        "đã viết:\n\n> Đề nghị đơn vị bổ sung ảnh cho tin.\n>\n> Trân trọng.\n"
    )
    text = "Kính gửi Ban Biên tập,\n\nĐơn vị gửi lại tin đã bổ sung.\n\n" + NEWS + "\n\n" + quote
    html = (
        _text_html("Kính gửi Ban Biên tập,\n\nĐơn vị gửi lại tin đã bổ sung.\n\n" + NEWS)
        + '<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Vào Th 2, 24 thg 11,'
        ' 2025 vào lúc 16:02 Ban Biên tập đã viết:<br></div><blockquote class="gmail_quote">'
        "Đề nghị đơn vị bổ sung ảnh cho tin.</blockquote></div>"
    )
    headers = _gmail_headers("Re: " + enc_b("Tin hội nghị BHXH"), "CAF1gmail02")
    headers += ["In-Reply-To: <2025-11-0001.receipt@newsdesk>"]
    return _msg(headers, _gmail_alt(text, html))


def gmail_forward_vi() -> bytes:
    text = (
        "Chuyển Ban Biên tập tin của xã.\n\n"
        "---------- Forwarded message ---------\n"
        "Từ: Văn phòng UBND xã Thần Khê <vp.thankhe@hungyen.gov.vn>\n"
        "Date: Th 2, 24 thg 11, 2025 vào lúc 10:30\n"
        "Subject: Tin tuyên truyền BHXH\n"
        "To: <lan.nt@syt.hungyen.gov.vn>\n\n" + NEWS + "\n"
    )
    subject = "Fwd: " + enc_b("Tin tuyên truyền BHXH")
    return _msg(_gmail_headers(subject, "CAF1gmail03"), _gmail_alt(text, _text_html(text)))


def gmail_photos() -> bytes:
    mixed = "000000000000ffeeddccbbaa9988"
    text = "Gửi Ban Biên tập 3 ảnh hoạt động ra quân dọn vệ sinh môi trường."
    body = f'--{mixed}\nContent-Type: multipart/alternative; boundary="{GMAIL_B}"\n\n'
    body += _gmail_alt(text, _text_html(text)) + "\n"
    for i in range(1, 4):
        body += _att(mixed, f"IMG_2025112{i}_0830.jpg", "image/jpeg", jpeg(i))
    body += f"--{mixed}--\n"
    subject = enc_b("Ảnh ra quân vệ sinh môi trường")
    return _msg(_gmail_headers(subject, "CAF1gmail04", mixed=mixed), body)


def gmail_poster() -> bytes:
    mixed = "000000000000poster000000001"
    text = "Đơn vị gửi áp phích tuyên truyền phòng chống sốt xuất huyết."
    body = f'--{mixed}\nContent-Type: multipart/alternative; boundary="{GMAIL_B}"\n\n'
    body += _gmail_alt(text, _text_html(text)) + "\n"
    body += _att(mixed, "ap-phich-sot-xuat-huyet.png", "image/png", png(5, 200_000))
    body += f"--{mixed}--\n"
    subject = enc_b("Áp phích phòng chống sốt xuất huyết")
    return _msg(_gmail_headers(subject, "CAF1gmail05", mixed=mixed), body)


def gmail_signature() -> bytes:
    text = NEWS2 + "\n\n-- \nTrần Văn Hùng\nChuyên viên Văn phòng Sở Y tế\nĐT: 0912 345 678\n"
    html = (
        _text_html(NEWS2)
        + '<br>-- <br><div dir="ltr" class="gmail_signature">Trần Văn Hùng<br>Chuyên viên</div>'
    )
    frm = enc_b("Trần Văn Hùng") + " <hung.tv@syt.hungyen.gov.vn>"
    subject = enc_b("Tin chiến dịch tiêm vắc xin sởi")
    return _msg(_gmail_headers(subject, "CAF1gmail06", frm=frm), _gmail_alt(text, html))


# --- Outlook -----------------------------------------------------------------------------

OL_B = "_000_SG2PR01MB1234ABCDprod_"
FROM_OL = enc_b("Phạm Quốc Bảo") + " <bao.pq@skhcn.hungyen.gov.vn>"


def _outlook_headers(subject: str, msgid: str, ctype: str, *, frm: str = FROM_OL) -> list[str]:
    return [
        f"From: {frm}",
        "To: Ban Bien tap <tinbai@stttt.hungyen.gov.vn>",
        f"Subject: {subject}",
        "Thread-Topic: " + subject,
        "Thread-Index: AdtdQ7Xb2c1h6m9RQkWcTq0m2bM1Yw==",
        "Date: Wed, 26 Nov 2025 02:10:11 +0000",
        f"Message-ID: <{msgid}@SG2PR01MB1234.apcprd01.prod.outlook.com>",
        "Accept-Language: vi-VN, en-US",
        "Content-Language: vi-VN",
        "X-MS-Has-Attach: yes",
        f"Content-Type: {ctype}",
        "MIME-Version: 1.0",
    ]


def outlook_cp1258() -> bytes:
    text = "Kính gửi Ban Biên tập,\r\n\r\n" + NEWS2 + "\r\n\r\nTrân trọng.\r\n"
    html = "<html><body><p>Kính gửi Ban Biên tập,</p><p>" + NEWS2 + "</p></body></html>"
    body = (
        f'--{OL_B}\nContent-Type: text/plain; charset="windows-1258"\n'
        f"Content-Transfer-Encoding: quoted-printable\n\n{qp(cp1258(text))}\n"
        f'--{OL_B}\nContent-Type: text/html; charset="windows-1258"\n'
        f"Content-Transfer-Encoding: quoted-printable\n\n{qp(cp1258(html))}\n--{OL_B}--\n"
    )
    subject = enc_b("Tin tiêm chủng vắc xin sởi", "windows-1258")
    ctype = f'multipart/alternative; boundary="{OL_B}"'
    return _msg(_outlook_headers(subject, "SG2PR01MB0001", ctype), body)


def _outlook_plain(text: str, subject: str, msgid: str) -> bytes:
    body = (
        f'--{OL_B}\nContent-Type: text/plain; charset="utf-8"\n'
        f"Content-Transfer-Encoding: base64\n\n{b64(text.encode())}\n"
        f'--{OL_B}\nContent-Type: text/html; charset="utf-8"\n'
        f"Content-Transfer-Encoding: base64\n\n"
        f"{b64(('<html><body>' + text.replace(chr(10), '<br>') + '</body></html>').encode())}\n"
        f"--{OL_B}--\n"
    )
    ctype = f'multipart/alternative; boundary="{OL_B}"'
    return _msg(_outlook_headers(subject, msgid, ctype), body)


def outlook_reply_en() -> bytes:
    text = (
        "Dear Ban Biên tập,\n\nGửi lại bài đã chỉnh sửa theo góp ý.\n\n" + ARTICLE + "\n\n"
        "________________________________\n"
        "From: Ban Bien tap <tinbai@stttt.hungyen.gov.vn>\n"
        "Sent: Tuesday, November 25, 2025 3:40 PM\nTo: Pham Quoc Bao\n"
        "Subject: Yêu cầu chỉnh sửa bài 2025-11-0007\n\nĐề nghị rút gọn đoạn 3.\n"
    )
    return _outlook_plain(text, "RE: " + enc_b("Bài viết truyền thông chính sách"), "SGOL0002")


def outlook_reply_vi() -> bytes:
    text = (
        "Kính gửi Ban Biên tập,\n\n" + NEWS + "\n\n"
        "Từ: Ban Biên tập <tinbai@stttt.hungyen.gov.vn>\n"
        "Đã gửi: Thứ Ba, 25 tháng 11, 2025 15:40\nĐến: Phạm Quốc Bảo\n"
        "Chủ đề: Nhắc gửi tin tháng 11\n\nĐề nghị đơn vị gửi tin trước ngày 28/11.\n"
    )
    return _outlook_plain(text, "TL: " + enc_b("Nhắc gửi tin tháng 11"), "SGOL0003")


def outlook_winmail() -> bytes:
    data = tnef(
        body="Kính gửi Ban Biên tập,\r\n\r\n" + NEWS2 + "\r\n",
        files=[("anh-tiem-chung.jpg", jpeg(9)), ("ke-hoach.pdf", pdf("ke hoach"))],
    )
    body = (
        f'--{OL_B}\nContent-Type: text/plain; charset="us-ascii"\n\n\n'
        f'--{OL_B}\nContent-Type: application/ms-tnef; name="winmail.dat"\n'
        f'Content-Disposition: attachment; filename="winmail.dat"\n'
        f"Content-Transfer-Encoding: base64\n\n{b64(data)}\n--{OL_B}--\n"
    )
    ctype = f'multipart/mixed; boundary="{OL_B}"'
    return _msg(_outlook_headers(enc_b("Tin tiêm chủng (Outlook RTF)"), "SGOL0004", ctype), body)


def outlook_rfc2231() -> bytes:
    name = "Kế hoạch truyền thông tháng 12.pdf"
    text = "Gửi Ban Biên tập kế hoạch truyền thông tháng 12 của Sở để đăng tải." + "\n"
    body = (
        f'--{OL_B}\nContent-Type: text/plain; charset="utf-8"\n'
        f"Content-Transfer-Encoding: base64\n\n{b64(text.encode())}\n"
        f"--{OL_B}\nContent-Type: application/pdf; name*=utf-8''"
        f"{rfc2231(name).split(chr(39) * 2)[1]}\n"
        f"Content-Disposition: attachment; {rfc2231(name)}\n"
        f"Content-Transfer-Encoding: base64\n\n{b64(pdf('ke hoach 12'))}\n--{OL_B}--\n"
    )
    ctype = f'multipart/mixed; boundary="{OL_B}"'
    return _msg(_outlook_headers(enc_b("Kế hoạch tháng 12"), "SGOL0005", ctype), body)


def outlook_docx_cover() -> bytes:
    name = "Bài viết truyền thông chính sách.docx"
    data = docx(
        [(p, None) for p in ["TRUYỀN THÔNG CHÍNH SÁCH: ĐỔI MỚI ĐỂ ĐẾN GẦN DÂN", *ARTICLE_PARAS]]
    )
    text = "Kính gửi Ban Biên tập,\nSở gửi bài viết (file đính kèm).\nTrân trọng.\n"
    body = (
        f'--{OL_B}\nContent-Type: text/plain; charset="utf-8"\n'
        f"Content-Transfer-Encoding: base64\n\n{b64(text.encode())}\n"
        f"--{OL_B}\nContent-Type: application/vnd.openxmlformats-officedocument."
        f'wordprocessingml.document;\n\tname="{enc_b(name)}"\n'
        f"Content-Description: {enc_b(name)}\n"
        f'Content-Disposition: attachment;\n\tfilename="{enc_b(name)}"; size={len(data)}\n'
        f"Content-Transfer-Encoding: base64\n\n{b64(data)}\n--{OL_B}--\n"
    )
    ctype = f'multipart/mixed; boundary="{OL_B}"'
    return _msg(_outlook_headers(enc_b("Bài viết tháng 11"), "SGOL0006", ctype), body)


def outlook_signature_logo() -> bytes:
    rel = "_004_SG2PR01MB1234related_"
    html = (
        '<html><head><style>p.MsoNormal{margin:0cm;font-family:"Times New Roman"}</style>'
        '</head><body lang="VI"><div class="WordSection1"><p class="MsoNormal">'
        + NEWS2
        + '</p><p class="MsoNormal">&nbsp;</p><p class="MsoNormal">Trân trọng,<br>'
        'Phạm Quốc Bảo</p><p class="MsoNormal"><img width="120" height="40" '
        'src="cid:image001.png@01DC5E2A.1A2B3C40"></p></div></body></html>'
    )
    body = (
        f'--{rel}\nContent-Type: text/html; charset="utf-8"\n'
        f"Content-Transfer-Encoding: quoted-printable\n\n{qp(html.encode())}\n"
        f'--{rel}\nContent-Type: image/png; name="image001.png"\n'
        f"Content-Description: image001.png\n"
        f'Content-Disposition: inline; filename="image001.png"; size=2008\n'
        f"Content-ID: <image001.png@01DC5E2A.1A2B3C40>\n"
        f"Content-Transfer-Encoding: base64\n\n{b64(png(3))}\n--{rel}--\n"
    )
    ctype = f'multipart/related; boundary="{rel}"; type="text/html"'
    return _msg(_outlook_headers(enc_b("Tin tiêm chủng (HTML)"), "SGOL0007", ctype), body)


def outlook_fw_original() -> bytes:
    text = (
        "Chuyển Ban Biên tập.\n\n-----Original Message-----\n"
        "From: Trung tâm Y tế <ttyt@syt.hungyen.gov.vn>\nSent: Monday, November 24, 2025\n"
        "Subject: Tin tiêm chủng\n\n" + NEWS2 + "\n"
    )
    return _outlook_plain(text, "FW: RE: " + enc_b("Tin tiêm chủng"), "SGOL0008")


# --- Thunderbird ---------------------------------------------------------------------------

TB_B = "------------a1B2c3D4e5F6g7H8i9J0kLmN"
FROM_TB = enc_b("Lê Minh Tuấn") + " <tuan.lm@snv.hungyen.gov.vn>"


def _tb_headers(subject: str, msgid: str, ctype: str) -> list[str]:
    return [
        f"Message-ID: <{msgid}@snv.hungyen.gov.vn>",
        "Date: Wed, 26 Nov 2025 09:12:33 +0700",
        "MIME-Version: 1.0",
        "User-Agent: Mozilla Thunderbird",
        "Content-Language: vi",
        "To: tinbai@stttt.hungyen.gov.vn",
        f"From: {FROM_TB}",
        f"Subject: {subject}",
        f"Content-Type: {ctype}",
    ]


def tb_flowed_reply() -> bytes:
    text = (
        "Chào Ban Biên tập,\n\nSở Nội vụ gửi tin về hội nghị tập huấn. \n" + NEWS + "\n\n"
        "On 25/11/2025 14:20, Ban Biên tập wrote:\n> Đề nghị các đơn vị gửi tin tháng 11.\n"
    )
    headers = _tb_headers(
        "Re: " + enc_q("Đề nghị gửi tin tháng 11"),
        "tb01",
        "text/plain; charset=UTF-8; format=flowed",
    )
    return _msg([*headers, "Content-Transfer-Encoding: 8bit"], text)


def tb_forward_inline() -> bytes:
    text = (
        "\n\n-------- Forwarded Message --------\nSubject: \tTin tập huấn chuyển đổi số\n"
        "Date: \tMon, 24 Nov 2025 16:00:00 +0700\nFrom: \tPhòng CNTT <cntt@snv.hungyen.gov.vn>\n"
        "To: \ttuan.lm@snv.hungyen.gov.vn\n\n" + NEWS + "\n"
    )
    headers = _tb_headers(
        "Fwd: " + enc_q("Tin tập huấn chuyển đổi số"), "tb02", "text/plain; charset=UTF-8"
    )
    return _msg([*headers, "Content-Transfer-Encoding: 8bit"], text)


def _inner_message() -> str:
    inner_b = "------------innerBoundary0001"
    return (
        "Message-ID: <inner01@xa.hungyen.gov.vn>\nDate: Mon, 24 Nov 2025 10:00:00 +0700\n"
        "MIME-Version: 1.0\nFrom: "
        + enc_b("UBND xã Thần Khê")
        + " <ubnd.thankhe@hungyen.gov.vn>\n"
        "Subject: " + enc_b("Tin ra quân làm đường giao thông nông thôn") + "\n"
        f'Content-Type: multipart/mixed; boundary="{inner_b}"\n\n'
        f"--{inner_b}\nContent-Type: text/plain; charset=UTF-8\n"
        f"Content-Transfer-Encoding: base64\n\n{b64(NEWS.encode())}\n"
        + _att(inner_b, "lam-duong.jpg", "image/jpeg", jpeg(21))
        + f"--{inner_b}--\n"
    )


def tb_forward_attachment() -> bytes:
    text = "Chuyển tiếp thư của xã Thần Khê (đính kèm) để Ban Biên tập xem xét.\n"
    body = (
        f"This is a multi-part message in MIME format.\n--{TB_B}\n"
        f"Content-Type: text/plain; charset=UTF-8; format=flowed\n"
        f"Content-Transfer-Encoding: 8bit\n\n{text}\n"
        f'--{TB_B}\nContent-Type: message/rfc822; name="Tin ra quan.eml"\n'
        f'Content-Disposition: attachment; filename="Tin ra quan.eml"\n\n'
        f"{_inner_message()}\n--{TB_B}--\n"
    )
    headers = _tb_headers(
        "Fwd: " + enc_q("Tin ra quân làm đường"), "tb03", f'multipart/mixed; boundary="{TB_B}"'
    )
    return _msg(headers, body)


def tb_rfc2231_continuation() -> bytes:
    name = "Báo cáo kết quả thực hiện công tác truyền thông chính sách năm 2025 của Sở Nội vụ.pdf"
    encoded = rfc2231(name).split("''")[1]
    chunks, rest = [], encoded
    while rest:  # split between %XX escapes, never inside one
        cut = 60 if len(rest) > 60 else len(rest)
        while "%" in rest[max(0, cut - 2) : cut]:
            cut -= 1
        chunks.append(rest[:cut])
        rest = rest[cut:]
    params = ";\n".join(
        f" filename*{i}*={'utf-8' + chr(39) * 2 if i == 0 else ''}{c}"
        for i, c in enumerate(chunks)
    )
    text = "Gửi báo cáo năm để Ban Biên tập tổng hợp.\n"
    body = (
        f"--{TB_B}\nContent-Type: text/plain; charset=UTF-8\n\n{text}\n"
        f"--{TB_B}\nContent-Type: application/pdf;\nContent-Disposition: attachment;\n{params}\n"
        f"Content-Transfer-Encoding: base64\n\n{b64(pdf('bao cao'))}\n--{TB_B}--\n"
    )
    headers = _tb_headers(enc_q("Báo cáo năm 2025"), "tb04", f'multipart/mixed; boundary="{TB_B}"')
    return _msg([*headers, "Content-Transfer-Encoding: 8bit"], body)


# --- Apple Mail and mobile ----------------------------------------------------------------

AP_B = "Apple-Mail=_6F1A2B3C-4D5E-6F70-8192-A3B4C5D6E7F8"
FROM_AP = enc_b("Đỗ Thu Hà") + " <ha.dt@svhttdl.hungyen.gov.vn>"


def _apple_headers(subject: str, msgid: str, ctype: str, *, agent: str) -> list[str]:
    return [
        f"From: {FROM_AP}",
        f"Content-Type: {ctype}",
        "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))",
        f"Subject: {subject}",
        f"Message-Id: <{msgid}@svhttdl.hungyen.gov.vn>",
        "Date: Wed, 26 Nov 2025 10:05:00 +0700",
        "To: tinbai@stttt.hungyen.gov.vn",
        f"X-Mailer: {agent}",
    ]


def apple_nfd() -> bytes:
    nfd = unicodedata.normalize("NFD", NEWS)
    name = unicodedata.normalize("NFD", "Ảnh lễ hội.jpg")
    body = (
        f"--{AP_B}\nContent-Transfer-Encoding: quoted-printable\n"
        f"Content-Type: text/plain;\n\tcharset=utf-8\n\n{qp(nfd.encode())}\n"
        f"--{AP_B}\nContent-Disposition: attachment;\n\t{rfc2231(name)}\n"
        f"Content-Type: image/jpeg;\n\tx-unix-mode=0644\nContent-Transfer-Encoding: base64\n\n"
        f"{b64(jpeg(31))}\n--{AP_B}--\n"
    )
    subject = enc_q(unicodedata.normalize("NFD", "Tin lễ hội văn hóa"))
    ctype = f'multipart/mixed;\n\tboundary="{AP_B}"'
    return _msg(_apple_headers(subject, "AP01", ctype, agent="Apple Mail (2.3826)"), body)


def apple_inline_image() -> bytes:
    alt, rel = AP_B + "-alt", AP_B + "-rel"
    part1, part2 = "Ảnh khai mạc triển lãm:", "Ảnh đoàn đại biểu tham quan. " + NEWS
    body = (
        f"--{alt}\nContent-Transfer-Encoding: quoted-printable\nContent-Type: text/plain;\n"
        f"\tcharset=utf-8\n\n{qp((part1 + chr(10) + chr(10) + part2).encode())}\n"
        f'--{alt}\nContent-Type: multipart/related;\n\ttype="text/html";\n\tboundary="{rel}"\n\n'
        f"--{rel}\nContent-Transfer-Encoding: quoted-printable\nContent-Type: text/html;\n"
        f"\tcharset=utf-8\n\n{qp(f'<html><body>{part1}<img src=cid:A1>{part2}'.encode())}\n"
        f"--{rel}\nContent-Transfer-Encoding: base64\nContent-Disposition: inline;\n"
        f"\tfilename=IMG_4012.jpeg\nContent-Type: image/jpeg;\n\tname=IMG_4012.jpeg\n"
        f"Content-Id: <A1>\n\n{b64(jpeg(41, 80_000))}\n--{rel}--\n\n--{alt}--\n"
    )
    ctype = f'multipart/alternative;\n\tboundary="{alt}"'
    return _msg(
        _apple_headers(enc_q("Triển lãm ảnh"), "AP02", ctype, agent="Apple Mail (2.3826)"), body
    )


def apple_forward() -> bytes:
    text = (
        "Gửi Ban Biên tập.\n\nBegin forwarded message:\n\n"
        "From: Nhà văn hóa tỉnh <nvh@svhttdl.hungyen.gov.vn>\nSubject: Tin liên hoan văn nghệ\n"
        "Date: 24 November 2025 at 09:00:00 GMT+7\n\n" + NEWS + "\n"
    )
    headers = _apple_headers(
        "Fwd: " + enc_q("Tin liên hoan văn nghệ"),
        "AP03",
        "text/plain;\n\tcharset=utf-8",
        agent="Apple Mail (2.3826)",
    )
    return _msg([*headers, "Content-Transfer-Encoding: 8bit"], text)


def iphone_sent_from() -> bytes:
    text = "Em gửi ảnh hoạt động tình nguyện ạ.\n\nGửi từ iPhone của tôi\n"
    body = (
        f"--{AP_B}\nContent-Type: text/plain;\n\tcharset=utf-8\n"
        f"Content-Transfer-Encoding: 8bit\n\n{text}\n"
        + _att(AP_B, "IMG_0831.JPG", "image/jpeg", jpeg(51, 120_000))
        + f"--{AP_B}--\n"
    )
    ctype = f'multipart/mixed; boundary="{AP_B}"'
    return _msg(
        _apple_headers(enc_q("Ảnh tình nguyện"), "IP01", ctype, agent="iPhone Mail (22B91)"), body
    )


def android_video() -> bytes:
    b = "--_com.samsung.android.email_1732590000000"
    text = (
        "Gửi video phóng sự ngắn về mô hình dân vận khéo.\n\n"
        "Sent from my Samsung Galaxy smartphone.\n"
    )
    body = (
        f"--{b}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        f"{b64(text.encode())}\n"
        + _att(b, "VID_20251125_101530.mp4", "video/mp4", mp4())
        + f"--{b}--\n"
    )
    headers = [
        "MIME-Version: 1.0",
        "Date: Wed, 26 Nov 2025 10:30:00 +0700",
        "Subject: " + enc_b("Video dân vận khéo"),
        "Message-ID: <sa-1732590000000@email.android.com>",
        "From: " + enc_b("Vũ Đức Anh") + " <anh.vd@hungha.hungyen.gov.vn>",
        "To: tinbai@stttt.hungyen.gov.vn",
        f'Content-Type: multipart/mixed; boundary="{b}"',
    ]
    return _msg(headers, body)


def outlook_mobile() -> bytes:
    text = NEWS2 + "\n\nTải Outlook cho Android<https://aka.ms/AAb9ysg>\n"
    headers = [
        "From: " + enc_b("Ngô Thị Mai") + " <mai.nt@stc.hungyen.gov.vn>",
        "To: tinbai@stttt.hungyen.gov.vn",
        "Subject: " + enc_b("Tin từ điện thoại"),
        "Date: Wed, 26 Nov 2025 03:30:00 +0000",
        "Message-ID: <OLMOBILE01@HK0PR01MB.apcprd01.prod.outlook.com>",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
    ]
    return _msg(headers, b64(text.encode()) + "\n")


# --- Charsets, headers and structure -------------------------------------------------------


def _simple(
    subject: str,
    msgid: str | None,
    ctype: str,
    body: str,
    *,
    extra: list[str] | None = None,
    frm: str = FROM_TB,
    cte: str = "8bit",
) -> bytes:
    headers = [
        f"From: {frm}",
        "To: tinbai@stttt.hungyen.gov.vn",
        "Date: Wed, 26 Nov 2025 11:00:00 +0700",
        "MIME-Version: 1.0",
        f"Content-Type: {ctype}",
        f"Content-Transfer-Encoding: {cte}",
    ]
    if subject:
        headers.insert(2, f"Subject: {subject}")
    if msgid:
        headers.insert(0, f"Message-ID: <{msgid}>")
    return _msg(headers + (extra or []), body)


def html_only() -> bytes:
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Tin</title>"
        "<style>body{font-family:Arial} .x{color:red}</style>"
        "<script>document.write('quảng cáo')</script></head><body>"
        "<h2>Hội nghị tổng kết công tác dân vận</h2><p>" + NEWS + "</p>"
        "<p>Các đại biểu thống nhất:<br>&bull; Tăng cường đối thoại;<br>&bull; Công khai "
        "thông tin &amp; tiếp nhận phản ánh.</p><table><tr><td>Thời gian</td><td>24/11/2025</td>"
        "</tr></table></body></html>"
    )
    return _simple(
        enc_b("Tin hội nghị dân vận"),
        "html01@hungyen.gov.vn",
        "text/html; charset=utf-8",
        b64(html.encode()),
        cte="base64",
    )


def mislabelled_latin1() -> bytes:
    return _simple(
        "Tin =?iso-8859-1?Q?th=E1ng?= 11",
        "mis01@hungyen.gov.vn",
        "text/plain; charset=iso-8859-1",
        NEWS + "\n",
    )


def unknown_charset() -> bytes:
    body = qp(cp1258(NEWS2 + "\n"))
    return _simple(
        enc_b("Tin tiêm chủng"),
        "unk01@hungyen.gov.vn",
        "text/plain; charset=x-viet-unknown",
        body,
        cte="quoted-printable",
    )


def no_charset_8bit() -> bytes:
    return _simple(
        enc_b("Tin không khai báo bảng mã"), "nocs01@hungyen.gov.vn", "text/plain", NEWS + "\n"
    )


def raw_8bit_subject() -> bytes:
    headers = [
        "Message-ID: <raw01@hungyen.gov.vn>",
        "From: Phòng Văn hóa <vanhoa@hungyen.gov.vn>",
        "To: tinbai@stttt.hungyen.gov.vn",
        "Subject: Tin văn hóa tháng 11 (tiêu đề không mã hóa)",
        "Date: Wed, 26 Nov 2025 11:00:00 +0700",
        "Content-Type: text/plain; charset=utf-8",
    ]
    return _msg(headers, NEWS + "\n")


def rfc2047_mixed() -> bytes:
    subject = (
        "=?utf-8?B?VGluIG5n4bqvbg==?= =?utf-8?Q?_v=E1=BB=81_?= "
        + enc_b("chuyển đổi số ", "windows-1258").replace("\n", "")
        + " =?UTF-8?q?c=E1=BA=A5p_x=C3=A3?="
    )
    return _simple(subject, "mix01@hungyen.gov.vn", "text/plain; charset=utf-8", NEWS2 + "\n")


def nested_prefixes() -> bytes:
    subject = "TL: Trả lời: RE: Fwd: Chuyển tiếp: Tin ngày hội đại đoàn kết"
    return _simple(
        enc_b(subject), "nest01@hungyen.gov.vn", "text/plain; charset=utf-8", NEWS + "\n"
    )


def pdf_inline() -> bytes:
    b = "----=_Part_12345_67890.1732590000000"
    body = (
        f"--{b}\nContent-Type: text/plain; charset=UTF-8\n\nGửi tờ gấp tuyên truyền (PDF).\n"
        + _att(b, "to-gap-tuyen-truyen.pdf", "application/pdf", pdf("to gap"), disp="inline")
        + f"--{b}--\n"
    )
    return _simple(
        enc_b("Tờ gấp tuyên truyền"),
        "pdfi01@hungyen.gov.vn",
        f'multipart/mixed; boundary="{b}"',
        body,
    )


def _docx_mail(msgid: str, subject: str, name: str, data: bytes) -> bytes:
    b = "----=_NextPart_000_0001_01DC5E2A.1A2B3C40"
    body = (
        f"--{b}\nContent-Type: text/plain; charset=UTF-8\n\nGửi bài (file Word đính kèm).\n"
        + _att(
            b,
            name,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            data,
        )
        + f"--{b}--\n"
    )
    return _simple(enc_b(subject), msgid, f'multipart/mixed; boundary="{b}"', body)


def docx_tcvn3() -> bytes:
    paras = [(to_tcvn3h("THÔNG BÁO KẾT QUẢ TUYÊN TRUYỀN"), ".VnTimeH")] + [
        (to_tcvn3(p), ".VnTime")
        for p in [
            "công tác tuyên truyền chính sách năm 2025 đã đạt được nhiều kết quả tích cực. "
            "các xã, phường đã tổ chức hơn 300 buổi tuyên truyền trực tiếp cho người dân.",
            "thời gian tới, đơn vị tiếp tục đổi mới hình thức, nội dung tuyên truyền, "
            "ứng dụng công nghệ số để thông tin đến với người dân nhanh chóng, chính xác.",
        ]
    ]
    return _docx_mail(
        "tcvn01@hungyen.gov.vn",
        "Bài tuyên truyền (file cũ)",
        "bai-tuyen-truyen-tcvn3.docx",
        docx(paras),
    )


def docx_vni() -> bytes:
    paras = [
        (to_vni(p), "VNI-Times")
        for p in [
            "Đoàn Thanh niên tổ chức chiến dịch Mùa hè xanh năm 2025.",
            "Hơn 500 đoàn viên tham gia sửa đường, dọn vệ sinh và hướng dẫn người dân sử dụng "
            "dịch vụ công trực tuyến, cài đặt ứng dụng định danh điện tử.",
        ]
    ]
    return _docx_mail(
        "vni01@hungyen.gov.vn", "Bài Mùa hè xanh (VNI)", "mua-he-xanh-vni.docx", docx(paras)
    )


def long_article() -> bytes:
    return _simple(
        enc_b("Bài viết: Đổi mới truyền thông chính sách"),
        "art01@hungyen.gov.vn",
        "text/plain; charset=utf-8; format=flowed",
        ARTICLE + "\n",
    )


def video_link() -> bytes:
    text = (
        "Gửi Ban Biên tập video phóng sự về chuyển đổi số ở xã (file lớn nên gửi link):\n"
        "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQrStUvWxYz/view?usp=sharing\n"
    )
    return _simple(
        enc_b("Video phóng sự chuyển đổi số"),
        "vid01@hungyen.gov.vn",
        "text/plain; charset=utf-8",
        text,
    )


# --- Automated mail and damaged input ------------------------------------------------------


def auto_reply() -> bytes:
    text = "Tôi đang đi công tác đến hết ngày 30/11/2025. Thư sẽ được trả lời khi tôi trở lại.\n"
    return _simple(
        "=?utf-8?Q?Tr=E1=BA=A3_l=E1=BB=9Di_t=E1=BB=B1_=C4=91=E1=BB=99ng?=: Tin",
        "ooo01@hungyen.gov.vn",
        "text/plain; charset=utf-8",
        text,
        extra=["Auto-Submitted: auto-replied", "X-Auto-Response-Suppress: All"],
    )


def bounce() -> bytes:
    b = "9B095B5ADSN=_01DC5E2A1A2B3C40"
    body = (
        f"--{b}\nContent-Type: text/plain; charset=us-ascii\n\n"
        "This is the mail system at host mail.hungyen.gov.vn.\n\nI'm sorry to have to inform you "
        "that your message could not be delivered to one or more recipients.\n\n"
        "<khongton@hungyen.gov.vn>: host said: 550 5.1.1 User unknown\n\n"
        f"--{b}\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mail.hungyen.gov.vn\n"
        "Final-Recipient: rfc822; khongton@hungyen.gov.vn\nAction: failed\nStatus: 5.1.1\n\n"
        f"--{b}--\n"
    )
    headers = [
        "Return-Path: <>",
        "Message-ID: <bounce01@mail.hungyen.gov.vn>",
        "From: MAILER-DAEMON@mail.hungyen.gov.vn (Mail Delivery System)",
        "To: tinbai@stttt.hungyen.gov.vn",
        "Subject: Undelivered Mail Returned to Sender",
        "Date: Wed, 26 Nov 2025 11:10:00 +0700",
        "Auto-Submitted: auto-replied",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{b}"',
        "MIME-Version: 1.0",
    ]
    return _msg(headers, body)


def mailing_list() -> bytes:
    return _simple(
        enc_b("[Bản tin] Điểm tin chuyển đổi số tuần 47"),
        "list01@lists.hungyen.gov.vn",
        "text/plain; charset=utf-8",
        NEWS2 + "\n",
        frm="Ban tin <bantin@lists.hungyen.gov.vn>",
        extra=[
            "List-Id: <bantin.lists.hungyen.gov.vn>",
            "Precedence: list",
            "List-Unsubscribe: <mailto:unsub@lists.hungyen.gov.vn>",
        ],
    )


def no_id_no_subject() -> bytes:
    text = "Hội thi tìm hiểu pháp luật năm 2025\n\n" + NEWS + "\n"
    return _simple("", None, "text/plain; charset=utf-8", text)


def broken_base64() -> bytes:
    b = "broken-b64-boundary"
    body = (
        f"--{b}\nContent-Type: text/plain; charset=utf-8\n\n{NEWS}\n"
        f'--{b}\nContent-Type: image/jpeg; name="hong.jpg"\n'
        f'Content-Disposition: attachment; filename="hong.jpg"\n'
        f"Content-Transfer-Encoding: base64\n\n/9j/4AAQSkZJRg!!!@@@###ABC=\n--{b}--\n"
    )
    return _simple(
        enc_b("Tin kèm ảnh lỗi"),
        "b64bad01@hungyen.gov.vn",
        f'multipart/mixed; boundary="{b}"',
        body,
    )


def malformed_headers() -> bytes:
    long_to = ", ".join(f"nguoinhan{i}@hungyen.gov.vn" for i in range(900))
    b = "never-closed"
    body = f"--{b}\nContent-Type: text/plain; charset=utf-8\n\n{NEWS2}\n"  # no closing boundary
    headers = [
        "Message-ID: <malformed01@hungyen.gov.vn>",
        "From: " + enc_b("Phòng Tư pháp") + " <tuphap@hungyen.gov.vn>",
        f"To: {long_to}",
        "Subject: =?utf-8?B?VGluIHTGsCBwaMOhcA?= =?bogus?Q?x?=",
        "Date: not a date at all",
        "X-Weird-Header-Without-Colon-Space:value",
        f'Content-Type: multipart/mixed; boundary="{b}"',
    ]
    return _msg(headers, body)


def attachment_only() -> bytes:
    b = "attonly-0001"
    body = (
        f"--{b}\nContent-Type: text/plain; charset=utf-8\n\n\n"
        + _att(b, "quyet-dinh-so-123.pdf", "application/pdf", pdf("quyet dinh"))
        + f"--{b}--\n"
    )
    return _simple(
        enc_b("Quyết định số 123"),
        "attonly01@hungyen.gov.vn",
        f'multipart/mixed; boundary="{b}"',
        body,
    )


def yahoo_quoted() -> bytes:
    html = (
        '<html><body><div class="ydp1"><div>' + NEWS2 + "</div></div>"
        '<div id="yahoo_quoted_123" class="yahoo_quoted"><div>Vào Thứ Hai, 24 tháng 11, 2025,'
        " Ban Biên tập &lt;tinbai@stttt.hungyen.gov.vn&gt; đã viết:</div><div>Nhắc gửi tin.</div>"
        "</div></body></html>"
    )
    return _simple(
        "Re: " + enc_b("Nhắc gửi tin"),
        "yahoo01@yahoo.com",
        "text/html; charset=UTF-8",
        qp(html.encode()),
        frm="Hoang Van Nam <namhv1980@yahoo.com.vn>",
        cte="quoted-printable",
    )


def zimbra_reply() -> bytes:
    text = (
        NEWS + '\n\n----- Thư gốc -----\nTừ: "Ban Biên tập" <tinbai@stttt.hungyen.gov.vn>\n'
        'Đến: "vp" <vp.thankhe@hungyen.gov.vn>\nGửi: Thứ Hai, 24 Tháng Mười Một 2025 16:00:00\n'
        "Chủ đề: Nhắc gửi tin\n\nĐề nghị gửi tin.\n"
    )
    return _simple(
        "Re: " + enc_b("Nhắc gửi tin"),
        "zimbra01@hungyen.gov.vn",
        "text/plain; charset=utf-8",
        text,
        frm="VP UBND xa Than Khe <VP.ThanKhe@HungYen.gov.vn>",
        extra=["X-Mailer: Zimbra 8.8.15_GA_4581 (ZimbraWebClient - GC119)"],
    )


def windows_1258_header_fname() -> bytes:
    b = "----=_NextPart_000_cp1258"
    name = "Ảnh hội nghị.jpg"
    encoded = enc_b(name, "windows-1258").replace("\n", "")
    body = (
        f"--{b}\nContent-Type: text/plain; charset=windows-1258\n"
        f"Content-Transfer-Encoding: quoted-printable\n\n{qp(cp1258(NEWS))}\n"
        f'--{b}\nContent-Type: image/jpeg; name="{encoded}"\n'
        f'Content-Disposition: attachment; filename="{encoded}"\n'
        f"Content-Transfer-Encoding: base64\n\n{b64(jpeg(61))}\n--{b}--\n"
    )
    return _simple(
        enc_b("Tin hội nghị (Outlook Express)", "windows-1258").replace("\n", ""),
        "oe01@hungyen.gov.vn",
        f'multipart/mixed; boundary="{b}"',
        body,
        extra=["X-Mailer: Microsoft Outlook Express 6.00.2900.5931"],
    )


def octet_stream_docx() -> bytes:
    b = "octet-docx"
    data = docx([(p, "Times New Roman") for p in ARTICLE_PARAS[:3]])
    body = (
        f"--{b}\nContent-Type: text/plain; charset=utf-8\n\nBài gửi kèm.\n"
        + _att(b, "bai-viet.docx", "application/octet-stream", data)
        + f"--{b}--\n"
    )
    return _simple(
        enc_b("Bài viết chuyển đổi số"),
        "octet01@hungyen.gov.vn",
        f'multipart/mixed; boundary="{b}"',
        body,
    )


# --- Round two: mail from clients outside our own corpus (issue 22) ---------------------


def _raw(headers: list[bytes | str], body: bytes) -> bytes:
    """A message from header lines and a body given as bytes (other charsets than UTF-8)."""
    lines = [h if isinstance(h, bytes) else h.encode("ascii") for h in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body.replace(b"\n", b"\r\n")


def _bword(label: str, data: bytes) -> str:
    """One B-encoded word of bytes already in the charset `label` names."""
    return f"=?{label}?B?{base64.b64encode(data).decode()}?="


def _plain(frm: str, subject: str, msgid: str, *, extra: list[str] | None = None) -> bytes:
    return _simple(subject, msgid, "text/plain; charset=utf-8", NEWS + "\n", frm=frm, extra=extra)


def sender_comma_vi() -> bytes:
    # Decoded, the display name holds a comma: "Nguyễn, Văn An".
    frm = enc_b("Nguyễn, Văn An") + " <an.nv@sovhtt.hungyen.gov.vn>"
    return _plain(frm, enc_b("Tin lễ hội truyền thống"), "r2-sender01@hungyen.gov.vn")


def sender_brackets_vi() -> bytes:
    # Decoded, the display name holds square brackets and a colon.
    frm = enc_q("[Sở Y tế] Phòng Truyền thông: Lê Hoa") + " <hoa.le@syt.hungyen.gov.vn>"
    return _plain(frm, enc_b("Tin tiêm chủng mở rộng"), "r2-sender02@hungyen.gov.vn")


def sender_two_from_headers() -> bytes:
    # A gateway adds an empty From before the client's own.
    return _plain(
        "<>",
        enc_b("Tin hội nghị nông dân"),
        "r2-from01@hungyen.gov.vn",
        extra=[f"From: {enc_b('Trần Văn Bình')} <binh.tv@hoinongdan.hungyen.gov.vn>"],
    )


def sender_garbage_first() -> bytes:
    # A From list whose first entry is what a broken client left of a name: "[??????]".
    frm = "[??????] <>, " + enc_b("Phạm Thị Thu") + " <thu.pt@phunu.hungyen.gov.vn>"
    return _plain(frm, enc_b("Tin phụ nữ khởi nghiệp"), "r2-from02@hungyen.gov.vn")


def sender_reply_to_fallback() -> bytes:
    # No valid From at all: Reply-To is the documented fallback, with a warning.
    return _plain(
        "undisclosed-sender",
        enc_b("Tin thanh niên tình nguyện"),
        "r2-from03@hungyen.gov.vn",
        extra=[f"Reply-To: {enc_b('Đoàn Thanh niên xã')} <doanthanhnien@xa.hungyen.gov.vn>"],
    )


def stray_line_webform() -> bytes:
    headers = [
        "Message-ID: <r2-stray01@hungyen.gov.vn>",
        "Date: Wed, 26 Nov 2025 11:00:00 +0700",
        "WEBFORM",
        f"From: {enc_b('Cổng thông tin xã')} <congtt@xa.hungyen.gov.vn>",
        f"Subject: {enc_b('Tin gửi từ biểu mẫu trên cổng')}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
    ]
    return _raw(headers, b64(NEWS.encode()).encode() + b"\n")


def stray_line_gateway() -> bytes:
    b = "gw-b1"
    body = (
        f"--{b}\nContent-Type: text/plain; charset=utf-8\n\n{NEWS2}\n"
        + _att(b, "anh-tiem-chung.jpg", "image/jpeg", jpeg(71))
        + f"--{b}--\n"
    )
    headers = [
        "Received by old gateway 10.1.2.3",
        "Message-ID: <r2-stray02@hungyen.gov.vn>",
        "relayed via SMTP-GW v2 (no headers after this line)",
        f"From: {enc_b('Trung tâm Y tế huyện')} <ttyt@huyen.hungyen.gov.vn>",
        f"Subject: {enc_b('Tin tiêm chủng vắc xin sởi')}",
        "Date: Wed, 26 Nov 2025 11:00:00 +0700",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{b}"',
    ]
    return _raw(headers, body.encode())


CHINESE = "朱镕基总理视察农村，嘅话：发展经济。"
JAPANESE = "①お知らせ ㈱ニュース社より、地域の取り組みを紹介します。"


def charset_gb2312_superset() -> bytes:
    # Labelled gb2312, written by a GBK/GB18030 client (镕, 嘅 are not in GB2312).
    return _raw(
        [
            "Message-ID: <r2-cs01@example.cn>",
            "From: Li Wei <liwei@example.cn>",
            "Subject: " + _bword("gb2312", "农村新闻".encode("gbk")),
            "Date: Wed, 26 Nov 2025 11:00:00 +0700",
            "MIME-Version: 1.0",
            'Content-Type: text/plain; charset="gb2312"',
            "Content-Transfer-Encoding: 8bit",
        ],
        CHINESE.encode("gbk") + b"\n",
    )


def charset_shift_jis_nec() -> bytes:
    # Labelled Shift_JIS, written as Windows' CP932 (① and ㈱ are NEC extensions).
    return _raw(
        [
            "Message-ID: <r2-cs02@example.jp>",
            "From: Tanaka <tanaka@example.jp>",
            "Subject: " + _bword("shift_jis", "①お知らせ".encode("cp932")),
            "Date: Wed, 26 Nov 2025 11:00:00 +0700",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=Shift_JIS",
            "Content-Transfer-Encoding: 8bit",
        ],
        JAPANESE.encode("cp932") + b"\n",
    )


def _iso2022jp_nec(text: str) -> bytes:
    """ISO-2022-JP as Japanese Windows clients write it: NEC row 13 under ESC $ B."""
    return text.encode("iso2022_jp_2004").replace(b"\x1b$(Q", b"\x1b$B")


def charset_iso2022jp_nec() -> bytes:
    return _raw(
        [
            "Message-ID: <r2-cs03@example.jp>",
            "From: Sato <sato@example.jp>",
            "Subject: " + _bword("ISO-2022-JP", _iso2022jp_nec("㈱お知らせ")),
            "Date: Wed, 26 Nov 2025 11:00:00 +0700",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=ISO-2022-JP",
            "Content-Transfer-Encoding: 7bit",
        ],
        _iso2022jp_nec(JAPANESE) + b"\n",
    )


def charset_iso2022jp_unlabelled() -> bytes:
    return _raw(
        [
            "Message-ID: <r2-cs04@example.jp>",
            "From: Suzuki <suzuki@example.jp>",
            "Subject: Oshirase",
            "Date: Wed, 26 Nov 2025 11:00:00 +0700",
            "MIME-Version: 1.0",
            "Content-Type: text/plain",
            "Content-Transfer-Encoding: 7bit",
        ],
        "地域のお知らせです。よろしくお願いします。".encode("iso2022_jp") + b"\n",
    )


def charset_utf8_stray_bytes() -> bytes:
    # UTF-8 Vietnamese with two stray bytes (a gateway cut a character, a Latin-1 é).
    data = NEWS.encode().replace("Thần Khê".encode(), b"Th\xe1 Kh\xea", 1)
    return _raw(
        [
            "Message-ID: <r2-cs05@hungyen.gov.vn>",
            f"From: {FROM_LAN}",
            f"Subject: {enc_b('Tin bảo hiểm xã hội')}",
            "Date: Wed, 26 Nov 2025 11:00:00 +0700",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ],
        data + b"\n",
    )


def charset_us_ascii_8bit() -> bytes:
    # An old client says us-ascii and sends windows-1258 bytes: read as unlabelled.
    return _raw(
        [
            "Message-ID: <r2-cs06@hungyen.gov.vn>",
            "From: Phong Van hoa <vanhoa@xa.hungyen.gov.vn>",
            f"Subject: {enc_b('Tin văn hóa xã')}",
            "Date: Wed, 26 Nov 2025 11:00:00 +0700",
            "MIME-Version: 1.0",
            'Content-Type: text/plain; charset="us-ascii"',
            "Content-Transfer-Encoding: 8bit",
        ],
        cp1258(NEWS2) + b"\n",
    )


def charset_labels_mixed() -> bytes:
    # One part per label that Python reads too narrowly or not at all.
    b = "labels-b1"
    parts = [
        ("big5", "香港嘅新聞".encode("big5hkscs")),
        ("tis-620", "ราคา 100€ ข่าว".encode("cp874")),
        ("iso-8859-8-i", "חדשות היום".encode("iso-8859-8")),
        ("ks_c_5601-1987", "뉴스 똠방각하".encode("cp949")),
    ]
    body = b"".join(
        f"--{b}\nContent-Type: text/plain; charset={label}\n".encode()
        + b"Content-Transfer-Encoding: 8bit\n\n"
        + data
        + b"\n"
        for label, data in parts
    )
    return _raw(
        [
            "Message-ID: <r2-cs07@example.org>",
            "From: Newsroom <news@example.org>",
            "Subject: Labels",
            "Date: Wed, 26 Nov 2025 11:00:00 +0700",
            "MIME-Version: 1.0",
            f'Content-Type: multipart/mixed; boundary="{b}"',
        ],
        body + f"--{b}--\n".encode(),
    )


def raw_header_gb2312() -> bytes:
    # Raw 8-bit GB2312 subject and display name: the message's charset, not windows-1258.
    return _raw(
        [
            "Message-ID: <r2-raw01@example.cn>",
            b"From: " + "王芳".encode("gb2312") + b" <wangfang@example.cn>",
            b"Subject: " + "乡村振兴新闻稿".encode("gb2312"),
            "Date: Wed, 26 Nov 2025 11:00:00 +0700",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=gb2312",
            "Content-Transfer-Encoding: 8bit",
        ],
        "乡村振兴新闻稿全文。".encode("gb2312") + b"\n",
    )


def raw_header_euc_kr() -> bytes:
    return _raw(
        [
            "Message-ID: <r2-raw02@example.kr>",
            b"From: " + "김민수".encode("euc-kr") + b" <minsu@example.kr>",
            b"Subject: " + "베트남 협력 소식".encode("euc-kr"),
            "Date: Wed, 26 Nov 2025 11:00:00 +0700",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=euc-kr",
            "Content-Transfer-Encoding: 8bit",
        ],
        "흥옌성과의 협력 소식입니다.".encode("euc-kr") + b"\n",
    )


def folded_subject_vi() -> bytes:
    # Encoded words and plain words folded together: each fold keeps its space.
    subject = "Tin " + _bword("utf-8", "huyện Vũ Thư".encode()) + "\n ra quan "
    subject += _bword("utf-8", "làm thủy lợi".encode()) + "\n mua kho"
    return _plain(FROM_LAN, subject, "r2-fold01@hungyen.gov.vn")


def folded_utf7_name() -> bytes:
    utf7 = base64.b64encode("Nguyễn Văn Hùng".encode("utf-7")).decode()
    frm = f"Ong =?utf-7?B?{utf7}?=\n Truong phong <hung.nv@xa.hungyen.gov.vn>"
    subject = "Bao cao =?UTF-7?Q?th+AOE-ng?=\n 11 nam 2025"  # "tháng" in UTF-7
    return _plain(frm, subject, "r2-fold02@hungyen.gov.vn")


def filename_raw_utf8() -> bytes:
    b = "fname-b1"
    name = "Báo cáo  tuyên truyền tháng 11.pdf"  # two spaces, as the officer typed it
    head = (
        f"--{b}\nContent-Type: text/plain; charset=utf-8\n\nGửi kèm báo cáo.\n"
        f'--{b}\nContent-Type: application/pdf; name="{name}"\n'
        f'Content-Disposition: attachment; filename="{name}"\n'
        f"Content-Transfer-Encoding: base64\n\n{b64(pdf('bao cao'))}\n--{b}--\n"
    )
    return _simple(
        enc_b("Báo cáo tuyên truyền tháng 11"),
        "r2-fname01@hungyen.gov.vn",
        f'multipart/mixed; boundary="{b}"',
        head,
    )


def filename_raw_gbk() -> bytes:
    b = "fname-b2"
    name = "乡村振兴  报告.pdf".encode("gbk")
    body = (
        f"--{b}\nContent-Type: text/plain; charset=gbk\n\n".encode()
        + "附件是报告。".encode("gbk")
        + f'\n--{b}\nContent-Type: application/pdf; charset="gbk"; name="'.encode()
        + name
        + b'"\nContent-Disposition: attachment; filename="'
        + name
        + f'"\nContent-Transfer-Encoding: base64\n\n{b64(pdf("bao cao"))}\n--{b}--\n'.encode()
    )
    return _raw(
        [
            "Message-ID: <r2-fname02@example.cn>",
            "From: Zhang <zhang@example.cn>",
            "Subject: Report",
            "Date: Wed, 26 Nov 2025 11:00:00 +0700",
            "MIME-Version: 1.0",
            f'Content-Type: multipart/mixed; boundary="{b}"',
        ],
        body,
    )


def mixed_html_then_plain() -> bytes:
    b = "mixed-b1"
    body = (
        f"--{b}\nContent-Type: text/html; charset=utf-8\n\n{_text_html(NEWS)}\n"
        f"--{b}\nContent-Type: text/plain; charset=utf-8\n\n"
        "Người gửi: Trần Minh Đức\nVăn phòng UBND xã Thần Khê\n--{b}--\n".replace("{b}", b)
    )
    return _simple(
        enc_b("Tin hội nghị BHXH (HTML và chữ ký)"),
        "r2-mixed01@hungyen.gov.vn",
        f'multipart/mixed; boundary="{b}"',
        body,
    )


def mixed_plain_image_html() -> bytes:
    # Apple Mail: plain text, an inline image, then the rest of the text as HTML.
    b = "Apple-Mail=_mixed-b2"
    body = (
        f"--{b}\nContent-Type: text/plain; charset=utf-8\n\n{NEWS2}\n"
        + _att(b, "anh.jpg", "image/jpeg", jpeg(73), disp="inline")
        + f"--{b}\nContent-Type: text/html; charset=utf-8\n\n"
        "<html><body><p>Ảnh: Trạm y tế xã Thần Khê.</p></body></html>\n"
        f"--{b}--\n"
    )
    return _simple(
        enc_b("Tin tiêm chủng kèm ảnh"),
        "r2-mixed02@hungyen.gov.vn",
        f'multipart/mixed; boundary="{b}"',
        body,
    )


def _uu(data: bytes) -> str:
    import binascii

    lines = [binascii.b2a_uu(data[i : i + 45]).decode() for i in range(0, len(data), 45)]
    return "".join(lines) + "`\n"


def uuencode_part() -> bytes:
    b = "uu-b1"
    body = (
        f"--{b}\nContent-Type: text/plain; charset=utf-8\n\nGửi kèm tài liệu.\n"
        f"--{b}\nContent-Type: text/plain\n"  # the name is only on the begin line
        f"Content-Transfer-Encoding: x-uuencode\n\n"
        f"begin 644 tai-lieu.pdf\n{_uu(pdf('tai lieu uu'))}end\n--{b}--\n"
    )
    return _simple(
        enc_b("Tài liệu tuyên truyền (uuencode)"),
        "r2-uu01@hungyen.gov.vn",
        f'multipart/mixed; boundary="{b}"',
        body,
    )


def uuencode_inline_block() -> bytes:
    text = f"{NEWS2}\n\nbegin 644 anh-hoi-nghi.jpg\n{_uu(jpeg(75, 3000))}end\n\nTrân trọng.\n"
    return _simple(
        enc_b("Tin tiêm chủng (ảnh uuencode)"),
        "r2-uu02@hungyen.gov.vn",
        "text/plain; charset=utf-8",
        text,
    )


def multipart_no_boundary() -> bytes:
    return _simple(
        enc_b("Tin không có ranh giới MIME"),
        "r2-nob01@hungyen.gov.vn",
        "multipart/mixed",
        NEWS + "\n",
    )


def multipart_boundary_missing() -> bytes:
    return _simple(
        enc_b("Tin ranh giới không có trong thư"),
        "r2-nob02@hungyen.gov.vn",
        'multipart/alternative; boundary="----=_Part_0_never_used"',
        NEWS2 + "\n",
    )


MESSAGES: dict[str, Callable[[], bytes]] = {
    "gmail-plain": gmail_plain,
    "gmail-reply-vi": gmail_reply_vi,
    "gmail-forward-vi": gmail_forward_vi,
    "gmail-photos": gmail_photos,
    "gmail-poster": gmail_poster,
    "gmail-signature": gmail_signature,
    "outlook-cp1258": outlook_cp1258,
    "outlook-reply-en": outlook_reply_en,
    "outlook-reply-vi": outlook_reply_vi,
    "outlook-winmail": outlook_winmail,
    "outlook-rfc2231": outlook_rfc2231,
    "outlook-docx-cover": outlook_docx_cover,
    "outlook-signature-logo": outlook_signature_logo,
    "outlook-fw-original": outlook_fw_original,
    "thunderbird-flowed-reply": tb_flowed_reply,
    "thunderbird-forward-inline": tb_forward_inline,
    "thunderbird-forward-attachment": tb_forward_attachment,
    "thunderbird-rfc2231-continuation": tb_rfc2231_continuation,
    "apple-nfd": apple_nfd,
    "apple-inline-image": apple_inline_image,
    "apple-forward": apple_forward,
    "iphone-sent-from": iphone_sent_from,
    "android-video": android_video,
    "outlook-mobile": outlook_mobile,
    "html-only": html_only,
    "mislabelled-latin1": mislabelled_latin1,
    "unknown-charset": unknown_charset,
    "no-charset-8bit": no_charset_8bit,
    "raw-8bit-subject": raw_8bit_subject,
    "rfc2047-mixed": rfc2047_mixed,
    "nested-prefixes": nested_prefixes,
    "pdf-inline": pdf_inline,
    "docx-tcvn3": docx_tcvn3,
    "docx-vni": docx_vni,
    "long-article": long_article,
    "video-link": video_link,
    "auto-reply": auto_reply,
    "bounce": bounce,
    "mailing-list": mailing_list,
    "no-id-no-subject": no_id_no_subject,
    "broken-base64": broken_base64,
    "malformed-headers": malformed_headers,
    "attachment-only": attachment_only,
    "yahoo-quoted": yahoo_quoted,
    "zimbra-reply": zimbra_reply,
    "outlook-express-cp1258": windows_1258_header_fname,
    "octet-stream-docx": octet_stream_docx,
    "sender-comma-vi": sender_comma_vi,
    "sender-brackets-vi": sender_brackets_vi,
    "sender-two-from-headers": sender_two_from_headers,
    "sender-garbage-first": sender_garbage_first,
    "sender-reply-to-fallback": sender_reply_to_fallback,
    "stray-line-webform": stray_line_webform,
    "stray-line-gateway": stray_line_gateway,
    "charset-gb2312-superset": charset_gb2312_superset,
    "charset-shift-jis-nec": charset_shift_jis_nec,
    "charset-iso2022jp-nec": charset_iso2022jp_nec,
    "charset-iso2022jp-unlabelled": charset_iso2022jp_unlabelled,
    "charset-utf8-stray-bytes": charset_utf8_stray_bytes,
    "charset-us-ascii-8bit": charset_us_ascii_8bit,
    "charset-labels-mixed": charset_labels_mixed,
    "raw-header-gb2312": raw_header_gb2312,
    "raw-header-euc-kr": raw_header_euc_kr,
    "folded-subject-vi": folded_subject_vi,
    "folded-utf7-name": folded_utf7_name,
    "filename-raw-utf8": filename_raw_utf8,
    "filename-raw-gbk": filename_raw_gbk,
    "mixed-html-then-plain": mixed_html_then_plain,
    "mixed-plain-image-html": mixed_plain_image_html,
    "uuencode-part": uuencode_part,
    "uuencode-inline-block": uuencode_inline_block,
    "multipart-no-boundary": multipart_no_boundary,
    "multipart-boundary-missing": multipart_boundary_missing,
}


def main() -> None:
    """Write every message of the corpus as NN-name.eml."""
    OUT.mkdir(exist_ok=True)
    for index, (name, build) in enumerate(MESSAGES.items(), start=1):
        (OUT / f"{index:02d}-{name}.eml").write_bytes(build())


if __name__ == "__main__":
    main()
