import { auditEntry, latestAuditEntry, verifyAuditChain } from "../../app/audit/audit.server";
import { CliError, withDatabase, type Command } from "../cli";

export const auditVerify: Command = {
  name: "audit verify",
  usage: "audit verify",
  async run() {
    await withDatabase(async ({ db }) => {
      const result = await verifyAuditChain(db);
      if (!result.ok) {
        const why =
          result.reason === "hash"
            ? "nội dung đã bị sửa (không khớp mã băm của nó)"
            : "liên kết với mục trước đã bị phá (một mục trước nó đã bị xóa, chèn thêm hoặc sửa)";
        const entry = await auditEntry(db, { id: result.brokenId });
        const what = entry
          ? ` (${new Date(entry.at).toISOString()}, ${entry.action}, ${entry.actor_label}` +
            `${entry.unit_name ? `, ${entry.unit_name}` : ""})`
          : "";
        throw new CliError(
          `Nhật ký kiểm tra bị hỏng tại mục ${result.brokenId}${what}: ${why}.\n` +
            `${result.entries - 1} mục trước đó khớp chuỗi băm; từ mục ${
              result.brokenId
            } trở đi không còn được bảo đảm.`
        );
      }
      console.log(`Nhật ký kiểm tra toàn vẹn: ${result.entries} mục, chuỗi băm khớp.`);
      const latest = await latestAuditEntry(db);
      if (latest) console.log(`Mục mới nhất: ${latest.id}, mã băm ${latest.hash}`);
    });
  },
};
