import * as z from "zod/mini";
import { nfc } from "~/components/text";

export const USERNAME_PATTERN = /^[a-z0-9._-]{3,40}$/;

export const loginSchema = z.object({
  username: nfc(
    z
      .string()
      .check(z.trim(), z.toLowerCase(), z.minLength(1, "errors.required"), z.maxLength(40, "auth.usernameInvalid"))
  ),
  password: z.string().check(z.minLength(1, "errors.required"), z.maxLength(200, "auth.passwordTooLong")),
  redirectTo: z.optional(z.string()),
});
export type LoginInput = z.infer<typeof loginSchema>;

export const passwordRules = z
  .string()
  .check(z.minLength(10, "auth.passwordTooShort"), z.maxLength(200, "auth.passwordTooLong"));

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().check(z.minLength(1, "errors.required"), z.maxLength(200, "auth.passwordTooLong")),
    newPassword: passwordRules,
    confirmPassword: z.string().check(z.minLength(1, "errors.required")),
  })
  .check(
    z.refine((v) => v.newPassword === v.confirmPassword, {
      path: ["confirmPassword"],
      message: "auth.passwordMismatch",
    }),
    z.refine((v) => v.newPassword !== v.currentPassword, {
      path: ["newPassword"],
      message: "auth.passwordSame",
    })
  );
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;
