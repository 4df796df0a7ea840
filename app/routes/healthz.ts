import { databaseHealth } from "~/db.server";

export async function loader() {
  const health = await databaseHealth();
  const headers = { "Cache-Control": "no-store" };
  if (!health.ok) return Response.json({ status: "error", database: { status: "unavailable" } }, { status: 503, headers });
  const { mode, latencyMs } = health;
  return Response.json({ status: "ok", database: { status: "ok", mode, latencyMs } }, { headers });
}
