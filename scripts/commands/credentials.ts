import fs from "node:fs";
import path from "node:path";
import { CredentialIssueError, issueBatch, MAX_BATCH, slipsHeading } from "../../app/credentials/credentials.server";
import { translate } from "../../app/i18n/i18n";
import { renderSlipsPdf, slipsCsv } from "../../app/credentials/slips.server";
import { CliError, withDatabase, type Command } from "../cli";

const ISSUE_MESSAGES: Record<CredentialIssueError["reason"], string> = {
  pollNotFound: "Không tìm thấy cuộc lấy phiếu này.",
  pollClosed: "Cuộc lấy phiếu đã đóng: không thể phát thêm mã.",
  groupNotInPoll: "Tổ dân phố này không tham gia cuộc lấy phiếu.",
};

export const credentialsIssue: Command = {
  name: "credentials issue",
  usage: "credentials issue <pollId> --group <unitId> --count N (--pdf TỆP | --csv TỆP)",
  options: {
    group: { type: "string" },
    count: { type: "string" },
    pdf: { type: "string" },
    csv: { type: "string" },
  },
  async run({ positionals, values }) {
    const pollId = Number(positionals[0]);
    const groupId = Number(values.group);
    const count = Number(values.count);
    if (positionals.length !== 1 || !Number.isSafeInteger(pollId) || pollId <= 0) {
      throw new CliError(`Cần mã cuộc lấy phiếu.\nCách dùng: npm run phieu -- ${this.usage}`);
    }
    if (!Number.isSafeInteger(groupId) || groupId <= 0) throw new CliError("Cần mã tổ dân phố (--group).");
    if (!Number.isSafeInteger(count) || count < 1 || count > MAX_BATCH) {
      throw new CliError(`Số mã (--count) phải từ 1 đến ${MAX_BATCH}.`);
    }
    const pdfFile = typeof values.pdf === "string" ? path.resolve(values.pdf) : null;
    const csvFile = typeof values.csv === "string" ? path.resolve(values.csv) : null;
    if (!pdfFile && !csvFile) throw new CliError("Cần --pdf TỆP hoặc --csv TỆP: mã chỉ được cấp một lần, cần nơi ghi.");
    for (const file of [pdfFile, csvFile]) {
      if (file && fs.existsSync(file)) throw new CliError(`Tệp ${file} đã tồn tại: không ghi đè.`);
      if (file && !fs.existsSync(path.dirname(file))) throw new CliError(`Thư mục ${path.dirname(file)} không tồn tại.`);
    }
    await withDatabase(async () => {
      const issued = await issueBatch({ actor: { userId: null, label: "cli" }, pollId, groupId, count }).catch((error) => {
        if (error instanceof CredentialIssueError) throw new CliError(ISSUE_MESSAGES[error.reason]);
        throw error;
      });
      const heading = await slipsHeading({ pollId, groupId });
      const input = {
        ...heading,
        baseUrl: process.env.PHIEU_PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`,
        slips: issued.slips,
        batchLabel: translate("vi", "polls.credentials.batchLabel", { id: issued.batchId }),
      };
      // The codes exist only in these files from now on: written with owner-only permissions.
      if (pdfFile) fs.writeFileSync(pdfFile, await renderSlipsPdf(input), { mode: 0o600, flag: "wx" });
      if (csvFile) fs.writeFileSync(csvFile, slipsCsv(input), { mode: 0o600, flag: "wx" });
      console.log(
        `Đã cấp ${count} mã cho ${heading.groupName} (lô ${issued.batchId}).` +
          (pdfFile ? `\nPhiếu QR: ${pdfFile}` : "") +
          (csvFile ? `\nDanh sách đường dẫn: ${csvFile}` : ""),
      );
    });
  },
};
