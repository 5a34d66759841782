"""Vietnamese wording of the intake warnings shown to editors (pure).

Warnings are stored as stable codes, sometimes with a detail after ": " (a file name, a
charset): `text_from_docx: bai-viet.docx`, `header charset_unknown: x-viet (decoded as
windows-1258)`. The codes stay in the database and in `intake parse --json`; people read
these sentences instead.
"""

from __future__ import annotations

_CHECK_DIACRITICS = "có thể bị lỗi dấu tiếng Việt, cần kiểm tra"
_LABELS: dict[str, str] = {
    "automated_message": "Thư tự động (trả lời vắng mặt, báo lỗi gửi thư…): không phản hồi "
    "người gửi",
    "message_defects": "Thư bị lỗi định dạng kỹ thuật; phần đọc được vẫn được giữ",
    "part_defects": "Một phần của thư bị lỗi định dạng kỹ thuật",
    "empty_message": "Thư không có nội dung và không có tệp đính kèm",
    "sender_missing": "Không đọc được địa chỉ người gửi",
    "sender_fallback": "Dòng From không có địa chỉ hợp lệ: người gửi lấy từ dòng {detail}",
    "header_line_skipped": "Đã bỏ qua {detail} dòng không hợp lệ trong phần đầu thư",
    "mime_too_deep": "Thư lồng quá nhiều lớp; chỉ đọc phần đầu thư, nội dung được giữ như văn bản",
    "multipart_unsplit": "Thư nhiều phần nhưng không tách được các phần (thiếu ranh giới): "
    "nội dung được đọc như văn bản",
    "date_unparseable": "Không đọc được ngày gửi ghi trong thư",
    "text_truncated": "Nội dung quá dài, đã cắt bớt",
    "subject_missing": "Thư thiếu tiêu đề; tiêu đề lấy từ dòng đầu của nội dung",
    "too_many_parts": "Thư có quá nhiều phần; các phần sau không được đọc",
    "winmail_unreadable": "Không mở được tệp winmail.dat của Outlook",
    "winmail_unpacked": "Đã mở tệp winmail.dat của Outlook để lấy tệp đính kèm",
    "header_undecodable": "Không giải mã được một dòng đầu thư",
    "header_truncated": "Dòng đầu thư {detail} quá dài, chỉ đọc phần đầu",
    "field_truncated": "Một trường quá dài để lưu ({detail}), đã cắt bớt",
    "content_type_invalid": "Kiểu tệp khai báo không hợp lệ, coi là tệp nhị phân",
    "unparseable": "Không đọc được thư; thư gốc được lưu để kiểm tra",
    "parse_over_budget": "Thư quá phức tạp, không đọc xong trong thời gian cho phép ({detail} "
    "xử lý); thư gốc được lưu để kiểm tra",
    "parse_failed": "Không đọc được thư (chương trình đọc thư dừng đột ngột); thư gốc được "
    "lưu để kiểm tra",
    "text_from_docx": "Nội dung tin, bài lấy từ tệp Word đính kèm: {detail}",
    "docx_truncated": "Tệp Word {detail} quá dài hoặc quá phức tạp: chỉ lấy phần đầu nội dung",
    "legacy_encoding_converted": "Tệp Word dùng bảng mã cũ {detail}, đã chuyển sang Unicode: "
    "cần kiểm tra lại dấu tiếng Việt",
    "reply_to_notification": "Thư trả lời thông báo của Ban Biên tập về tin, bài {detail}: có "
    "thể không phải tin, bài mới",
    "attachment_refused": "Tệp không thuộc định dạng được tiếp nhận, không đưa vào tin, bài "
    "(vẫn còn trong thư gốc): {detail}",
    "charset_unknown": "Bảng mã không rõ ({detail}): có thể bị lỗi dấu tiếng Việt, cần kiểm tra",
    "charset_missing": "Thư không khai báo bảng mã: có thể bị lỗi dấu tiếng Việt, cần kiểm tra",
    "charset_mislabelled": "Bảng mã khai báo sai ({detail}): " + _CHECK_DIACRITICS,
    "charset_invalid_bytes": "Có ký tự lỗi trong bảng mã {detail}, đã thay thế: "
    + _CHECK_DIACRITICS,
}
_HEADER = "Đầu thư: "


def warning_text(code: str) -> str:
    """The sentence for one stored warning; an unknown code is shown as it is."""
    header = code.startswith("header ")
    body = code.removeprefix("header ")
    name, _, detail = body.partition(": ")
    name = name.split(" (", 1)[0]  # "charset_missing (decoded as utf-8)"
    label = _LABELS.get(name)
    if label is None:
        return code
    detail = detail.split(" (decoded as", 1)[0].split(" (replaced)", 1)[0].strip()
    if name == "legacy_encoding_converted":
        detail = detail.upper()  # "TCVN3", "VNI", as people name them
    text = label.format(detail=detail or "?")
    return _HEADER + text[0].lower() + text[1:] if header else text
