"""User-facing Vietnamese texts of the publisher (articles, editor alerts, notices)."""

from __future__ import annotations

# A publication's status as the CLI shows it (publisher.publications.PubStatus values).
PUB_STATUS_LABELS = {
    "queued": "Chờ đăng",
    "creating": "Đang tạo bài",
    "created": "Đã tạo bài, chờ xác nhận",
    "verified": "Đã xác nhận bài",
    "broadcasting": "Đang gửi tin tới người quan tâm",
    "broadcast": "Đã gửi tin tới người quan tâm",
    "published": "Đã đăng",
    "failed": "Đăng không thành công",
    "removed": "Đã gỡ",
}

# --- inside articles -------------------------------------------------------------------------
CREDIT = "Nguồn: {unit}"
VIDEO_LINK = "Xem video {name}: {url}"
PREVIEW_IMAGE = "🖼 [Ảnh {name}] {caption}"
PREVIEW_COVER = "🖼 Ảnh bìa: {name}"
PREVIEW_VIDEO = "[Video]"

# --- to editors ------------------------------------------------------------------------------
PUBLISHED_EDITORS = "✅ Đã đăng lên Zalo OA: {code} «{title}»\n{link}"
PUBLISHED_DRY_RUN = (
    "🧪 Chạy thử (chưa có thông tin Zalo): {code} «{title}» đã được dựng thành bài xem trước "
    "tại {path}"
)
PUBLISHED_SUBMITTER = "Bài «{title}» (mã {code}) của đơn vị đã được đăng trên Zalo OA: {link}"
PUBLISH_FAILED = (
    "❌ Không đăng được bài {code} «{title}» lên Zalo OA.\nLý do: {reason}\n"
    "Sau khi xử lý, bấm «Thử lại» hoặc chạy: python main.py publish retry {publication_id}"
)
BROADCAST_UNKNOWN = (
    "⚠️ Bài {code} «{title}» đã đăng, nhưng không rõ lệnh gửi tới người quan tâm (broadcast) "
    "có thành công không. Hệ thống sẽ không tự gửi lại để tránh gửi hai lần. Kiểm tra trong "
    "trang quản lý OA; nếu chưa gửi, chạy: python main.py publish retry {publication_id}"
)
BROADCAST_FAILED = (
    "⚠️ Bài đã đăng nhưng Zalo từ chối gửi tới người quan tâm (lỗi {code}: {message}). "
    "Sau khi xử lý, bấm «Thử lại» hoặc chạy: python main.py publish retry {publication_id}"
)
RETRY_BUTTON = "🔁 Thử lại"
REASON_STILL_PROCESSING = "Zalo vẫn đang xử lý bài sau 30 phút (lỗi -214)."
REASON_NEEDS_PERSON = "Zalo báo lỗi {code}: {message}. Cần người quản trị OA kiểm tra."
REASON_REJECTED = "Zalo từ chối nội dung (lỗi {code}: {message})."
REASON_MEDIA = "Tệp đính kèm không dùng được: {message}"
REASON_UNEXPECTED = (
    "Lỗi không lường trước khi xử lý bài ({error}). Các bài khác vẫn được đăng; "
    "chi tiết trong nhật ký của dịch vụ."
)

TOKEN_REFRESH_FAILED = (
    "🔑 Không làm mới được mã truy cập Zalo OA ({reason}). Việc đăng bài tạm dừng; các bài đã "
    "duyệt vẫn nằm trong hàng chờ.\nQuản trị viên OA cần cấp quyền lại: {login}."
)
TOKEN_REFRESH_UNKNOWN = (
    "⚠️ Không rõ kết quả lần làm mới mã truy cập Zalo OA ({reason}): Zalo có thể đã đổi mã "
    "nhưng câu trả lời bị mất, khi đó mã cũ không còn dùng được. Các bài đã duyệt vẫn nằm "
    "trong hàng chờ, không bài nào bị đăng hai lần; hệ thống sẽ thử lại sau ít phút.\n"
    "Nếu việc đăng bài không tiếp tục, quản trị viên OA cần cấp quyền lại: {login}."
)
TOKEN_MISSING = (
    "🔑 Hệ thống chưa được cấp quyền đăng bài lên Zalo OA nên các bài đã duyệt đang chờ. "
    "Quản trị viên OA chạy `python main.py zalo login` và làm theo hướng dẫn."
)
TOKEN_AGEING = (
    "🔑 Mã làm mới (refresh token) của Zalo OA đã dùng được {days} ngày và sẽ hết hạn khoảng "
    "ngày {expires}. Nếu hệ thống không làm mới được trước đó, chạy `python main.py zalo login`."
)
TOKEN_ALERT_SUBJECT = "Cần cấp quyền lại cho Trang Zalo OA"
PUBLISHED_SUBJECT = "[{code}] Tin, bài đã được đăng trên Trang Zalo OA"
FAILED_SUBJECT = "[{code}] Không đăng được tin, bài lên Trang Zalo OA"

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
RETRY_WRONG_STATE = "lượt đăng {publication_id} đang ở trạng thái {status}"
RETRY_RACED = "lượt đăng {publication_id} vừa được thay đổi, hãy thử lại"
FILE_MISSING = "{filename}: không còn trong kho tệp ({error})"
DRY_RUN_NOTE = "Bản xem trước (chạy thử, chưa gửi tới Zalo)"
