import { sql } from "kysely";
import { currentDatabase, db } from "~/db.server";

export async function loader() {
  const started = Date.now();
  try {
    await sql`select 1`.execute(db);
    return Response.json(
      { status: "ok", database: { status: "ok", mode: currentDatabase().mode, latencyMs: Date.now() - started } },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch {
    return Response.json(
      { status: "error", database: { status: "unavailable" } },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
}
