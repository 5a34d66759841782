"""User-facing Vietnamese texts of the publisher (articles, editor alerts, notices)."""

from __future__ import annotations

from domain import glossary

# A publication's status as the CLI shows it: the glossary's.
PUB_STATUS_LABELS = glossary.PUBLICATION_STATUS_LABELS

# `publish show`: each field's label (--json keeps the keys).
SHOW_LABELS = {
    "id": "Lượt đăng",
    "code": "Mã tiếp nhận",
    "status": "Trạng thái",
    "dry_run": "Chạy thử",
    "due_at": "Hẹn đăng",
    "published_at": "Đã đăng lúc",
    "article_id": "Mã bài trên Zalo",
    "url": "Đường liên kết",
    "broadcast_message_id": "Mã tin gửi người quan tâm",
    "attempts": "Số lần thử",
    "last_error": "Lỗi gần nhất",
}

# --- inside articles -------------------------------------------------------------------------
CREDIT = "Nguồn: {unit}"
VIDEO_LINK = "Xem video tại: {url}"  # never the raw file name
# The preview is the editors' own: it names each image so that one can be chosen as the cover.
PREVIEW_IMAGE = "🖼 [Ảnh {name}] {caption}"
PREVIEW_COVER = "🖼 Ảnh bìa: {name}"
PREVIEW_VIDEO = "[Video]"

# --- to editors ------------------------------------------------------------------------------
PUBLISHED_EDITORS = "✅ Đã đăng trên Trang Zalo OA “{oa}”: {code} “{title}”\n{link}"
PUBLISHED_DRY_RUN = (
    "🧪 Chạy thử (chưa kết nối Trang Zalo OA): {code} “{title}” đã được dựng thành bản xem "
    "trước tại {path}"
)
PUBLISHED_SUBMITTER = (
    "Tin, bài “{title}” (mã tiếp nhận {code}) của đơn vị đã được đăng trên Trang Zalo OA "
    "“{oa}”. Đường liên kết: {link}"
)
PUBLISH_FAILED = (
    "❌ Không đăng được tin, bài {code} “{title}” lên Trang Zalo OA.\nLý do: {reason}\n"
    "Sau khi xử lý, bấm «Thử lại» trong nhóm Telegram của biên tập viên."
)
BROADCAST_UNKNOWN = (
    "⚠️ Tin, bài {code} “{title}” đã đăng, nhưng không rõ việc gửi tin tới người quan tâm có "
    "thành công không. Tin sẽ không được tự gửi lại để tránh gửi hai lần. Đề nghị kiểm tra "
    "trong trang quản lý Trang Zalo OA; nếu chưa gửi, bấm «Thử lại» trong nhóm Telegram của "
    "biên tập viên."
)
BROADCAST_FAILED = (
    "⚠️ Tin, bài đã đăng nhưng Zalo từ chối gửi tin tới người quan tâm (lỗi {code}: "
    "{message}). Sau khi xử lý, bấm «Thử lại» trong nhóm Telegram của biên tập viên."
)
RETRY_BUTTON = "🔁 Thử lại"
REASON_STILL_PROCESSING = "Zalo vẫn đang xử lý tin, bài sau 30 phút (lỗi -214)."
REASON_NEEDS_PERSON = "Zalo báo lỗi {code}: {message}. Cần người quản trị Trang Zalo OA kiểm tra."
REASON_REJECTED = "Zalo từ chối nội dung (lỗi {code}: {message})."
REASON_MEDIA = "Tệp đính kèm không dùng được: {message}"
REASON_UNEXPECTED = (
    "Lỗi không lường trước khi xử lý tin, bài ({error}). Các tin, bài khác vẫn được đăng; "
    "chi tiết trong nhật ký của dịch vụ."
)

