import pino from "pino";

// One logger for the process. It never receives URLs, query strings, form bodies or addresses: callers log route
// patterns (see server.ts), so no credential code or answer can reach the logs.
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: undefined,
  redact: { paths: ["req", "headers", "cookie", "url", "body"], remove: true },
});
