// Time and size of the QR slips for one batch (the budget for 10,000: ≤ 10 s and ≤ 15 MB, without blocking the
// server). Run: npx tsx scripts/bench-slips.ts [count]
import { availableParallelism, cpus, loadavg } from "node:os";
import { generateCode } from "../app/credentials/code";
import {
  buildSlipsZip,
  generateSlipsZipInWorker,
  renderSlipsPdf,
  type SlipsInput,
} from "../app/credentials/slips.server";

const count = Number(process.argv[2] ?? 10_000);
const input: SlipsInput = {
  wardName: "Phường Thanh Xuân",
  pollTitle: "Lấy phiếu tín nhiệm đối với người giữ chức vụ chủ chốt của phường năm 2026",
  groupName: "Tổ dân phố số 1",
  baseUrl: "https://phieu.example.vn",
  slips: Array.from({ length: count }, (_, i) => ({ code: generateCode(), seq: i + 1 })),
};

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(2);
/** CPU seconds of the whole process, worker threads included: a figure that other load on the machine inflates less. */
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return ((used.user + used.system) / 1e6).toFixed(2);
};

async function main() {
  console.log(
    `${count} slips on ${availableParallelism()} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}, ` +
      `load average ${loadavg()[0].toFixed(1)}`
  );
  // Fonts and libraries load once per process; the first batch pays for it, as the server's first download would.
  await renderSlipsPdf({ ...input, slips: input.slips.slice(0, 1) });

  let start = performance.now();
  let cpu = process.cpuUsage();
  const pdf = await renderSlipsPdf(input);
  console.log(`PDF, this thread:  ${seconds(start)} s (${cpuSeconds(cpu)} s CPU), ${mb(pdf.length)} MB`);

  start = performance.now();
  cpu = process.cpuUsage();
  const zip = await buildSlipsZip(input);
  console.log(`ZIP, this thread:  ${seconds(start)} s (${cpuSeconds(cpu)} s CPU), ${mb(zip.length)} MB`);

  // The event loop's longest pause while the worker builds the ZIP: what a request arriving meanwhile would wait.
  let longestPause = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longestPause = Math.max(longestPause, now - last);
    last = now;
  }, 10);
  start = performance.now();
  cpu = process.cpuUsage();
  const viaWorker = await generateSlipsZipInWorker(input);
  const took = seconds(start);
  clearInterval(timer);
  console.log(
    `ZIP, worker:       ${took} s (${cpuSeconds(cpu)} s CPU), ${mb(viaWorker.length)} MB; ` +
      `longest event-loop pause ${longestPause.toFixed(0)} ms (timer every 10 ms)`
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
