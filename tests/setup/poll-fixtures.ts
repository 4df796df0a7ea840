// A ward with cadres in positions and a confidence poll over three of them, ready to issue credentials and open.
import { db } from "../../app/db.server";
import { createPoll } from "../../app/polls/polls.server";
import { issueBatch } from "../../app/credentials/credentials.server";
import { openPoll } from "../../app/polls/lifecycle.server";
import type { PollKind } from "../../app/results/tally";
import { createUser, createWards } from "./fixtures";

export async function createPollFixture({ kind = "confidence_poll" as PollKind, k }: { kind?: PollKind; k?: number } = {}) {
  const wards = await createWards();
  const officer = await createUser("mattran", [{ role: "front_officer", unitId: wards.ward.id }]);
  const titles = await db.selectFrom("position_titles").select(["id", "name"]).where("ward_id", "is", null).execute();
  const titleId = (name: string) => titles.find((t) => t.name === name)!.id;
  const positionIds: number[] = [];
  for (const [name, title] of [
    ["Nguyễn Văn Thành", "Bí thư Đảng ủy"],
    ["Lê Minh Đức", "Chủ tịch UBND"],
    ["Vũ Thị Hương", "Chủ tịch UBMTTQ"],
  ] as const) {
    const cadre = await db
      .insertInto("cadres")
      .values({ ward_id: wards.ward.id, full_name: name, birth_year: 1975 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const position = await db
      .insertInto("positions")
      .values({ cadre_id: cadre.id, unit_id: wards.ward.id, title_id: titleId(title), started_on: "2021-07-01" })
      .returning("id")
      .executeTakeFirstOrThrow();
    positionIds.push(position.id);
  }
  const actor = { userId: officer.id, label: officer.username };
  const poll = await createPoll({
    actor,
    input: {
      unitId: wards.ward.id,
      kind,
      title: "Lấy phiếu tín nhiệm cán bộ chủ chốt năm 2026",
      place: "Hội trường UBND phường",
      positionIds,
      groupIds: [wards.group1.id, wards.group2.id],
      committee: [
        { fullName: "Trần Văn Bình", role: "Trưởng ban" },
        { fullName: "Lê Thị Mai", role: "Thành viên" },
      ],
      rules: k === undefined ? undefined : { k },
      // Server key mode: closing counts at once (committee polls are built in app/polls/key-shares.test.ts).
      keyMode: "server",
    },
  });
  return {
    ...wards,
    officer,
    actor,
    pollId: poll.id,
    issue: (groupId: number, count: number) => issueBatch({ actor, pollId: poll.id, groupId, count }),
    open: () => openPoll({ actor, pollId: poll.id }),
  };
}
