import { z } from "zod";
import { nfc } from "~/components/text";

export const USERNAME_PATTERN = /^[a-z0-9._-]{3,40}$/;

export const loginSchema = z.object({
  username: nfc(z.string().trim().toLowerCase().min(1, "errors.required").max(40, "auth.usernameInvalid")),
  password: z.string().min(1, "errors.required").max(200, "auth.passwordTooLong"),
  redirectTo: z.string().optional(),
});
export type LoginInput = z.infer<typeof loginSchema>;

export const passwordRules = z
  .string()
  .min(10, "auth.passwordTooShort")
  .max(200, "auth.passwordTooLong");

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "errors.required").max(200, "auth.passwordTooLong"),
    newPassword: passwordRules,
    confirmPassword: z.string().min(1, "errors.required"),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "auth.passwordMismatch",
  })
  .refine((v) => v.newPassword !== v.currentPassword, {
    path: ["newPassword"],
    message: "auth.passwordSame",
  });
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;
