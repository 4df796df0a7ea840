// The demo ward: Phường Thanh Xuân (Hà Nội) with residential groups, key cadres in their positions and one account
// per role. Idempotent: it does nothing once any account exists.
import type { Kysely } from "kysely";
import type { Database, Role } from "../schema";
import { appendAudit } from "../../app/audit/audit.server";
import { hashPassword } from "../../app/auth/password.server";
import { issueBatch } from "../../app/credentials/credentials.server";
import { openPoll } from "../../app/polls/lifecycle.server";
import { createPoll } from "../../app/polls/polls.server";

export const DEMO_PASSWORD = "phieu-demo-2026";

export const DEMO_USERS: { username: string; fullName: string; role: Role; unit: "province" | "ward" | "other" }[] = [
  { username: "admin", fullName: "Quản trị hệ thống", role: "admin", unit: "province" },
  { username: "mattran", fullName: "Nguyễn Thị Hồng Vân", role: "front_officer", unit: "ward" },
  { username: "kiemphieu1", fullName: "Trần Văn Bình", role: "counting_member", unit: "ward" },
  { username: "kiemphieu2", fullName: "Lê Thị Mai", role: "counting_member", unit: "ward" },
  { username: "danguy", fullName: "Phạm Quốc Hùng", role: "committee_reader", unit: "ward" },
  { username: "khuongdinh", fullName: "Đỗ Minh Tuấn", role: "front_officer", unit: "other" },
];

const GROUPS = ["Tổ dân phố số 1", "Tổ dân phố số 2", "Tổ dân phố số 3", "Tổ dân phố số 4", "Tổ dân phố số 5", "Tổ dân phố số 6"];

const CADRES: { name: string; birthYear: number; title: string; group?: number }[] = [
  { name: "Nguyễn Văn Thành", birthYear: 1972, title: "Bí thư Đảng ủy" },
  { name: "Trần Thị Thu Hà", birthYear: 1978, title: "Phó Bí thư Đảng ủy" },
  { name: "Lê Minh Đức", birthYear: 1975, title: "Chủ tịch UBND" },
  { name: "Phạm Thị Lan", birthYear: 1981, title: "Phó Chủ tịch UBND" },
  { name: "Hoàng Văn Nam", birthYear: 1969, title: "Chủ tịch HĐND" },
  { name: "Vũ Thị Hương", birthYear: 1976, title: "Chủ tịch UBMTTQ" },
  { name: "Đặng Quang Huy", birthYear: 1990, title: "Bí thư Đoàn Thanh niên" },
  { name: "Bùi Thị Ngọc Ánh", birthYear: 1983, title: "Chủ tịch Hội Liên hiệp Phụ nữ" },
  { name: "Ngô Văn Khải", birthYear: 1958, title: "Tổ trưởng tổ dân phố", group: 0 },
  { name: "Đinh Thị Thoa", birthYear: 1962, title: "Tổ trưởng tổ dân phố", group: 1 },
];

export const DEMO_POLL_TITLE = "Lấy phiếu tín nhiệm cán bộ chủ chốt phường năm 2026";

/**
 * Seeds the demo ward, then opens a demo poll and issues five slips, whose codes are returned to be printed once
 * (they are stored only as hashes). Expects `db` (app/db.server) to be the database passed in.
 */
export async function seedDemo(db: Kysely<Database>): Promise<{ seeded: false } | { seeded: true; ballotCodes: string[] }> {
  const anyUser = await db.selectFrom("users").select("id").limit(1).executeTakeFirst();
  if (anyUser) return { seeded: false };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction().execute(async (tx) => {
    const unit = (parent_id: number | null, kind: "province" | "ward" | "residential_group", name: string) =>
      tx.insertInto("units").values({ parent_id, kind, name }).returning("id").executeTakeFirstOrThrow();
    const province = await unit(null, "province", "Thành phố Hà Nội");
    const ward = await unit(province.id, "ward", "Phường Thanh Xuân");
    const other = await unit(province.id, "ward", "Phường Khương Đình");
    const groups = [];
    for (const name of GROUPS) groups.push(await unit(ward.id, "residential_group", name));
    await unit(other.id, "residential_group", "Tổ dân phố số 1");

    const titles = await tx.selectFrom("position_titles").select(["id", "name"]).where("ward_id", "is", null).execute();
    const titleId = (name: string) => titles.find((t) => t.name === name)!.id;
    for (const cadre of CADRES) {
      const row = await tx
        .insertInto("cadres")
        .values({ ward_id: ward.id, full_name: cadre.name, birth_year: cadre.birthYear })
        .returning("id")
        .executeTakeFirstOrThrow();
      await tx
        .insertInto("positions")
        .values({
          cadre_id: row.id,
          unit_id: cadre.group === undefined ? ward.id : groups[cadre.group].id,
          title_id: titleId(cadre.title),
          started_on: "2021-07-01",
        })
        .execute();
    }

    const unitIds = { province: province.id, ward: ward.id, other: other.id };
    for (const user of DEMO_USERS) {
      const row = await tx
        .insertInto("users")
        .values({ username: user.username, full_name: user.fullName, password_hash: passwordHash })
        .returning("id")
        .executeTakeFirstOrThrow();
      await tx
        .insertInto("grants")
        .values({ user_id: row.id, role: user.role, unit_id: user.unit === "province" ? null : unitIds[user.unit] })
        .execute();
    }
    await appendAudit(tx, {
      actor: { userId: null, label: "system" },
      unitId: ward.id,
      action: "demo.seed",
      details: { ward: "Phường Thanh Xuân", groups: GROUPS.length, cadres: CADRES.length, users: DEMO_USERS.length },
    });
  });
  return { seeded: true, ballotCodes: await seedDemoPoll(db) };
}

async function seedDemoPoll(db: Kysely<Database>): Promise<string[]> {
  const ward = await db.selectFrom("units").select("id").where("name", "=", "Phường Thanh Xuân").executeTakeFirstOrThrow();
  const officer = await db.selectFrom("users").select(["id", "username"]).where("username", "=", "mattran").executeTakeFirstOrThrow();
  const positions = await db
    .selectFrom("positions")
    .select("id")
    .where("unit_id", "=", ward.id)
    .where("ended_on", "is", null)
    .execute();
  const groups = await db.selectFrom("units").select(["id", "name"]).where("parent_id", "=", ward.id).orderBy("name").execute();
  const actor = { userId: officer.id, label: officer.username };
  const poll = await createPoll({
    actor,
    input: {
      unitId: ward.id,
      kind: "confidence_poll",
      title: DEMO_POLL_TITLE,
      place: "Hội trường UBND phường Thanh Xuân",
      positionIds: positions.map((p) => p.id),
      groupIds: groups.map((g) => g.id),
      committee: [
        { fullName: "Trần Văn Bình", role: "Trưởng ban" },
        { fullName: "Lê Thị Mai", role: "Thành viên" },
        { fullName: "Nguyễn Thị Hồng Vân", role: "Thư ký" },
      ],
      // Server key mode, so that a newcomer can close and count the demo poll at once (from its page or the command
      // line); its pages say what that mode does not defend against.
      keyMode: "server",
    },
  });
  const { slips, batchId } = await issueBatch({ actor, pollId: poll.id, groupId: groups[0].id, count: 5 });
  await db.updateTable("credential_batches").set({ handed_out: 5 }).where("id", "=", batchId).execute();
  await openPoll({ actor, pollId: poll.id });
  return slips.map((s) => s.code);
}
