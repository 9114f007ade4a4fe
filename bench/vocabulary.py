"""The generator's small world: province weights, names, and the sentences tickets are made of.

Everything here is text that officials write to the TTHC support desk. The generator folds each
piece once (helpdesk.text.fold) and reuses it, so that a million tickets stay cheap.
"""

from __future__ import annotations

# Population in millions after the 2025 merger into 34 provinces (rounded public figures):
# tickets, requesters and communes are spread by these weights.
PROVINCE_POPULATION = {
    "01": 8.7,
    "04": 0.57,
    "08": 1.87,
    "11": 0.64,
    "12": 0.49,
    "14": 1.3,
    "15": 1.78,
    "19": 1.8,
    "20": 0.8,
    "22": 1.4,
    "24": 3.6,
    "25": 4.0,
    "31": 4.7,
    "33": 3.6,
    "37": 4.4,
    "38": 4.3,
    "40": 3.8,
    "42": 1.6,
    "44": 1.9,
    "46": 1.4,
    "48": 3.1,
    "51": 2.2,
    "52": 3.6,
    "56": 2.2,
    "66": 3.3,
    "68": 3.9,
    "75": 4.5,
    "79": 14.0,
    "80": 3.3,
    "82": 4.4,
    "86": 4.3,
    "91": 4.95,
    "92": 4.2,
    "96": 2.6,
}
COMMUNES = 3321  # communes, wards and special zones after the 2025 reform

# Which ministry's system a ticket is about: the Ministry of Justice's and the Ministry of
# Home Affairs' systems carry most of the load; the others share the rest.
SYSTEM_WEIGHTS = {
    "moj": 34,
    "moha": 22,
    "mps": 8,
    "mof": 6,
    "moh": 5,
    "moet": 5,
    "mae": 4,
    "moit": 3,
    "moc": 3,
    "mocst": 2,
    "mst": 2,
    "sbv": 2,
    "mera": 2,
    "mofa": 1,
    "mod": 1,
}
CATEGORY_WEIGHTS = {
    "payment": 20,
    "account": 18,
    "permission": 11,
    "process": 10,
    "dossier": 9,
    "catalogue": 4,
    "portal_sync": 5,
    "doc_integration": 3,
    "sms": 4,
    "e_receipt": 5,
    "postal": 2,
    "report": 3,
    "training": 1,
    "system_error": 3,
    "other": 2,
}
PRIORITY_WEIGHTS = {1: 3, 2: 15, 3: 70, 4: 12}

COMMUNE_STEMS = (
    "Tân Phú",
    "Hòa Bình",
    "An Nhơn",
    "Phú Lộc",
    "Thanh Xuân",
    "Long Hưng",
    "Bình An",
    "Tân Thành",
    "Vĩnh Phúc",
    "Đông Hòa",
    "Quang Trung",
    "Hưng Đạo",
    "Nam Sơn",
    "Bắc Sơn",
    "Hồng Phong",
    "Đức Thắng",
    "Tiên Lữ",
    "Yên Lạc",
    "Cẩm Phả",
    "Minh Khai",
    "Xuân Trường",
    "Phước Long",
    "Lộc Ninh",
    "Cát Tiên",
    "Hải Châu",
    "Sơn Trà",
    "Ninh Hòa",
    "Diên Khánh",
    "Trà Ôn",
    "Mỹ Tho",
    "Châu Thành",
    "Cái Bè",
    "Đầm Dơi",
    "Năm Căn",
    "Mường Lát",
    "Quỳ Hợp",
)
COMMUNE_KINDS = ("Xã", "Xã", "Xã", "Phường", "Phường")

FAMILY_NAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
)
MIDDLE_NAMES = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Anh")
GIVEN_NAMES = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Ngân",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vân",
    "Việt",
    "Yến",
)

# Subjects by category; descriptions are two or three sentences drawn from the same category.
SUBJECTS = {
    "payment": (
        "Thanh toán trực tuyến thành công nhưng tiền chưa về tài khoản",
        "Đối chiếu giao dịch thanh toán phí, lệ phí",
        "Cập nhật tài khoản thụ hưởng của đơn vị",
        "Người dân đã thanh toán nhưng hồ sơ báo chưa nộp phí",
    ),
    "account": (
        "Chưa được cấp tài khoản cho cán bộ một cửa",
        "Không đăng nhập được bằng tài khoản VNeID",
        "Thiếu tài khoản người dùng của đơn vị",
        "Sai số Căn cước trong thông tin tài khoản",
    ),
    "permission": (
        "Tài khoản thiếu quyền cấu hình quy trình",
        "Đề nghị phân quyền quản trị cho Trung tâm Phục vụ hành chính công",
        "Tài khoản tiếp nhận chưa được cấu hình",
    ),
    "process": (
        "Đề nghị điều chỉnh quy trình điện tử",
        "Quy trình điện tử chưa khớp thẩm quyền của xã",
        "Cấu hình quy trình giải quyết thủ tục chứng thực",
    ),
    "dossier": (
        "Hồ sơ quá hạn không chuyển được bước xử lý",
        "Hồ sơ bị treo ở bước tiếp nhận",
        "Không trả được kết quả hồ sơ cho công dân",
    ),
    "catalogue": ("Thủ tục hành chính chưa được công bố trên Hệ thống",),
    "portal_sync": (
        "Hồ sơ không đồng bộ lên Cổng Dịch vụ công quốc gia",
        "Trạng thái hồ sơ trên Cổng khác trên Hệ thống",
    ),
    "doc_integration": ("Lỗi liên thông văn bản với hệ thống quản lý văn bản",),
    "sms": ("Tin nhắn SMS brandname không gửi được cho công dân", "Hết hạn mức SMS brandname"),
    "e_receipt": ("Không xuất được biên lai điện tử", "Biên lai điện tử sai thông tin người nộp"),
    "postal": ("Không tạo được vận đơn bưu chính công ích",),
    "report": ("Số liệu báo cáo thống kê không khớp",),
    "training": ("Đề nghị hướng dẫn sử dụng phân hệ một cửa",),
    "system_error": ("Hệ thống báo lỗi khi ký số hồ sơ", "Trang xử lý hồ sơ tải rất chậm"),
    "other": ("Góp ý về giao diện Hệ thống",),
}

