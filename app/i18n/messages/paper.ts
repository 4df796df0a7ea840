import { defineMessages } from "../define";

export default defineMessages({
  vi: {
    "paper.title": "Phiếu giấy",
    "paper.titleOf": "Phiếu giấy — {title}",
    "paper.link": "Phiếu giấy (đã nhập {entered}, đã xác nhận {confirmed})",
    "paper.hint":
      "Ban kiểm phiếu nhập kết quả kiểm phiếu giấy của từng tổ dân phố, hoặc của cả hội nghị nếu phiếu giấy được kiểm chung. Số liệu chỉ được tính vào kết quả khi một thành viên Ban kiểm phiếu khác, không phải người nhập, xác nhận.",
    "paper.meeting": "Cả hội nghị",
    "paper.meetingHint":
      "Nhập chung cho cả hội nghị khi phiếu giấy của các tổ được kiểm chung (khi đó không nhập theo từng tổ).",
    "paper.col.scope": "Tổ dân phố / hội nghị",
    "paper.col.summoned": "Triệu tập",
    "paper.col.present": "Có mặt",
    "paper.col.issued": "Phiếu phát ra",
    "paper.col.collected": "Phiếu thu về",
    "paper.col.valid": "Hợp lệ",
    "paper.col.invalid": "Không hợp lệ",
    "paper.col.status": "Trạng thái",
    "paper.status.none": "Chưa nhập",
    "paper.status.awaiting": "Chờ xác nhận (người nhập: {name})",
    "paper.status.confirmed": "Đã xác nhận (người nhập: {entered}; người xác nhận: {confirmed})",
    "paper.enter": "Nhập số liệu",
    "paper.open": "Xem, sửa, xác nhận",
    "paper.entryTitle": "Phiếu giấy — {scope}",
    "paper.section.meeting": "Hội nghị",
    "paper.section.ballots": "Phiếu giấy",
    "paper.section.subjects": "Kết quả theo từng người",
    "paper.subjectsHint":
      "Với mỗi người: số phiếu ở từng mức cộng số phiếu không hợp lệ đối với người đó (không đánh dấu hoặc đánh dấu nhiều hơn một mức) phải bằng số phiếu hợp lệ.",
    "paper.field.summoned": "Số người được triệu tập",
    "paper.field.present": "Số người có mặt",
    "paper.field.issued": "Số phiếu phát ra",
    "paper.field.collected": "Số phiếu thu về",
    "paper.field.valid": "Số phiếu hợp lệ",
    "paper.field.invalid": "Số phiếu không hợp lệ",
    "paper.field.subjectInvalid": "Không hợp lệ",
    "paper.field.subjectLevel": "{name}: {level}",
    "paper.save": "Lưu số liệu",
    "paper.saved": "Đã lưu số liệu. Số liệu cần một thành viên Ban kiểm phiếu khác xác nhận mới được tính.",
    "paper.confirmed": "Đã xác nhận số liệu phiếu giấy.",
    "paper.confirm.title": "Xác nhận của người thứ hai",
    "paper.confirm.hint":
      "Đối chiếu từng số trên trang này với biên bản kiểm phiếu giấy. Chỉ xác nhận khi mọi số đều khớp.",
    "paper.confirm.button": "Tôi đã đối chiếu, xác nhận số liệu",
    "paper.confirm.self":
      "Bạn là người nhập số liệu này nên không thể tự xác nhận: cần một thành viên Ban kiểm phiếu khác.",
    "paper.confirm.needsCounter": "Chỉ thành viên Ban kiểm phiếu mới xác nhận được số liệu phiếu giấy.",
    "paper.enteredBy": "Người nhập: {name}, lúc {time} (lần sửa thứ {version}).",
    "paper.confirmedBy": "Người xác nhận: {name}, lúc {time}.",
    "paper.notConfirmed": "Chưa được xác nhận: số liệu này chưa được tính vào kết quả.",
    "paper.locked": "Cuộc lấy phiếu đã công bố kết quả: số liệu phiếu giấy không sửa được nữa.",
    "paper.notYetOpen": "Cuộc lấy phiếu chưa mở: chưa nhập được phiếu giấy.",
    "paper.errors.range": "Nhập một số nguyên từ 0 đến 1.000.000.",
    "paper.errors.presentAboveSummoned":
      "Số người có mặt ({present}) không thể nhiều hơn số người được triệu tập ({summoned}).",
    "paper.errors.collectedAboveIssued":
      "Số phiếu thu về ({collected}) không thể nhiều hơn số phiếu phát ra ({issued}).",
    "paper.errors.validPlusInvalid":
      "Phiếu hợp lệ ({valid}) cộng phiếu không hợp lệ ({invalid}) là {sum}, phải bằng số phiếu thu về ({collected}).",
    "paper.errors.subjectSum":
      "Người thứ {index} ({name}): các mức cộng phiếu không hợp lệ là {sum}, phải bằng số phiếu hợp lệ ({valid}).",
    "paper.errors.wrongState":
      "Chỉ nhập hoặc xác nhận phiếu giấy khi cuộc lấy phiếu đang mở hoặc đã đóng và chưa công bố.",
    "paper.errors.scopeConflict":
      "Cuộc lấy phiếu này đã có số liệu nhập theo cách khác (theo từng tổ hoặc cho cả hội nghị). Không nhập cả hai cách, để một phiếu không bị tính hai lần.",
    "paper.errors.staleVersion":
      "Số liệu vừa được người khác nhập hoặc sửa. Trang đã hiện số liệu mới nhất: hãy kiểm tra lại trước khi lưu hoặc xác nhận.",
    "paper.errors.entryNotFound": "Chưa có số liệu để xác nhận.",
    "paper.errors.selfConfirm":
      "Bạn là người nhập số liệu này nên không thể tự xác nhận: cần một thành viên Ban kiểm phiếu khác.",
    "paper.errors.alreadyConfirmed": "Số liệu này đã được xác nhận.",
    "paper.errors.subjectsMismatch": "Danh sách người được lấy phiếu đã thay đổi. Hãy tải lại trang.",
    "paper.errors.fixBelow": "Có số liệu chưa đúng. Xem các ô được đánh dấu bên dưới.",

    "paper.warnings.title": "Cảnh báo đối chiếu",
    "paper.warnings.none": "Các số liệu đối chiếu khớp nhau: không có cảnh báo.",
    "paper.warnings.hint":
      "Chưa công bố được kết quả khi còn cảnh báo chưa xử lý. Sửa số liệu cho đúng, hoặc ghi rõ lý do chấp nhận cảnh báo; lý do được in trong biên bản kiểm phiếu.",
    "paper.warning.onlineOverHandedOut":
      "{unit}: số phiếu trực tuyến ({online}) nhiều hơn số phiếu QR đã phát ({handedOut}).",
    "paper.warning.onlineOverHandedOut.withheld":
      "{unit}: số phiếu trực tuyến nhiều hơn số phiếu QR đã phát ({handedOut}).",
    "paper.warning.overPresent":
      "{unit}: phiếu trực tuyến ({online}) cộng phiếu giấy ({paper}) nhiều hơn số người có mặt ({present}).",
    "paper.warning.overPresent.withheld":
      "{unit}: phiếu trực tuyến cộng phiếu giấy ({paper}) nhiều hơn số người có mặt ({present}).",
    "paper.warning.quorumNotMet":
      "{unit}: số người có mặt ({present}/{summoned}) không đủ tỷ lệ tối thiểu {quorum} số được triệu tập.",
    "paper.warning.paperUnconfirmed":
      "{unit}: số liệu phiếu giấy chưa được thành viên thứ hai xác nhận nên chưa được tính.",
    "paper.warnings.acknowledged": "Đã chấp nhận — lý do: {reason} ({by}, {time})",
    "paper.warnings.open": "Chưa xử lý",
    "paper.warnings.reason": "Lý do chấp nhận",
    "paper.warnings.acknowledge": "Ghi nhận lý do",
    "paper.warnings.reasonRequired": "Ghi rõ lý do chấp nhận cảnh báo này.",
    "paper.warnings.stale": "Cảnh báo đã thay đổi từ khi trang được mở. Hãy đọc lại rồi ghi lý do.",
    "paper.warnings.gone": "Cảnh báo này không còn nữa.",
    "paper.warnings.wrongState": "Chỉ ghi nhận cảnh báo khi cuộc lấy phiếu đã đóng, đã kiểm phiếu và chưa công bố.",
    "paper.warnings.saved": "Đã ghi nhận lý do. Kết quả đã thay đổi: các xác nhận trước đó cần được xác nhận lại.",
    "paper.warnings.blockPublish":
      "Còn {count} cảnh báo đối chiếu chưa xử lý: hãy sửa số liệu hoặc ghi lý do chấp nhận trước khi công bố.",

    "paper.results.channelsTitle": "Trực tuyến và phiếu giấy",
    "paper.results.channel.online": "Trực tuyến",
    "paper.results.channel.paper": "Phiếu giấy",
    "paper.results.channel.total": "Tổng",
    "paper.results.channelOf": "{index}. {name} — {title}",
    "paper.results.ballots": "Phiếu thu về",
    "paper.results.ballotsValid": "Hợp lệ",
    "paper.results.ballotsInvalid": "Không hợp lệ",
    "paper.results.entriesTitle": "Phiếu giấy theo hội nghị",
    "paper.results.quorum": "Đủ tỷ lệ có mặt",
    "paper.results.quorumYes": "Đủ",
    "paper.results.quorumNo": "Không đủ",
    "paper.results.confirmedYes": "Đã xác nhận",
    "paper.results.confirmedNo": "Chưa xác nhận (không tính)",
    "paper.results.groupPaper": "Phiếu giấy",
    "paper.results.groupTotal": "Tổng phiếu",
  },
  en: {
    "paper.title": "Paper ballots",
    "paper.titleOf": "Paper ballots — {title}",
    "paper.link": "Paper ballots ({entered} entered, {confirmed} confirmed)",
    "paper.hint":
      "The counting committee enters the count of paper ballots of each residential group, or of the whole meeting when its paper ballots were counted together. Figures count in the result only once another counting member, not the one who entered them, confirms them.",
    "paper.meeting": "Whole meeting",
    "paper.meetingHint":
      "Enter once for the whole meeting when the groups' paper ballots were counted together (then not per group).",
    "paper.col.scope": "Residential group / meeting",
    "paper.col.summoned": "Summoned",
    "paper.col.present": "Present",
    "paper.col.issued": "Ballots issued",
    "paper.col.collected": "Ballots collected",
    "paper.col.valid": "Valid",
    "paper.col.invalid": "Invalid",
    "paper.col.status": "Status",
    "paper.status.none": "Not entered",
    "paper.status.awaiting": "Awaiting confirmation (entered by {name})",
    "paper.status.confirmed": "Confirmed (entered by {entered}; confirmed by {confirmed})",
    "paper.enter": "Enter figures",
    "paper.open": "View, change, confirm",
    "paper.entryTitle": "Paper ballots — {scope}",
    "paper.section.meeting": "Meeting",
    "paper.section.ballots": "Paper ballots",
    "paper.section.subjects": "Per person",
    "paper.subjectsHint":
      "For each person: the ballots at each level plus those invalid for that person (no level or more than one marked) must equal the valid ballots.",
    "paper.field.summoned": "People summoned",
    "paper.field.present": "People present",
    "paper.field.issued": "Ballots issued",
    "paper.field.collected": "Ballots collected",
    "paper.field.valid": "Valid ballots",
    "paper.field.invalid": "Invalid ballots",
    "paper.field.subjectInvalid": "Invalid",
    "paper.field.subjectLevel": "{name}: {level}",
    "paper.save": "Save the figures",
    "paper.saved": "Figures saved. They count once another counting member confirms them.",
    "paper.confirmed": "Paper figures confirmed.",
    "paper.confirm.title": "Second person's confirmation",
    "paper.confirm.hint":
      "Check each figure on this page against the paper counting record. Confirm only if every figure matches.",
    "paper.confirm.button": "I have checked them: confirm the figures",
    "paper.confirm.self": "You entered these figures, so you cannot confirm them: another counting member must.",
    "paper.confirm.needsCounter": "Only counting committee members can confirm paper figures.",
    "paper.enteredBy": "Entered by {name} at {time} (version {version}).",
    "paper.confirmedBy": "Confirmed by {name} at {time}.",
    "paper.notConfirmed": "Not confirmed: these figures are not yet counted in the result.",
    "paper.locked": "The poll's result is published: paper figures can no longer change.",
    "paper.notYetOpen": "The poll is not open yet: paper figures cannot be entered.",
    "paper.errors.range": "Enter a whole number from 0 to 1,000,000.",
    "paper.errors.presentAboveSummoned": "People present ({present}) cannot exceed people summoned ({summoned}).",
    "paper.errors.collectedAboveIssued": "Ballots collected ({collected}) cannot exceed ballots issued ({issued}).",
    "paper.errors.validPlusInvalid":
      "Valid ({valid}) plus invalid ({invalid}) ballots make {sum}; they must equal the ballots collected ({collected}).",
    "paper.errors.subjectSum":
      "Person {index} ({name}): the levels plus invalid make {sum}; they must equal the valid ballots ({valid}).",
    "paper.errors.wrongState":
      "Paper figures are entered or confirmed only while the poll is open, or closed and not yet published.",
    "paper.errors.scopeConflict":
      "This poll already has figures entered the other way (per group or for the whole meeting). Do not enter both, so that no ballot counts twice.",
    "paper.errors.staleVersion":
      "Someone else has just entered or changed these figures. The page shows the latest: check them again before saving or confirming.",
    "paper.errors.entryNotFound": "There are no figures to confirm yet.",
    "paper.errors.selfConfirm": "You entered these figures, so you cannot confirm them: another counting member must.",
    "paper.errors.alreadyConfirmed": "These figures are already confirmed.",
    "paper.errors.subjectsMismatch": "The list of people in the poll has changed. Reload the page.",
    "paper.errors.fixBelow": "Some figures are not right. See the marked fields below.",

    "paper.warnings.title": "Reconciliation warnings",
    "paper.warnings.none": "The figures reconcile: no warnings.",
    "paper.warnings.hint":
      "The result cannot be published while a warning is unresolved. Correct the figures, or write down why the warning is accepted; the reason is printed in the counting minutes.",
    "paper.warning.onlineOverHandedOut":
      "{unit}: online ballots ({online}) exceed the QR slips handed out ({handedOut}).",
    "paper.warning.onlineOverHandedOut.withheld":
      "{unit}: online ballots exceed the QR slips handed out ({handedOut}).",
    "paper.warning.overPresent":
      "{unit}: online ballots ({online}) plus paper ballots ({paper}) exceed the people present ({present}).",
    "paper.warning.overPresent.withheld":
      "{unit}: online plus paper ballots ({paper}) exceed the people present ({present}).",
    "paper.warning.quorumNotMet":
      "{unit}: the people present ({present}/{summoned}) fall short of the quorum of {quorum} of those summoned.",
    "paper.warning.paperUnconfirmed":
      "{unit}: the paper figures are not confirmed by a second member, so they are not counted.",
    "paper.warnings.acknowledged": "Accepted — reason: {reason} ({by}, {time})",
    "paper.warnings.open": "Unresolved",
    "paper.warnings.reason": "Reason for accepting",
    "paper.warnings.acknowledge": "Record the reason",
    "paper.warnings.reasonRequired": "Write down why this warning is accepted.",
    "paper.warnings.stale": "The warning has changed since the page was opened. Read it again, then write the reason.",
    "paper.warnings.gone": "This warning no longer stands.",
    "paper.warnings.wrongState":
      "Warnings are acknowledged only once the poll is closed and counted, and before it is published.",
    "paper.warnings.saved": "Reason recorded. The result has changed: earlier confirmations must be given again.",
    "paper.warnings.blockPublish":
      "{count} reconciliation warnings are unresolved: correct the figures or record why each is accepted before publishing.",

    "paper.results.channelsTitle": "Online and paper",
    "paper.results.channel.online": "Online",
    "paper.results.channel.paper": "Paper",
    "paper.results.channel.total": "Total",
    "paper.results.channelOf": "{index}. {name} — {title}",
    "paper.results.ballots": "Ballots collected",
    "paper.results.ballotsValid": "Valid",
    "paper.results.ballotsInvalid": "Invalid",
    "paper.results.entriesTitle": "Paper ballots per meeting",
    "paper.results.quorum": "Quorum",
    "paper.results.quorumYes": "Met",
    "paper.results.quorumNo": "Not met",
    "paper.results.confirmedYes": "Confirmed",
    "paper.results.confirmedNo": "Not confirmed (not counted)",
    "paper.results.groupPaper": "Paper",
    "paper.results.groupTotal": "Total ballots",
  },
});
