import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PGliteDialect, sql } from "kysely";
import { Migrator } from "kysely/migration";
import { describe, expect, it } from "vitest";
import { migrateToLatest } from "./migrate";
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

describe("20261207T180000_keep_keys_out_of_the_database", () => {
  it("refuses to upgrade while a poll opened under the old key scheme awaits its count, and drops the wrapped key once none does", async () => {
    const pglite = await PGlite.create();
    const db = new Kysely<any>({ dialect: new PGliteDialect({ pglite }) });
    try {
      const before = "20261129T041000_drop_counted_ballots_foreign_keys";
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo(before)).error).toBeUndefined();
      const ward = await db
        .insertInto("units")
        .values({ name: "Phường Thanh Xuân", kind: "ward" })
        .returning("id")
        .executeTakeFirstOrThrow();
      const user = await db
        .insertInto("users")
        .values({ username: "mattran", full_name: "Cán bộ", password_hash: "x" })
        .returning("id")
        .executeTakeFirstOrThrow();
      const poll = await db
        .insertInto("polls")
        .values({
          unit_id: ward.id,
          kind: "confidence_poll",
          title: "Cũ",
          place: "Hội trường",
          rules: "{}",
          created_by: user.id,
          status: "open",
          wrapped_private_key: Buffer.alloc(60, 1),
        })
        .returning("id")
        .executeTakeFirstOrThrow();

      await expect(migrateToLatest(db)).rejects.toThrow(`cuộc lấy phiếu số ${poll.id} đang mở hoặc chờ kiểm phiếu`);
      const columns = async () =>
        (
          await sql<{ column_name: string }>`
            select column_name from information_schema.columns where table_name = 'polls'`.execute(db)
        ).rows.map((r) => r.column_name);
      expect(await columns()).toContain("wrapped_private_key");

      await db.updateTable("polls").set({ status: "closed", counted_at: new Date() }).execute();
      await migrateToLatest(db);
      expect(await columns()).not.toContain("wrapped_private_key");
      const tables = await sql<{ n: string }>`
        select count(*) as n from information_schema.tables where table_name = 'poll_key_shares'`.execute(db);
      expect(Number(tables.rows[0].n)).toBe(0);
    } finally {
      await db.destroy();
    }
  });
});
