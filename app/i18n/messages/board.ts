import { defineMessages } from "../define";

export default defineMessages({
  vi: {
    "board.meta.title": "Bảng công khai: {title}",
    "board.eyebrow": "Bảng công khai kết quả",
    "board.intro":
      "Trang này công khai cho mọi người, không cần đăng nhập: kết quả đã công bố, danh sách mọi biên nhận, và các phiếu đã kiểm (ẩn danh) để ai cũng có thể tự kiểm lại.",
    "board.serverKey":
      "Khóa của cuộc lấy phiếu này do máy chủ giữ: người vận hành máy chủ, và bất kỳ ai có bản sao ổ đĩa của máy chủ từ trước khi kiểm phiếu, có thể mở và liên kết các phiếu.",
    "board.facts.ward": "Phường",
    "board.facts.unit": "Tổ dân phố tổ chức",
    "board.facts.kind": "Hình thức",
    "board.facts.published": "Công bố lúc",

    "board.check.title": "Kiểm tra biên nhận của bạn",
    "board.check.label": "Mã biên nhận",
    "board.check.hint":
      "Mã hiện trên màn hình sau khi bạn gửi phiếu: 12 ký tự, ví dụ 7BCF-GH2J-0K3M. Chữ hoa hay chữ thường, có hay không có dấu gạch đều được.",
    "board.check.button": "Kiểm tra",
    "board.check.counted": "Biên nhận {receipt} có trong danh sách: phiếu đã được nhận vào hòm phiếu và đã được kiểm.",
    "board.check.countedNote":
      "Biên nhận chỉ cho biết phiếu đã được kiểm, không cho biết phiếu đã chọn gì: không ai, kể cả bạn, dùng được nó để chứng minh nội dung lá phiếu.",
    "board.check.onPage": "Xem biên nhận này ở trang {page} của danh sách",
    "board.check.notFound": "Không tìm thấy biên nhận {receipt} trong cuộc lấy phiếu này.",
    "board.check.notFoundTyped": "Không tìm thấy biên nhận này trong cuộc lấy phiếu này.",
    "board.check.notFoundHelp":
      "Hãy so lại từng ký tự. Nếu vẫn không thấy, hãy báo Ban kiểm phiếu hoặc Ủy ban Mặt trận Tổ quốc phường.",
    "board.check.malformed":
      "Mã biên nhận gồm 12 ký tự (chữ số và phụ âm, không có D, L, W, Y), in thành 3 nhóm 4 ký tự, ví dụ 7BCF-GH2J-0K3M.",

    "board.results.title": "Kết quả từng người",
    "board.results.noFlags":
      "Trang này công bố số phiếu và tỷ lệ như biên bản kiểm phiếu. Việc áp dụng các ngưỡng theo quy định (trên 1/2, từ 2/3 tín nhiệm thấp) do cấp có thẩm quyền xem xét và kết luận, nên không ghi ở đây.",
    "board.figures.handedOut": "Phiếu phát ra",
    "board.figures.collected": "Phiếu thu về",
    "board.figures.turnout": "Tỷ lệ thu về",
    "board.figures.collectedOnline": "Phiếu trực tuyến thu về",
    "board.figures.collectedPaper": "Phiếu giấy thu về",
    "board.channels.hint":
      "Cuộc lấy phiếu này có cả phiếu trực tuyến và phiếu giấy. Với mỗi người, bảng dưới biểu đồ ghi riêng số phiếu trực tuyến, số phiếu giấy và tổng cộng: tổng cộng bằng phiếu trực tuyến cộng phiếu giấy, và tỷ lệ phần trăm được tính trên tổng cộng. Số phiếu giấy là số Ban kiểm phiếu đã kiểm tại hội nghị, nhập vào hệ thống và được một thành viên thứ hai xác nhận.",
    "board.channels.caption": "Phiếu trực tuyến, phiếu giấy và tổng cộng: {name}",
    "board.channels.channel": "Hình thức",

    "board.invariant.title": "Đối chiếu",
    "board.invariant.receipts": "Biên nhận đã cấp",
    "board.invariant.credentialsUsed": "Mã phiếu đã dùng",
    "board.invariant.ballotsCounted": "Phiếu đã kiểm",
    "board.invariant.rule": "Biên nhận = mã phiếu đã dùng = phiếu đã kiểm",
    "board.invariant.holds":
      "Ba số bằng nhau. Mỗi mã phiếu chỉ dùng được một lần, mỗi lần dùng cấp đúng một biên nhận, và số phiếu đã kiểm đúng bằng số biên nhận: không phiếu nào bị thêm vào hay bỏ ra. Nếu biên nhận của bạn có trong danh sách dưới đây, phiếu của bạn nằm trong số phiếu đã kiểm.",
    "board.invariant.broken":
      "Ba số không bằng nhau: có phiếu bị thêm vào hoặc bỏ ra. Hãy báo ngay Ban kiểm phiếu và Ủy ban Mặt trận Tổ quốc phường.",
    "board.invariant.changed":
      "Dữ liệu đang lưu ({receipts} biên nhận, {ballots} phiếu đã kiểm) khác với số đã công bố. Hãy báo ngay Ban kiểm phiếu và Ủy ban Mặt trận Tổ quốc phường.",
    "board.invariant.onlineOnly":
      "Phép đối chiếu này áp dụng cho phiếu trực tuyến. Phiếu giấy không có biên nhận: số phiếu giấy do Ban kiểm phiếu kiểm tại hội nghị và được ghi trong biên bản kiểm phiếu.",
    "board.hash": "Mã kiểm tra kết quả",
    "board.hashHint":
      "So với mã in trong biên bản kiểm phiếu: hai mã giống nhau nghĩa là trang này và biên bản nói về cùng một kết quả.",

    "board.download.title": "Tự kiểm lại",
    "board.download.body":
      "Tải các phiếu đã kiểm: chỉ có câu trả lời; không có biên nhận, tổ dân phố hay thời gian. Câu trả lời cho mỗi người được trộn riêng, nên mỗi cột giữ đúng mọi câu trả lời cho người đó nhưng một dòng không phải là một lá phiếu.",
    "board.download.link": "Tải các phiếu đã kiểm (CSV)",
    "board.download.columns": "Mỗi cột là một người, mỗi ô là một mã:",
    "board.download.column": "Người {index}: {name} — {title}",
    "board.download.code": "{code} = {level}",
    "board.download.blank": "để trống (không hợp lệ đối với người đó)",
    "board.download.how":
      "Đếm số lần mỗi mã xuất hiện trong từng cột (bằng tay hoặc bằng bảng tính), hoặc chạy lệnh dưới đây; kết quả phải đúng bằng các số ở trên. Hướng dẫn đầy đủ ở tệp docs/recount.md của Phiếu.",
    "board.download.howOnline":
      "Tệp chỉ gồm các phiếu trực tuyến; phiếu giấy không có trong tệp. Đếm số lần mỗi mã xuất hiện trong từng cột (bằng tay hoặc bằng bảng tính), hoặc chạy lệnh dưới đây; số phiếu của mỗi mức phải đúng bằng số ở dòng “Trực tuyến” của người đó ở trên. Tỷ lệ phần trăm trên trang này tính trên tổng số phiếu trực tuyến và phiếu giấy, nên không so được với tỷ lệ tính trên riêng tệp này. Hướng dẫn đầy đủ ở tệp docs/recount.md của Phiếu.",
    "board.download.command": "npx tsx scripts/recount.ts {file}",

    "board.receipts.title": "Danh sách biên nhận ({count})",
    "board.receipts.hint":
      "Mọi biên nhận đã cấp, xếp theo thứ tự chữ cái và số (không theo thứ tự bỏ phiếu), {perPage} biên nhận mỗi trang.",
    "board.receipts.none": "Không có biên nhận nào.",
    "board.receipts.pages": "Các trang của danh sách",
    "board.receipts.page": "Trang {page}/{pages}",
    "board.receipts.prev": "‹ Trang trước",
    "board.receipts.next": "Trang sau ›",

    "board.link": "Bảng công khai: kết quả, biên nhận và tự kiểm lại",

    "board.csv.intro":
      "Phiếu trực tuyến đã kiểm, ẩn danh: chỉ có câu trả lời; không có biên nhận, tổ dân phố hay thời gian. Mỗi cột được trộn riêng: cột giữ đúng mọi câu trả lời cho người đó, nhưng một dòng không phải là một lá phiếu. Phiếu giấy (nếu có) không có trong tệp này.",
    "board.csv.poll": "Cuộc lấy phiếu: {title}",
    "board.csv.ward": "Đơn vị: {ward}",
    "board.csv.kind": "Hình thức: {kind}",
    "board.csv.hash": "Mã kiểm tra kết quả: {hash}",
    "board.csv.subject": "Người {index}: {name} — {title}",
    "board.csv.level": "Mức {code}: {level}",
    "board.csv.blank": "Để trống (không hợp lệ đối với người này)",
    "board.csv.howTo":
      "Kiểm lại: đếm số lần mỗi mã trong từng cột, hoặc chạy npx tsx scripts/recount.ts <tệp này> (xem docs/recount.md).",
    "board.csv.index": "STT",
    "board.csv.column": "Người {index}",
  },
  en: {
    "board.meta.title": "Public board: {title}",
    "board.eyebrow": "Public results board",
    "board.intro":
      "This page is public, no login needed: the published results, the list of every receipt, and the counted ballots (anonymized) so that anyone can recount them.",
    "board.serverKey":
      "This poll's key was held by the server: the server's operator, and anyone with a copy of the server's disk from before the count, can open and link its ballots.",
    "board.facts.ward": "Ward",
    "board.facts.unit": "Organized by",
    "board.facts.kind": "Kind",
    "board.facts.published": "Published",

    "board.check.title": "Check your receipt",
    "board.check.label": "Receipt code",
    "board.check.hint":
      "The code shown on screen after you sent your ballot: 12 characters, for example 7BCF-GH2J-0K3M. Upper or lower case, with or without hyphens.",
    "board.check.button": "Check",
    "board.check.counted": "Receipt {receipt} is on the list: the ballot was accepted into the ballot box and counted.",
    "board.check.countedNote":
      "A receipt only shows that the ballot was counted, never what it chose: nobody, you included, can use it to prove how a ballot was marked.",
    "board.check.onPage": "See this receipt on page {page} of the list",
    "board.check.notFound": "Receipt {receipt} was not found in this poll.",
    "board.check.notFoundTyped": "This receipt was not found in this poll.",
    "board.check.notFoundHelp":
      "Compare it again character by character. If it is still not found, tell the counting committee or the ward's Fatherland Front committee.",
    "board.check.malformed":
      "A receipt code has 12 characters (digits and consonants, no D, L, W or Y), printed in 3 groups of 4, for example 7BCF-GH2J-0K3M.",

    "board.results.title": "Results per subject",
    "board.results.noFlags":
      "This page publishes the counts and percentages, as in the counting minutes. Applying the thresholds of the regulations (more than 1/2, 2/3 or more low confidence) is for the competent authority to consider and decide, so it is not stated here.",
    "board.figures.handedOut": "Ballots issued",
    "board.figures.collected": "Ballots collected",
    "board.figures.turnout": "Turnout",
    "board.figures.collectedOnline": "Online ballots collected",
    "board.figures.collectedPaper": "Paper ballots collected",
    "board.channels.hint":
      "This poll had both online and paper ballots. For each subject, the table below the bars gives the online ballots, the paper ballots and the total apart: the total is online plus paper, and the percentages are of the total. The paper figures are those the counting committee counted at the meeting, entered and had confirmed by a second member.",
    "board.channels.caption": "Online, paper and total: {name}",
    "board.channels.channel": "Channel",

    "board.invariant.title": "Reconciliation",
    "board.invariant.receipts": "Receipts issued",
    "board.invariant.credentialsUsed": "Credentials used",
    "board.invariant.ballotsCounted": "Ballots counted",
    "board.invariant.rule": "Receipts = credentials used = ballots counted",
    "board.invariant.holds":
      "The three numbers agree. Each credential can be used once, each use gives exactly one receipt, and the ballots counted equal the receipts: no ballot was added or removed. If your receipt is on the list below, your ballot is among those counted.",
    "board.invariant.broken":
      "The three numbers do not agree: ballots were added or removed. Tell the counting committee and the ward's Fatherland Front committee at once.",
    "board.invariant.changed":
      "The stored data ({receipts} receipts, {ballots} ballots counted) differ from the published figures. Tell the counting committee and the ward's Fatherland Front committee at once.",
    "board.invariant.onlineOnly":
      "This reconciliation covers the online ballots. Paper ballots have no receipt: the counting committee counted them at the meeting, and the counting minutes record them.",
    "board.hash": "Tally check code",
    "board.hashHint":
      "Compare it with the code printed in the counting minutes: the same code means this page and the minutes show the same result.",

    "board.download.title": "Recount it yourself",
    "board.download.body":
      "Download the counted ballots: answers only; no receipt, residential group or time. The answers to each subject are shuffled on their own, so each column holds exactly that subject's answers but a row is not a ballot.",
    "board.download.link": "Download the counted ballots (CSV)",
    "board.download.columns": "Each column is a subject, each cell a code:",
    "board.download.column": 'Column "Người {index}": {name} — {title}',
    "board.download.code": "{code} = {level}",
    "board.download.blank": "left blank (invalid for that subject)",
    "board.download.how":
      "Count how many times each code appears in each column (by hand or in a spreadsheet), or run the command below; the result must equal the figures above. Phiếu's docs/recount.md explains it in full.",
    "board.download.howOnline":
      "The file holds the online ballots only; paper ballots are not in it. Count how many times each code appears in each column (by hand or in a spreadsheet), or run the command below; each level's count must equal the subject's “Online” line above. The percentages on this page are of online and paper ballots together, so they cannot be compared with percentages of this file alone. Phiếu's docs/recount.md explains it in full.",
    "board.download.command": "npx tsx scripts/recount.ts {file}",

    "board.receipts.title": "Receipts ({count})",
    "board.receipts.hint":
      "Every receipt issued, in alphabetical and numerical order (not in the order of voting), {perPage} per page.",
    "board.receipts.none": "No receipts.",
    "board.receipts.pages": "Pages of the list",
    "board.receipts.page": "Page {page} of {pages}",
    "board.receipts.prev": "‹ Previous page",
    "board.receipts.next": "Next page ›",

    "board.link": "Public board: results, receipts and recount",

    "board.csv.intro":
      "Counted online ballots, anonymized: answers only; no receipt, residential group or time. Each column is shuffled on its own: it holds exactly that subject's answers, but a row is not a ballot. Paper ballots, if any, are not in this file.",
    "board.csv.poll": "Poll: {title}",
    "board.csv.ward": "Unit: {ward}",
    "board.csv.kind": "Kind: {kind}",
    "board.csv.hash": "Tally check code: {hash}",
    "board.csv.subject": "Subject {index}: {name} — {title}",
    "board.csv.level": "Level {code}: {level}",
    "board.csv.blank": "Left blank (invalid for this subject)",
    "board.csv.howTo":
      "Recount: count each code in each column, or run npx tsx scripts/recount.ts <this file> (see docs/recount.md).",
    "board.csv.index": "No.",
    "board.csv.column": "Subject {index}",
  },
});