# The one remedy is on the server (no button can do it): these name the command or the
# signed login link (publisher/login_link.py).
TOKEN_REFRESH_FAILED = (
    "🔑 Không làm mới được mã truy cập Trang Zalo OA ({reason}). Việc đăng tin, bài tạm dừng; "
    "các tin, bài đã duyệt vẫn nằm trong hàng chờ.\nQuản trị viên Trang Zalo OA cần cấp quyền "
    "lại: {login}."
)
TOKEN_REFRESH_UNKNOWN = (
    "⚠️ Không rõ kết quả lần làm mới mã truy cập Trang Zalo OA ({reason}): Zalo có thể đã đổi "
    "mã nhưng câu trả lời bị mất, khi đó mã cũ không còn dùng được. Các tin, bài đã duyệt vẫn "
    "nằm trong hàng chờ, không tin, bài nào bị đăng hai lần; việc làm mới sẽ được thử lại sau "
    "ít phút.\nNếu việc đăng tin, bài không tiếp tục, quản trị viên Trang Zalo OA cần cấp quyền "
    "lại: {login}."
)
TOKEN_MISSING = (
    "🔑 Chưa được cấp quyền đăng tin, bài lên Trang Zalo OA nên các tin, bài đã duyệt đang "
    "chờ. Quản trị viên Trang Zalo OA cần cấp quyền, trên máy chủ: python main.py zalo login"
)
TOKEN_AGEING = (
    "🔑 Mã làm mới quyền truy cập Trang Zalo OA đã dùng được {days} ngày và sẽ hết hạn khoảng "
    "ngày {expires}. Nếu không làm mới được trước đó, quản trị viên cần cấp quyền lại, trên "
    "máy chủ: python main.py zalo login"
)
TOKEN_ALERT_SUBJECT = "Cần cấp quyền lại cho Trang Zalo OA"
PUBLISHED_SUBJECT = "[{code}] Tin, bài đã được đăng trên Trang Zalo OA “{oa}”"
PUBLISHED_SUBMITTER_SUBJECT = PUBLISHED_SUBJECT
FAILED_SUBJECT = "[{code}] Không đăng được tin, bài lên Trang Zalo OA “{oa}”"

# --- QR poster -------------------------------------------------------------------------------
QR_CAPTION = "Quét mã để quan tâm {name}"

# --- login, callback, retry (CLI and web pages) ---------------------------------------------
LOGIN_NEEDS_CALLBACK = (
    "Cần NEWSDESK_ZALO__REDIRECT_URI (địa chỉ callback đã đăng ký với Zalo) "
    "hoặc NEWSDESK_WEB__PUBLIC_BASE_URL."
)
LOGIN_NONE_PENDING = "Chưa có lượt cấp quyền nào đang chờ: chạy `python main.py zalo login`."
LOGIN_EXPIRED = "Lượt cấp quyền đã quá hạn: chạy lại `python main.py zalo login`."
LOGIN_STATE_MISSING = "Thiếu mã trạng thái (state): chạy lại `python main.py zalo login`."
LOGIN_STATE_MISMATCH = "Mã trạng thái (state) không khớp: chạy lại `python main.py zalo login`."
CALLBACK_NO_CODE = "Thiếu mã cấp quyền (code)."
CALLBACK_FAILED = "Không kết nối được Zalo OA: {error}"
LOGIN_LINK_INVALID = (
    "Liên kết cấp quyền không hợp lệ hoặc đã hết hạn: chạy `python main.py zalo login`."
)
CALLBACK_OK = "Đã kết nối Zalo OA. Có thể đóng trang này."
RETRY_UNKNOWN = "không có lượt đăng {publication_id}"
RETRY_WRONG_STATE = "lượt đăng {publication_id} đang ở trạng thái «{status}»"
RETRY_RACED = "lượt đăng {publication_id} vừa được thay đổi, hãy thử lại"
FILE_MISSING = "{filename}: không còn trong kho tệp ({error})"
DRY_RUN_NOTE = "Bản xem trước (chạy thử, chưa gửi tới Zalo)"
