import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { migrations } from "./migrations/index";

describe("migrations", () => {
  it("lists every migration file of db/migrations, in timestamp order", () => {
    const files = fs
      .readdirSync(path.join(__dirname, "migrations"))
      .filter((f) => /^\d{8}T\d{6}_[a-z0-9_]+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
  });
});
