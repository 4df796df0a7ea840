import { verifyAuditChain } from "../../app/audit/audit.server";
import { CliError, withDatabase, type Command } from "../cli";

export const auditVerify: Command = {
  name: "audit verify",
  usage: "audit verify",
  async run() {
    await withDatabase(async ({ db }) => {
      const result = await verifyAuditChain(db);
      if (!result.ok) {
        const why = result.reason === "hash" ? "nội dung đã bị sửa" : "liên kết với mục trước đã bị phá";
        throw new CliError(`Nhật ký kiểm tra bị hỏng tại mục ${result.brokenId}: ${why}.`);
      }
      console.log(`Nhật ký kiểm tra toàn vẹn: ${result.entries} mục, chuỗi băm khớp.`);
    });
  },
};
