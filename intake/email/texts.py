"""Every Vietnamese text the e-mail intake sends or shows (one place, correct diacritics)."""

from __future__ import annotations

# Every mail is official mail: {salutation} (the registered officer by name, else
# "Kính gửi Quý cơ quan, đơn vị,") and {sign_off} (the OA and the Department, from settings).
RECEIPT_SUBJECT = "[{code}] Đã tiếp nhận tin, bài “{title}”"
RECEIPT_BODY = """{salutation}

Ban Biên tập đã tiếp nhận sản phẩm truyền thông chính sách của {unit}.

Mã tiếp nhận: {code}
Tiêu đề: {title}
Loại sản phẩm: {kind}
Số tệp đính kèm: {attachments}

Tin, bài đang chờ biên tập viên duyệt. Đơn vị sẽ nhận được thông báo khi có kết quả
(duyệt, đề nghị chỉnh sửa hoặc không được duyệt). Khi cần trao đổi về tin, bài này, đề nghị
trả lời thư này (giữ nguyên tiêu đề) hoặc ghi rõ mã {code}.

{sign_off}
"""

UNKNOWN_SENDER_SUBJECT = "Chưa xác định được đơn vị gửi thư “{title}”"
UNKNOWN_SENDER_BODY = """Kính gửi Quý cơ quan, đơn vị,

Ban Biên tập đã nhận được thư “{title}” từ địa chỉ {address}. Địa chỉ thư điện tử này
chưa được đăng ký là địa chỉ của cán bộ đầu mối truyền thông của đơn vị nào, nên thư đã
được chuyển cho biên tập viên kiểm tra trước khi tiếp nhận.

Để các lần gửi sau được tiếp nhận ngay, đề nghị đơn vị đăng ký địa chỉ thư này (họ tên,
chức vụ, đơn vị công tác của cán bộ đầu mối) với Ban Biên tập, hoặc gửi từ địa chỉ thư
đã đăng ký của đơn vị. Mỗi địa chỉ chỉ nhận thông báo này một lần trong {hours} giờ.

{sign_off}
"""

TOO_LARGE_SUBJECT = "Thư vượt quá dung lượng cho phép: “{title}”"
TOO_LARGE_BODY = """{salutation}

Thư “{title}” có dung lượng {size_mb} MB, vượt quá mức tối đa {limit_mb} MB, nên chưa
được đưa vào danh sách chờ duyệt. Ban Biên tập đã lưu lại thông tin về thư này.

Đề nghị đơn vị gửi lại theo một trong các cách sau:
- nén hoặc giảm kích thước ảnh, video trước khi đính kèm;
- chia thành nhiều thư, mỗi thư dưới {limit_mb} MB;
- tải tệp lớn (video) lên Google Drive hoặc dịch vụ lưu trữ của đơn vị và gửi đường liên kết.

{sign_off}
"""

TYPE_NOT_ALLOWED_SUBJECT = "Tệp đính kèm không được tiếp nhận: “{title}”"
TYPE_NOT_ALLOWED_BODY = """{salutation}

Thư “{title}” có tệp đính kèm thuộc định dạng không được tiếp nhận:
{files}

Các tệp này không được đưa vào tin, bài (thư gốc vẫn được lưu để biên tập viên kiểm tra);
phần còn lại của thư vẫn được tiếp nhận. Định dạng được tiếp nhận: {allowed}.
Đề nghị đơn vị chuyển tệp sang một trong các định dạng trên nếu cần đăng tải.

{sign_off}
"""

# To the editors when a file in the drop folder is not an e-mail at all.
NOT_MAIL_SUBJECT = "Tệp không phải thư điện tử trong thư mục nhận thư: {name}"
NOT_MAIL_BODY = (
    "Tệp “{name}” ({size} byte) trong thư mục nhận thư không phải thư điện tử ({reason}), "
    "nên không được tiếp nhận. Tệp được giữ nguyên trong thư mục rejected/ để kiểm tra; "
    "nếu đây là tin, bài của đơn vị, đề nghị lưu lại thư gốc dưới dạng .eml rồi đặt vào "
    "thư mục nhận thư."
)
