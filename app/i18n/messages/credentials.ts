import { defineMessages } from "../define";

export default defineMessages({
  vi: {
    "credentials.slip.number": "Phiếu số {seq}",
    "credentials.slip.instruction": "Quét mã QR bằng điện thoại, hoặc vào {host}/v và nhập mã",
    "credentials.slip.documentTitle": "Phiếu mã QR — {pollTitle} — {groupName}",
    "credentials.slip.csvSeq": "STT",
    "credentials.slip.csvCode": "Mã phiếu",
    "credentials.slip.csvUrl": "Đường dẫn",
  },
  en: {
    "credentials.slip.number": "Slip no. {seq}",
    "credentials.slip.instruction": "Scan the QR code with your phone, or go to {host}/v and enter the code",
    "credentials.slip.documentTitle": "QR slips — {pollTitle} — {groupName}",
    "credentials.slip.csvSeq": "No.",
    "credentials.slip.csvCode": "Code",
    "credentials.slip.csvUrl": "Link",
  },
});
