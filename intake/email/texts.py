"""Every Vietnamese text the e-mail intake sends or shows (one place, correct diacritics)."""

from __future__ import annotations

RECEIPT_SUBJECT = "Đã nhận: {title}"
RECEIPT_BODY = """Kính gửi {name},

Ban Biên tập đã nhận được sản phẩm truyền thông của đơn vị {unit}.

Mã tiếp nhận: {code}
Tiêu đề: {title}
Loại sản phẩm: {kind}
Số tệp đính kèm: {attachments}

Sản phẩm đang chờ biên tập viên xem xét. Đơn vị sẽ nhận được thông báo khi có kết quả
(duyệt, yêu cầu chỉnh sửa hoặc không duyệt). Khi cần trao đổi về sản phẩm này, vui lòng
trả lời thư này hoặc ghi rõ mã {code}.

Trân trọng,
Ban Biên tập
(Thư này được gửi tự động, vui lòng không thay đổi tiêu đề khi trả lời.)
"""

UNKNOWN_SENDER_SUBJECT = "Chưa xác định được đơn vị gửi: {title}"
UNKNOWN_SENDER_BODY = """Kính gửi Quý cơ quan, đơn vị,

Ban Biên tập đã nhận được thư "{title}" từ địa chỉ {address}. Địa chỉ thư điện tử này
chưa được đăng ký là đầu mối truyền thông chính sách của đơn vị nào, nên thư đã được
chuyển cho biên tập viên kiểm tra trước khi tiếp nhận.

Để các lần gửi sau được tiếp nhận ngay, đề nghị đơn vị đăng ký địa chỉ thư này (họ tên,
chức vụ, đơn vị công tác của cán bộ đầu mối) với Ban Biên tập, hoặc gửi từ địa chỉ thư
đã đăng ký của đơn vị.

Trân trọng,
Ban Biên tập
(Thư này được gửi tự động; mỗi địa chỉ chỉ nhận thông báo này một lần trong {hours} giờ.)
"""

TOO_LARGE_SUBJECT = "Thư quá dung lượng cho phép: {title}"
TOO_LARGE_BODY = """Kính gửi {name},

Thư "{title}" có dung lượng {size_mb} MB, vượt quá mức tối đa {limit_mb} MB mà hệ thống
tiếp nhận được, nên chưa được đưa vào danh sách chờ duyệt. Ban Biên tập đã lưu lại thông
tin về thư này.

Đề nghị đơn vị gửi lại theo một trong các cách sau:
- nén hoặc giảm kích thước ảnh, video trước khi đính kèm;
- chia thành nhiều thư, mỗi thư dưới {limit_mb} MB;
- tải tệp lớn (video) lên Google Drive hoặc dịch vụ lưu trữ của đơn vị và gửi đường liên kết.

Trân trọng,
Ban Biên tập
(Thư này được gửi tự động.)
"""

TYPE_NOT_ALLOWED_SUBJECT = "Tệp đính kèm không được chấp nhận: {title}"
TYPE_NOT_ALLOWED_BODY = """Kính gửi {name},

Thư "{title}" có tệp đính kèm thuộc định dạng hệ thống không tiếp nhận:
{files}

Các tệp này đã được giữ lại để biên tập viên kiểm tra, phần còn lại của thư vẫn được tiếp
nhận. Định dạng được chấp nhận: {allowed}.
Đề nghị đơn vị chuyển tệp sang một trong các định dạng trên nếu cần đăng tải.

Trân trọng,
Ban Biên tập
(Thư này được gửi tự động.)
"""

KIND_LABELS = {
    "news": "Tin",
    "article": "Bài viết",
    "image": "Ảnh",
    "poster": "Áp phích / infographic",
    "video": "Video",
    "other": "Khác",
}

DEFAULT_NAME = "Quý cơ quan, đơn vị"
NO_TITLE = "(không có tiêu đề)"

# To the editors when a file in the drop folder is not an e-mail at all.
NOT_MAIL_SUBJECT = "Tệp không phải thư điện tử trong thư mục nhận thư: {name}"
NOT_MAIL_BODY = (
    "Tệp “{name}” ({size} byte) trong thư mục nhận thư không phải thư điện tử ({reason}), "
    "nên không được tiếp nhận. Tệp được giữ nguyên trong thư mục rejected/ để kiểm tra; "
    "nếu đây là tin, bài của đơn vị, đề nghị lưu lại thư gốc dưới dạng .eml rồi đặt vào "
    "thư mục nhận thư."
)
