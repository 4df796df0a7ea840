import { defineMessages } from "../define";

export default defineMessages({
  vi: {
    "imports.title": "Nhập dữ liệu từ tệp",
    "imports.intro":
      "Nhập nhiều tổ dân phố, hoặc nhiều cán bộ cùng chức vụ, từ một tệp CSV hoặc Excel. Bạn sẽ xem trước từng dòng trước khi nhập; không có gì được lưu cho đến khi bạn bấm “Nhập dữ liệu”.",
    "imports.kind": "Loại dữ liệu",
    "imports.kind.residential_groups": "Tổ dân phố",
    "imports.kind.cadres": "Cán bộ và chức vụ",
    "imports.kindRequired": "Vui lòng chọn loại dữ liệu cần nhập.",
    "imports.file": "Tệp CSV hoặc Excel (.xlsx)",
    "imports.fileHint":
      "Tối đa 2 MB và 5.000 dòng. CSV: mã UTF-8, các cột cách nhau bằng dấu phẩy hoặc dấu chấm phẩy. Excel: chỉ đọc trang tính đầu tiên.",
    "imports.upload": "Tải lên và xem trước",
    "imports.help.title.residential_groups": "Tệp tổ dân phố",
    "imports.help.title.cadres": "Tệp cán bộ và chức vụ",
    "imports.help.intro.residential_groups":
      "Dòng đầu tiên là dòng tiêu đề; mỗi dòng sau là một tổ dân phố mới của phường.",
    "imports.help.intro.cadres":
      "Dòng đầu tiên là dòng tiêu đề; mỗi dòng sau là một chức vụ của một cán bộ. Cán bộ giữ nhiều chức vụ thì ghi nhiều dòng, cùng họ tên và năm sinh.",
    "imports.help.column": "Cột",
    "imports.help.required": "Bắt buộc",
    "imports.help.notes": "Ghi chú",
    "imports.help.example": "Ví dụ",
    "imports.help.aliases": "Cũng nhận tiêu đề: {aliases}.",
    "imports.template": "Tải tệp mẫu (CSV)",
    "imports.hint.groupName": "Tên tổ dân phố, tối đa 100 ký tự, không trùng với tổ đã có trong phường.",
    "imports.hint.fullName": "Tối đa 120 ký tự.",
    "imports.hint.birthYear": "Bốn chữ số, ví dụ 1975. Có thể để trống.",
    "imports.hint.title":
      "Tên chức vụ, tối đa 150 ký tự. Chức vụ chưa có sẽ được thêm vào danh sách chức vụ của phường.",
    "imports.hint.unit": "Tên phường hoặc tên một tổ dân phố của phường. Để trống nghĩa là cấp phường.",
    "imports.hint.startedOn": "Ngày bắt đầu giữ chức vụ: ngày/tháng/năm (01/07/2021) hoặc năm-tháng-ngày (2021-07-01).",

    "imports.file.required": "Vui lòng chọn một tệp CSV hoặc XLSX.",
    "imports.file.unreadableUpload": "Tệp gửi lên bị lỗi hoặc không trọn vẹn. Hãy chọn lại tệp và gửi lại.",
    "imports.file.empty": "Tệp trống, không có dữ liệu nào.",
    "imports.file.tooLarge": "Tệp quá lớn (tối đa 2 MB). Hãy chia thành nhiều tệp nhỏ hơn rồi nhập lần lượt.",
    "imports.file.tooManyRows":
      "Tệp có {count} dòng dữ liệu, nhiều hơn giới hạn {max} dòng. Hãy chia thành nhiều tệp nhỏ hơn.",
    "imports.file.notUtf8":
      "Tệp CSV không dùng bảng mã UTF-8 (có thể là Windows-1258, TCVN3 hoặc VNI), nên chữ tiếng Việt sẽ bị lỗi. Trong Excel, chọn Lưu thành (Save As) với kiểu “CSV UTF-8 (Comma delimited)” rồi tải lên lại.",
    "imports.file.notText": "Tệp không phải tệp văn bản CSV. Hãy lưu lại từ Excel thành “CSV UTF-8” hoặc “.xlsx”.",
    "imports.file.badXlsx":
      "Không đọc được tệp Excel: tệp bị hỏng, chưa tải hết, hoặc không phải tệp .xlsx thật. Hãy mở tệp bằng Excel, lưu lại thành .xlsx rồi tải lên lại.",
    "imports.file.oldXls":
      "Tệp .xls (Excel 97–2003) không được hỗ trợ. Hãy mở bằng Excel và lưu lại thành .xlsx hoặc “CSV UTF-8”.",
    "imports.file.unknownType": "Chỉ nhận tệp .csv hoặc .xlsx.",
    "imports.file.badCsv":
      "Không đọc được tệp CSV ở dòng {line}: có dấu ngoặc kép không đóng hoặc đặt sai chỗ. Hãy kiểm tra dòng đó rồi tải lên lại.",
    "imports.file.duplicateColumn": "Cột “{column}” xuất hiện hai lần trong dòng tiêu đề.",
    "imports.file.missingColumns":
      "Thiếu cột bắt buộc: {columns}. Dòng đầu tiên của tệp phải là dòng tiêu đề với tên các cột như trong tệp mẫu.",
    "imports.file.noRows": "Tệp chỉ có dòng tiêu đề, chưa có dòng dữ liệu nào.",
    "imports.unknownColumns": "Các cột sau không dùng đến và được bỏ qua: {columns}.",

    "imports.row.duplicate": "Trùng với dòng {line} trong tệp.",
    "imports.row.groupExists": "Phường đã có tổ dân phố “{name}”.",
    "imports.row.badYear": "Năm sinh không hợp lệ: cần một năm có 4 chữ số, từ 1900 đến năm nay.",
    "imports.row.badDate":
      "Ngày không hợp lệ: ghi theo dạng ngày/tháng/năm (01/07/2021) hoặc năm-tháng-ngày (2021-07-01).",
    "imports.row.impossibleDate": "Ngày không có thật (ví dụ 31/02). Hãy kiểm tra lại ngày, tháng.",
    "imports.row.unknownUnit":
      "Phường không có đơn vị “{name}”. Ghi đúng tên một tổ dân phố của phường, hoặc để trống nếu là chức vụ cấp phường.",
    "imports.row.positionHeld": "{name} đang giữ chức vụ “{title}” tại {unit}.",
    "imports.row.overflow":
      "Dòng có nhiều ô hơn dòng tiêu đề: có thể một tên chứa dấu phẩy hoặc chấm phẩy mà không đặt trong ngoặc kép.",

    "imports.draftMissing": "Không tìm thấy bản xem trước này.",
    "imports.preview.title": "Xem trước: {file}",
    "imports.preview.committed": "Tệp này đã được nhập lúc {time}.",
    "imports.preview.meta": "{kind} · tải lên lúc {time}",
    "imports.preview.summary.residential_groups": "{count} tổ dân phố sẽ được thêm vào phường.",
    "imports.preview.summary.cadres":
      "{positions} chức vụ sẽ được thêm: {newCadres} cán bộ mới, {existingCadres} cán bộ đã có trong phường.",
    "imports.preview.hasErrors":
      "Tệp có {count} lỗi nên chưa thể nhập. Hãy sửa tệp theo các lỗi dưới đây rồi tải lên lại.",
    "imports.preview.ready": "Không có lỗi. Kiểm tra lại các dòng rồi bấm “Nhập dữ liệu”.",
    "imports.preview.errors": "Các lỗi cần sửa",
    "imports.preview.rows": "Các dòng trong tệp ({count})",
    "imports.preview.newTitles": "Các chức vụ mới sẽ được thêm vào danh sách chức vụ của phường",
    "imports.preview.line": "Dòng",
    "imports.preview.column": "Cột",
    "imports.preview.reason": "Lý do",
    "imports.preview.status": "Trạng thái",
    "imports.preview.wholeRow": "(cả dòng)",
    "imports.preview.ward": "(cấp phường)",
    "imports.status.newGroup": "Thêm mới",
    "imports.status.newCadre": "Cán bộ mới",
    "imports.status.existingCadre": "Cán bộ đã có: thêm chức vụ",
    "imports.status.error": "Lỗi",
    "imports.status.newTitle": "chức vụ mới",
    "imports.commit": "Nhập dữ liệu",
    "imports.commitHint":
      "Mọi dòng được nhập cùng một lúc: nếu có dòng nào không nhập được thì không dòng nào được lưu.",
    "imports.uploadAnother": "Tải lên tệp khác",
    "imports.uploadFixed": "Tải lên tệp đã sửa",
    "imports.alreadyCommitted": "Tệp này đã được nhập lúc {time}. Lần bấm này không thêm gì nữa.",
    "imports.commitRejected":
      "Chưa nhập gì: dữ liệu của phường đã thay đổi từ lúc xem trước nên tệp nay có lỗi (xem bên dưới). Hãy sửa tệp rồi tải lên lại.",
    "imports.commitConflict":
      "Chưa nhập gì: dòng {line} trùng với dữ liệu vừa được người khác thêm cùng lúc. Hãy tải lại trang để xem trước lần nữa.",
    "imports.done.residential_groups": "Đã thêm {count} tổ dân phố vào phường.",
    "imports.done.cadres": "Đã nhập {count} chức vụ của cán bộ.",
    "imports.viewWard": "Về trang phường",
  },
  en: {
    "imports.title": "Import from a file",
    "imports.intro":
      "Import many residential groups, or many cadres with their positions, from a CSV or Excel file. You preview every row first; nothing is stored until you press “Import”.",
    "imports.kind": "What to import",
    "imports.kind.residential_groups": "Residential groups",
    "imports.kind.cadres": "Cadres and positions",
    "imports.kindRequired": "Please choose what to import.",
    "imports.file": "CSV or Excel (.xlsx) file",
    "imports.fileHint":
      "At most 2 MB and 5,000 rows. CSV: UTF-8, columns separated by commas or semicolons. Excel: only the first worksheet is read.",
    "imports.upload": "Upload and preview",
    "imports.help.title.residential_groups": "Residential groups file",
    "imports.help.title.cadres": "Cadres and positions file",
    "imports.help.intro.residential_groups":
      "The first line is the header; each line after it is a new residential group of the ward.",
    "imports.help.intro.cadres":
      "The first line is the header; each line after it is one position of one cadre. A cadre with several positions takes several lines, with the same name and birth year.",
    "imports.help.column": "Column",
    "imports.help.required": "Required",
    "imports.help.notes": "Notes",
    "imports.help.example": "Example",
    "imports.help.aliases": "Also accepted as header: {aliases}.",
    "imports.template": "Download a template (CSV)",
    "imports.hint.groupName": "The group's name, at most 100 characters, not already a group of the ward.",
    "imports.hint.fullName": "At most 120 characters.",
    "imports.hint.birthYear": "Four digits, e.g. 1975. May be left empty.",
    "imports.hint.title":
      "The title, at most 150 characters. A title the ward does not have yet is added to its titles.",
    "imports.hint.unit": "The ward's name or one of its residential groups. Empty means the ward itself.",
    "imports.hint.startedOn": "When the position started: day/month/year (01/07/2021) or year-month-day (2021-07-01).",

    "imports.file.required": "Please choose a CSV or XLSX file.",
    "imports.file.unreadableUpload": "The upload arrived damaged or incomplete. Choose the file again and send it again.",
    "imports.file.empty": "The file is empty.",
    "imports.file.tooLarge":
      "The file is too large (at most 2 MB). Split it into smaller files and import them one by one.",
    "imports.file.tooManyRows":
      "The file has {count} data rows, more than the limit of {max}. Split it into smaller files.",
    "imports.file.notUtf8":
      "The CSV file is not UTF-8 (perhaps Windows-1258, TCVN3 or VNI), so Vietnamese letters would be garbled. In Excel, use Save As with the type “CSV UTF-8 (Comma delimited)” and upload it again.",
    "imports.file.notText": "The file is not a CSV text file. Save it from Excel as “CSV UTF-8” or “.xlsx”.",
    "imports.file.badXlsx":
      "The Excel file cannot be read: it is damaged, incomplete, or not a real .xlsx file. Open it in Excel, save it as .xlsx and upload it again.",
    "imports.file.oldXls":
      ".xls files (Excel 97–2003) are not supported. Open it in Excel and save it as .xlsx or “CSV UTF-8”.",
    "imports.file.unknownType": "Only .csv and .xlsx files are accepted.",
    "imports.file.badCsv":
      "The CSV file cannot be read at line {line}: a quote is not closed or is misplaced. Check that line and upload again.",
    "imports.file.duplicateColumn": "The column “{column}” appears twice in the header.",
    "imports.file.missingColumns":
      "Required columns are missing: {columns}. The first line of the file must be the header, with the column names of the template.",
    "imports.file.noRows": "The file has a header but no data rows.",
    "imports.unknownColumns": "These columns are not used and are ignored: {columns}.",

    "imports.row.duplicate": "Same as line {line} of the file.",
    "imports.row.groupExists": "The ward already has the residential group “{name}”.",
    "imports.row.badYear": "Invalid birth year: a four-digit year from 1900 to this year is expected.",
    "imports.row.badDate": "Invalid date: write day/month/year (01/07/2021) or year-month-day (2021-07-01).",
    "imports.row.impossibleDate": "This date does not exist (e.g. 31/02). Check the day and month.",
    "imports.row.unknownUnit":
      "The ward has no unit “{name}”. Write the exact name of one of its residential groups, or leave it empty for a ward-level position.",
    "imports.row.positionHeld": "{name} already holds the position “{title}” in {unit}.",
    "imports.row.overflow":
      "This line has more cells than the header: perhaps a name contains a comma or semicolon without quotes around it.",

    "imports.draftMissing": "This preview was not found.",
    "imports.preview.title": "Preview: {file}",
    "imports.preview.committed": "This file was imported at {time}.",
    "imports.preview.meta": "{kind} · uploaded {time}",
    "imports.preview.summary.residential_groups": "{count} residential groups will be added to the ward.",
    "imports.preview.summary.cadres":
      "{positions} positions will be added: {newCadres} new cadres, {existingCadres} cadres already in the ward.",
    "imports.preview.hasErrors":
      "The file has {count} errors and cannot be imported. Fix the file as shown below and upload it again.",
    "imports.preview.ready": "No errors. Check the rows, then press “Import”.",
    "imports.preview.errors": "Errors to fix",
    "imports.preview.rows": "Rows of the file ({count})",
    "imports.preview.newTitles": "New titles that will be added to the ward's titles",
    "imports.preview.line": "Line",
    "imports.preview.column": "Column",
    "imports.preview.reason": "Reason",
    "imports.preview.status": "Status",
    "imports.preview.wholeRow": "(whole line)",
    "imports.preview.ward": "(ward level)",
    "imports.status.newGroup": "New",
    "imports.status.newCadre": "New cadre",
    "imports.status.existingCadre": "Existing cadre: new position",
    "imports.status.error": "Error",
    "imports.status.newTitle": "new title",
    "imports.commit": "Import",
    "imports.commitHint": "All rows are imported together: if any row cannot be stored, none is.",
    "imports.uploadAnother": "Upload another file",
    "imports.uploadFixed": "Upload the fixed file",
    "imports.alreadyCommitted": "This file was already imported at {time}. Nothing more was added.",
    "imports.commitRejected":
      "Nothing was imported: the ward's data changed since the preview and the file now has errors (see below). Fix the file and upload it again.",
    "imports.commitConflict":
      "Nothing was imported: line {line} collides with data someone else added at the same moment. Reload the page to preview again.",
    "imports.done.residential_groups": "{count} residential groups were added to the ward.",
    "imports.done.cadres": "{count} cadre positions were imported.",
    "imports.viewWard": "Back to the ward",
  },
});
