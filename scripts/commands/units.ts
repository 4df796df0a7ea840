import { sql } from "kysely";
import { db } from "../../app/db.server";
import { printJson, withDatabase, type Command } from "../cli";

export const unitsList: Command = {
  name: "units list",
  usage: "units list [--json]",
  options: { json: { type: "boolean" } },
  async run({ values }) {
    await withDatabase(async () => {
      const rows = await db
        .selectFrom("units")
        .select(["id", "parent_id", "kind", "name"])
        .orderBy("parent_id", (ob) => ob.nullsFirst())
        .orderBy(sql`lower(name)`)
        .execute();
      if (values.json) return printJson(rows.map((r) => ({ id: r.id, parentId: r.parent_id, kind: r.kind, name: r.name })));
      if (rows.length === 0) return void console.log("Chưa có đơn vị nào.");
      const children = new Map<number | null, typeof rows>();
      for (const row of rows) children.set(row.parent_id, [...(children.get(row.parent_id) ?? []), row]);
      const print = (parent: number | null, depth: number) => {
        for (const row of children.get(parent) ?? []) {
          console.log(`${"  ".repeat(depth)}${row.id}\t${row.name}`);
          print(row.id, depth + 1);
        }
      };
      print(null, 0);
    });
  },
};
