import { getPoll, listAllPolls } from "../../app/polls/polls.server";
import { closePoll, openPoll, PollStateError } from "../../app/polls/lifecycle.server";
import { readTally } from "../../app/polls/publish.server";
import { CliError, printJson, withDatabase, type Command } from "../cli";

const CLI_ACTOR = { userId: null, label: "cli" };

function pollIdArg(positionals: string[], usage: string): number {
  const id = Number(positionals[0]);
  if (positionals.length !== 1 || !Number.isSafeInteger(id) || id <= 0) {
    throw new CliError(`Cần đúng một mã cuộc lấy phiếu (số nguyên dương).\nCách dùng: npm run phieu -- ${usage}`);
  }
  return id;
}

const STATE_MESSAGES: Record<PollStateError["reason"], string> = {
  notFound: "Không tìm thấy cuộc lấy phiếu này.",
  wrongState: "Cuộc lấy phiếu không ở trạng thái cho phép thao tác này",
  noSubjects: "Cuộc lấy phiếu chưa có người được lấy phiếu.",
  noGroups: "Cuộc lấy phiếu chưa có tổ dân phố tham gia.",
  committeeIncomplete: "Ban kiểm phiếu chưa đủ thành viên có tài khoản để chia khóa.",
  committeeNotEnrolled: "Còn thành viên giữ khóa chưa tạo khóa kiểm phiếu:",
  serverKeyMissing:
    "Không tìm thấy tệp khóa của cuộc lấy phiếu trong thư mục khóa (PHIEU_KEY_DIR); chưa đóng, hòm phiếu vẫn nguyên vẹn.",
};

function explain(error: unknown): never {
  if (error instanceof PollStateError) {
    if (error.reason === "committeeNotEnrolled") throw new CliError(`${STATE_MESSAGES[error.reason]} ${error.names.join(", ")}.`);
    const status = error.status ? ` (đang: ${error.status}).` : "";
    throw new CliError(STATE_MESSAGES[error.reason] + status);
  }
  throw error;
}

const KEY_MODE_WORDS: Record<string, string> = {
  committee: "khóa: ban kiểm phiếu",
  server: "khóa: máy chủ (người vận hành máy chủ mở được phiếu cho đến khi kiểm)",
};

export const pollsList: Command = {
  name: "polls list",
  usage: "polls list [--json]",
  options: { json: { type: "boolean" } },
  async run({ values }) {
    await withDatabase(async () => {
      const polls = await listAllPolls();
      const rows = polls.map((p) => ({
        id: p.id,
        title: p.title,
        kind: p.kind,
        status: p.status,
        keyMode: p.key_mode,
        unitId: p.unit_id,
        unitName: p.unit_name,
        groupIds: p.group_ids,
        openedAt: p.opened_at,
        closedAt: p.closed_at,
        publishedAt: p.published_at,
      }));
      if (values.json) return printJson(rows);
      if (rows.length === 0) return void console.log("Chưa có cuộc lấy phiếu nào.");
      for (const r of rows) console.log(`${r.id}\t${r.status}\t${KEY_MODE_WORDS[r.keyMode]}\t${r.unitName}\t${r.title}`);
    });
  },
};

export const pollsOpen: Command = {
  name: "polls open",
  usage: "polls open <id>",
  async run({ positionals }) {
    const pollId = pollIdArg(positionals, this.usage);
    await withDatabase(async () => {
      await openPoll({ actor: CLI_ACTOR, pollId }).catch(explain);
      console.log(`Đã mở cuộc lấy phiếu ${pollId}.`);
    });
  },
};

export const pollsClose: Command = {
  name: "polls close",
  usage: "polls close <id>",
  async run({ positionals }) {
    const pollId = pollIdArg(positionals, this.usage);
    await withDatabase(async () => {
      const { ballotsCounted } = await closePoll({ actor: CLI_ACTOR, pollId }).catch(explain);
      console.log(
        ballotsCounted === null
          ? `Đã đóng cuộc lấy phiếu ${pollId}; phiếu sẽ được kiểm khi ban kiểm phiếu nhập đủ mảnh khóa.`
          : `Đã đóng cuộc lấy phiếu ${pollId} và kiểm ${ballotsCounted} phiếu.`,
      );
    });
  },
};

export const pollsTally: Command = {
  name: "polls tally",
  usage: "polls tally <id> [--json]",
  options: { json: { type: "boolean" } },
  async run({ positionals, values }) {
    const pollId = pollIdArg(positionals, this.usage);
    await withDatabase(async () => {
      if (!(await getPoll({ pollId }))) throw new CliError("Không tìm thấy cuộc lấy phiếu này.");
      const result = await readTally({ pollId });
      if (!result) throw new CliError("Chưa có kết quả: cuộc lấy phiếu chưa đóng.");
      if (values.json) return printJson({ ...result.tally, tallyHash: result.hash, frozen: result.frozen });
      for (const s of result.tally.subjects) {
        const parts = result.tally.levels.map((l) => `${l} ${s.counts[l]} (${s.percentages[l]}%)`);
        console.log(`${s.fullName} — ${s.title}: ${parts.join(", ")}, để trống ${s.invalid}${s.flags.length ? ` [${s.flags.join(", ")}]` : ""}`);
      }
      const inv = result.tally.invariant;
      console.log(`Biên nhận ${inv.receipts} = mã đã dùng ${inv.credentialsUsed} = phiếu đã kiểm ${inv.ballotsCounted}: ${inv.holds ? "khớp" : "KHÔNG KHỚP"}`);
    });
  },
};
