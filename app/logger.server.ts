import pino from "pino";

// One logger for the process. It never receives URLs, query strings, form bodies or addresses: callers log route
// patterns (see server.ts), so no credential code or answer can reach the logs.
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: undefined,
  redact: { paths: ["req", "headers", "cookie", "url", "body"], remove: true },
  // An error is logged by its name, code, message and stack only: pg's errors carry `detail` ("Key (code_hash)=…"),
  // PGlite's the failed query's `params` (a code's hash, a receipt, a sealed ballot), which pino would copy whole.
  serializers: {
    err: (error: Error & { code?: unknown }) =>
      error instanceof Error ? { type: error.name, code: error.code, message: error.message, stack: error.stack } : error,
  },
});
