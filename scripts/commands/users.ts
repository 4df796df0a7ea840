import { z } from "zod";
import { passwordRules, USERNAME_PATTERN } from "../../app/auth/auth.schema";
import { createUser, DuplicateUsernameError } from "../../app/users/users.server";
import { CliError, withDatabase, type Command } from "../cli";

export const createAdmin: Command = {
  name: "users create-admin",
  usage: "users create-admin --username TÊN --name \"Họ và tên\" [--password MẬT_KHẨU] (hoặc biến PHIEU_ADMIN_PASSWORD)",
  options: {
    username: { type: "string" },
    name: { type: "string" },
    password: { type: "string" },
  },
  async run({ values }) {
    const username = String(values.username ?? "").trim().toLowerCase();
    const fullName = String(values.name ?? "").normalize("NFC").trim();
    const password = String(values.password ?? process.env.PHIEU_ADMIN_PASSWORD ?? "");
    if (!USERNAME_PATTERN.test(username)) {
      throw new CliError("Tên đăng nhập chỉ gồm 3–40 chữ thường không dấu, số, dấu chấm, gạch dưới hoặc gạch ngang (--username).");
    }
    if (fullName.length < 1 || fullName.length > 120) throw new CliError("Cần họ và tên (--name), tối đa 120 ký tự.");
    if (!z.string().pipe(passwordRules).safeParse(password).success) {
      throw new CliError("Mật khẩu phải có từ 10 đến 200 ký tự (--password hoặc biến PHIEU_ADMIN_PASSWORD).");
    }
    await withDatabase(async () => {
      try {
        const user = await createUser({
          actor: { userId: null, label: "cli" },
          username,
          fullName,
          password,
          grants: [{ role: "admin", unitId: null }],
        });
        console.log(`Đã tạo quản trị viên ${user.username} (id ${user.id}), có quyền trên mọi đơn vị.`);
      } catch (error) {
        if (error instanceof DuplicateUsernameError) throw new CliError(`Tên đăng nhập "${username}" đã tồn tại.`);
        throw error;
      }
    });
  },
};
