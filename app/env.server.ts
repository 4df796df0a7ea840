import { z } from "zod";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  PHIEU_DATA_DIR: z.string().min(1).default("data"),
  PHIEU_SECRET: z.string().min(32).optional(),
  /**
   * The key folder: the keys of server-keyed polls and the generated server secret. Beside the data folder by default
   * (`<data folder>-keys`), never inside it, so that a copy of the data folder holds no key.
   */
  PHIEU_KEY_DIR: z.string().min(1).optional(),
  /** Set to "false" to serve the session cookie without Secure over plain http on a LAN (never on the internet). */
  PHIEU_COOKIE_SECURE: z.enum(["true", "false"]).optional(),
  /** Server processes on PostgreSQL (default: one per core); the embedded database always has one. */
  PHIEU_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "silent"]).default("info"),
});

export type Env = z.infer<typeof schema>;

/** process.env parsed once; call again after a test changes it. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join(".")).join(", ");
    throw new Error(`Biến môi trường không hợp lệ: ${fields}`);
  }
  return parsed.data;
}

let cached: Env | null = null;
export function env(): Env {
  return (cached ??= readEnv());
}
export function resetEnv() {
  cached = null;
}