SENTENCES = {
    "payment": (
        "Công dân đã thanh toán trực tuyến thành công qua cổng thanh toán nhưng tiền chưa về "
        "tài khoản thụ hưởng của đơn vị.",
        "Đề nghị kiểm tra và đối chiếu giao dịch thanh toán lệ phí.",
        "Ngân hàng xác nhận đã trừ tiền trong tài khoản của người dân.",
        "Tài khoản thu phí, lệ phí của đơn vị đã khai báo đúng trên Hệ thống.",
    ),
    "account": (
        "Đơn vị chưa được cấp tài khoản cho cán bộ, công chức mới.",
        "Danh sách người dùng của đơn vị chưa đầy đủ.",
        "Cán bộ không đăng nhập được, Hệ thống báo sai mật khẩu.",
        "Thông tin đơn vị công tác trong tài khoản bị sai.",
    ),
    "permission": (
        "Tài khoản đã được cấp nhưng chỉ xem được báo cáo.",
        "Đề nghị bổ sung quyền quản trị tài khoản người dùng.",
        "Cán bộ tiếp nhận chưa có quyền chuyển hồ sơ.",
    ),
    "process": (
        "Quy trình điện tử chưa khớp quy trình nghiệp vụ của địa phương.",
        "Đề nghị điều chỉnh bước xử lý và người xử lý.",
        "Thời hạn giải quyết trên quy trình khác với quy định.",
    ),
    "dossier": (
        "Hồ sơ đã quá hạn nhưng không chuyển được sang bước tiếp theo.",
        "Mã hồ sơ bị trùng khi tiếp nhận.",
        "Công dân phản ánh chưa nhận được kết quả giải quyết.",
    ),
}
GENERIC_SENTENCES = (
    "Kính đề nghị bộ phận hỗ trợ kiểm tra, xử lý giúp đơn vị.",
    "Đơn vị đã thử lại nhiều lần nhưng vẫn không được.",
    "Ảnh chụp màn hình lỗi đã gửi kèm.",
    "Sự việc phát sinh từ sáng nay tại bộ phận một cửa.",
    "Hệ thống báo lỗi kết nối khi gửi hồ sơ.",
)

REPLIES_AGENT = (
    "Chúng tôi đã tiếp nhận yêu cầu và đang kiểm tra.",
    "Đề nghị đơn vị cung cấp mã hồ sơ và ảnh chụp màn hình lỗi.",
    "Bộ phận kỹ thuật đã xử lý xong, đề nghị đơn vị kiểm tra lại.",
    "Giao dịch đã được đối chiếu, tiền sẽ về tài khoản thụ hưởng trong ngày làm việc tiếp theo.",
    "Tài khoản đã được cấp, mật khẩu gửi qua thư điện tử.",
    "Quy trình điện tử đã được điều chỉnh theo đề nghị.",
)
REPLIES_REQUESTER = (
    "Đơn vị đã kiểm tra lại nhưng vẫn chưa được.",
    "Xin gửi bổ sung mã hồ sơ và ảnh chụp màn hình.",
    "Cảm ơn, đơn vị đã kiểm tra và thấy đã được xử lý.",
    "Đề nghị xử lý sớm vì công dân đang chờ kết quả.",
)
RESOLUTIONS = (
    "Đã cấp lại quyền cho tài khoản; đơn vị đăng nhập lại để kiểm tra.",
    "Giao dịch đã được đối soát, tiền đã về tài khoản thụ hưởng.",
    "Quy trình điện tử đã được cấu hình lại theo đề nghị của đơn vị.",
    "Lỗi kết nối đã được nhà cung cấp khắc phục; hồ sơ đã gửi được.",
    "Đã hướng dẫn đơn vị thao tác đúng trên hệ thống.",
)
INTERNAL_NOTES = (
    "Đã chuyển nhà cung cấp kiểm tra nhật ký giao dịch.",
    "Chờ phản hồi của ngân hàng về giao dịch.",
    "Lỗi do cấu hình quy trình, đã báo nhóm triển khai.",
)
