// The admin command line: `npm run phieu -- <command>`. Every command exits non-zero with a clear message on failure.
import { auditVerify } from "./commands/audit";
import { importCommand } from "./commands/import";
import { credentialsIssue } from "./commands/credentials";
import { pollsClose, pollsList, pollsOpen, pollsTally } from "./commands/polls";
import { unitsList } from "./commands/units";
import { createAdmin } from "./commands/users";
import { CliError, parseCommandArgs, type Command } from "./cli";

const commands: Command[] = [
  createAdmin,
  unitsList,
  importCommand,
  pollsList,
  pollsOpen,
  pollsClose,
  pollsTally,
  credentialsIssue,
  auditVerify,
];

async function main(argv: string[]) {
  const command = commands
    .filter((c) => c.name.split(" ").every((word, i) => argv[i] === word))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!command) {
    const asked = argv.slice(0, 2).join(" ");
    throw new CliError(
      `${asked ? `Không có lệnh "${asked}". ` : ""}Các lệnh:\n` + commands.map((c) => `  npm run phieu -- ${c.usage}`).join("\n"),
    );
  }
  const args = parseCommandArgs(command, argv.slice(command.name.split(" ").length));
  await command.run(args);
}

process.env.LOG_LEVEL ??= "warn";
main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error) => {
    if (error instanceof CliError) console.error(error.message);
    else console.error("Lỗi:", error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
