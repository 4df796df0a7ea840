import { defineMessages } from "../define";

export default defineMessages({
  vi: {
    "ballots.meta.entry": "Nhập mã phiếu — Phiếu",
    "ballots.meta.ballot": "Phiếu của bạn — Phiếu",
    "ballots.entry.title": "Nhập mã phiếu",
    "ballots.entry.intro": "Nhập mã in dưới mã QR trên phiếu bạn nhận được.",
    "ballots.entry.label": "Mã phiếu",
    "ballots.entry.hint":
      "24 ký tự, in thành 6 nhóm, ví dụ 7BCF-GH2J-0K3M-NP4Q-RS5T-VX6Z. Chữ hoa hay chữ thường, có dấu cách, dấu gạch ngang hay không đều được; dấu tiếng Việt do bàn phím tự thêm sẽ được bỏ đi.",
    "ballots.entry.submit": "Mở phiếu",
    "ballots.code.required": "Vui lòng nhập mã in trên phiếu.",
    "ballots.code.malformed":
      "Mã gồm 24 ký tự, chia thành 6 nhóm 4 ký tự (chỉ gồm chữ số và phụ âm). Vui lòng kiểm tra lại mã in trên phiếu.",
    "ballots.errors.summary": "Cần sửa trước khi tiếp tục",
    "ballots.errors.invalidChoice": "Lựa chọn cho người này không hợp lệ. Vui lòng chọn lại.",
    "ballots.errors.tampered": "Phiếu gửi lên không đúng mẫu nên chưa được ghi nhận. Vui lòng chọn lại rồi gửi lại.",
    "ballots.kind.confidence_poll": "Lấy phiếu tín nhiệm",
    "ballots.kind.confidence_vote": "Bỏ phiếu tín nhiệm",
    "ballots.poll.place": "Địa điểm: {place}",
    "ballots.poll.unit": "Đơn vị tổ chức: {unit}",
    "ballots.level.high_confidence": "Tín nhiệm cao",
    "ballots.level.confidence": "Tín nhiệm",
    "ballots.level.low_confidence": "Tín nhiệm thấp",
    "ballots.level.no_confidence": "Không tín nhiệm",
    "ballots.level.blank": "Để trống",
    "ballots.step.choose": "Bước 1 trên 2: chọn",
    "ballots.step.review": "Bước 2 trên 2: xem lại và gửi",
    "ballots.ballot.title": "Phiếu của bạn",
    "ballots.ballot.intro": "Với mỗi người dưới đây, chọn một mức. Bạn sẽ được xem lại các lựa chọn trước khi gửi.",
    "ballots.ballot.secret": "Phiếu kín: phiếu đã gửi không gắn với mã, điện thoại hay tên của bạn.",
    "ballots.ballot.review": "Xem lại",
    "ballots.subject.position": "{title}, {unit}",
    "ballots.review.title": "Xem lại phiếu của bạn",
    "ballots.review.intro":
      "Phiếu chưa được gửi. Kiểm tra các lựa chọn dưới đây rồi bấm “Gửi phiếu”; đã gửi thì không sửa được nữa.",
    "ballots.review.blank": "Để trống: phiếu không hợp lệ đối với người này, như phiếu giấy.",
    "ballots.review.blankSummary":
      "Bạn đang để trống {count} người. Nếu gửi như vậy, phiếu không hợp lệ đối với những người này, như phiếu giấy. Bấm “Sửa lại” nếu muốn chọn.",
    "ballots.review.edit": "Sửa lại",
    "ballots.review.cast": "Gửi phiếu",
    "ballots.review.sending": "Đang gửi phiếu…",
    "ballots.recorded.title": "Phiếu của bạn đã được ghi nhận và sẽ được kiểm",
    "ballots.recorded.titleCounted": "Phiếu của bạn đã được ghi nhận và đã được kiểm",
    "ballots.recorded.receipt": "Mã biên nhận",
    "ballots.recorded.explain":
      "Mã biên nhận chứng minh phiếu của bạn đã được nhận vào hòm phiếu và được kiểm, nhưng không cho biết bạn đã chọn gì.",
    "ballots.recorded.board":
      "Sau khi kiểm phiếu, mã biên nhận được công bố trên bảng công khai của cuộc lấy phiếu để bạn tự kiểm tra.",
    "ballots.recorded.boardLink": "Kiểm tra biên nhận của bạn trên bảng công khai",
    "ballots.recorded.keep":
      "Hãy ghi lại hoặc chụp màn hình mã này. Mở lại mã QR trên phiếu bất cứ lúc nào để xem lại trang này.",
    "ballots.contact":
      "Nếu có thắc mắc hoặc khiếu nại (chẳng hạn bạn chưa gửi phiếu mà mã đã được dùng), xin liên hệ Ủy ban Mặt trận Tổ quốc Việt Nam {ward}, nơi tổ chức lấy phiếu: {place}.",
    "ballots.unknown.title": "Không tìm thấy mã phiếu này",
    "ballots.unknown.body": "Mã không đúng hoặc không có trong cuộc lấy phiếu nào. Hãy kiểm tra lại mã in trên phiếu.",
    "ballots.unknown.retry": "Nhập lại mã",
    "ballots.voided.title": "Mã phiếu này đã bị hủy",
    "ballots.voided.body":
      "Ban tổ chức đã hủy mã này nên không thể dùng để bỏ phiếu. Không có phiếu nào được ghi nhận bằng mã này.",
    "ballots.notOpen.title": "Cuộc lấy phiếu chưa bắt đầu",
    "ballots.notOpen.scheduled": "Dự kiến bắt đầu nhận phiếu lúc {time}. Hãy giữ phiếu và mở lại mã QR khi đó.",
    "ballots.notOpen.unscheduled":
      "Ban tổ chức sẽ thông báo khi bắt đầu nhận phiếu. Hãy giữ phiếu và mở lại mã QR khi đó.",
    "ballots.closed.title": "Cuộc lấy phiếu đã kết thúc",
    "ballots.closed.body":
      "Việc nhận phiếu đã dừng nên không thể gửi phiếu được nữa. Không có phiếu nào được ghi nhận bằng mã này.",
  },
  en: {
    "ballots.meta.entry": "Enter your ballot code — Phiếu",
    "ballots.meta.ballot": "Your ballot — Phiếu",
    "ballots.entry.title": "Enter your ballot code",
    "ballots.entry.intro": "Type the code printed under the QR code on the slip you were given.",
    "ballots.entry.label": "Ballot code",
    "ballots.entry.hint":
      "24 characters, printed in 6 groups, for example 7BCF-GH2J-0K3M-NP4Q-RS5T-VX6Z. Upper or lower case, with or without spaces and hyphens; Vietnamese accents added by the keyboard are removed.",
    "ballots.entry.submit": "Open ballot",
    "ballots.code.required": "Please type the code printed on your slip.",
    "ballots.code.malformed":
      "A code has 24 characters in 6 groups of 4 (digits and consonants only). Please check the code printed on your slip.",
    "ballots.errors.summary": "Please fix this before you go on",
    "ballots.errors.invalidChoice": "The choice for this person is not valid. Please choose again.",
    "ballots.errors.tampered":
      "The ballot sent was not in the expected form, so it was not recorded. Please choose again and send it.",
    "ballots.kind.confidence_poll": "Confidence poll",
    "ballots.kind.confidence_vote": "Confidence vote",
    "ballots.poll.place": "Place: {place}",
    "ballots.poll.unit": "Run by: {unit}",
    "ballots.level.high_confidence": "High confidence",
    "ballots.level.confidence": "Confidence",
    "ballots.level.low_confidence": "Low confidence",
    "ballots.level.no_confidence": "No confidence",
    "ballots.level.blank": "Left blank",
    "ballots.step.choose": "Step 1 of 2: choose",
    "ballots.step.review": "Step 2 of 2: review and send",
    "ballots.ballot.title": "Your ballot",
    "ballots.ballot.intro": "For each person below, choose one level. You will see your choices again before sending.",
    "ballots.ballot.secret": "Secret ballot: a ballot sent is tied to neither your code, your phone nor your name.",
    "ballots.ballot.review": "Review",
    "ballots.subject.position": "{title}, {unit}",
    "ballots.review.title": "Review your ballot",
    "ballots.review.intro":
      "Your ballot has not been sent yet. Check your choices below, then press “Send ballot”; once sent it cannot be changed.",
    "ballots.review.blank": "Left blank: the ballot is invalid for this person, as on paper.",
    "ballots.review.blankSummary":
      "You are leaving {count} people blank. Sent like this, the ballot is invalid for them, as on paper. Press “Change” if you want to choose.",
    "ballots.review.edit": "Change",
    "ballots.review.cast": "Send ballot",
    "ballots.review.sending": "Sending your ballot…",
    "ballots.recorded.title": "Your ballot has been recorded and will be counted",
    "ballots.recorded.titleCounted": "Your ballot has been recorded and has been counted",
    "ballots.recorded.receipt": "Receipt code",
    "ballots.recorded.explain":
      "The receipt code proves that your ballot was accepted into the ballot box and counted, but it does not reveal your choices.",
    "ballots.recorded.board":
      "After the count, the receipt code appears on the poll's public board, where you can check it yourself.",
    "ballots.recorded.boardLink": "Check your receipt on the public board",
    "ballots.recorded.keep":
      "Write this code down or take a screenshot. Open the QR code on your slip at any time to see this page again.",
    "ballots.contact":
      "For questions or complaints (for instance if your code was used before you voted), contact the Vietnam Fatherland Front committee of {ward}, where the poll is held: {place}.",
    "ballots.unknown.title": "This ballot code was not found",
    "ballots.unknown.body": "The code is wrong or belongs to no poll. Please check the code printed on your slip.",
    "ballots.unknown.retry": "Type the code again",
    "ballots.voided.title": "This ballot code has been cancelled",
    "ballots.voided.body":
      "The organizers cancelled this code, so it cannot be used to vote. No ballot has been recorded with it.",
    "ballots.notOpen.title": "The poll has not started yet",
    "ballots.notOpen.scheduled": "Ballots are expected from {time}. Keep your slip and open its QR code again then.",
    "ballots.notOpen.unscheduled":
      "The organizers will announce when ballots open. Keep your slip and open its QR code again then.",
    "ballots.closed.title": "The poll has ended",
    "ballots.closed.body":
      "Ballots are no longer accepted, so no ballot can be sent. No ballot has been recorded with this code.",
  },
});
