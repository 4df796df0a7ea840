import { describe, expect, it } from "vitest";
import { MIN_K, suppressCells, suppressTable, type ProtectedRow, type TableRow } from "./suppression";

const line = (...counts: number[]) => counts.map((count, i) => ({ key: `g${i + 1}`, count }));
const withheld = (cells: { key: string; suppressed: boolean }[]) => cells.filter((c) => c.suppressed).map((c) => c.key);

/** A table from rows of counts, every row total published unless said otherwise. */
function table(counts: number[][], totals: TableRow["total"][] = []): TableRow[] {
  return counts.map((row, i) => ({
    key: `r${i + 1}`,
    total: totals[i] ?? "published",
    cells: row.map((count, j) => ({ key: `c${j + 1}`, count })),
  }));
}
const hiddenCells = (rows: ProtectedRow[]) =>
  rows.flatMap((row) => row.cells.filter((c) => c.suppressed).map((c) => `${row.key}.${c.key}`));

describe("suppressing one line of cells (groups of a poll, channels)", () => {
  it("hides one small group and the next smallest when the total is published", () => {
    const cells = suppressCells(line(30, 2, 55, 40), { k: 5, total: 127 });
    expect(withheld(cells)).toEqual(["g1", "g2"]);
    expect(cells).toEqual([
      { key: "g1", count: null, suppressed: true },
      { key: "g2", count: null, suppressed: true },
      { key: "g3", count: 55, suppressed: false },
      { key: "g4", count: 40, suppressed: false },
    ]);
  });

  it("hides two small groups and nothing more: neither can be told from their sum", () => {
    expect(withheld(suppressCells(line(30, 2, 55, 3), { k: 5, total: 90 }))).toEqual(["g2", "g4"]);
  });

  it("hides nothing when no group is small", () => {
    const cells = suppressCells(line(30, 5, 55), { k: 5, total: 90 });
    expect(withheld(cells)).toEqual([]);
    expect(cells.map((c) => c.count)).toEqual([30, 5, 55]);
  });

  it("needs no second cell when the total is not published", () => {
    expect(withheld(suppressCells(line(30, 2, 55), { k: 5 }))).toEqual(["g2"]);
  });

  it("shows a count of exactly k and hides one below it (k = 3)", () => {
    const cells = suppressCells(line(3, 2, 20, 1), { k: 3, total: 26 });
    expect(withheld(cells)).toEqual(["g2", "g4"]);
    expect(cells[0]).toEqual({ key: "g1", count: 3, suppressed: false });
  });

  it("hides an empty group among voting ones, since it says that every member abstained", () => {
    expect(withheld(suppressCells(line(0, 30, 40), { k: 5, total: 70 }))).toEqual(["g1", "g2"]);
  });

  it("hides a positive group besides two empty ones, or both would be known to be 0", () => {
    expect(withheld(suppressCells(line(0, 0, 30, 40), { k: 5, total: 70 }))).toEqual(["g1", "g2", "g3"]);
  });

  it("shows all-zero groups as they are: the published total of 0 already says so", () => {
    const cells = suppressCells(line(0, 0, 0), { k: 5, total: 0 });
    expect(withheld(cells)).toEqual([]);
    expect(cells.map((c) => c.count)).toEqual([0, 0, 0]);
  });

  it("shows a zero that a published bound of 0 makes certain (a group issued no slips)", () => {
    const cells = suppressCells(
      [
        { key: "none issued", count: 0, max: 0 },
        { key: "a", count: 30, max: 40 },
        { key: "b", count: 40, max: 50 },
      ],
      { k: 5, total: 70 }
    );
    expect(withheld(cells)).toEqual([]);
  });

  it("takes published bounds into account: two full groups would give each other away", () => {
    // 3 of 3 slips used and 6 of 6: knowing the sum 9, each is pinned to its bound; a third group must go.
    const cells = suppressCells(
      [
        { key: "a", count: 3, max: 3 },
        { key: "b", count: 6, max: 6 },
        { key: "c", count: 40, max: 60 },
        { key: "d", count: 50, max: 60 },
      ],
      { k: 5, total: 99 }
    );
    expect(withheld(cells)).toEqual(["a", "b", "c"]);
  });

  it("breaks ties in the order the cells came in", () => {
    expect(withheld(suppressCells(line(30, 2, 30), { k: 5, total: 62 }))).toEqual(["g1", "g2"]);
  });

  it("refuses a k below 3", () => {
    expect(MIN_K).toBe(3);
    expect(() => suppressCells(line(1, 2), { k: 2, total: 3 })).toThrow(RangeError);
    expect(() => suppressTable(table([[1, 2]]), { k: 2 })).toThrow(RangeError);
  });

  it("never leaves a withheld cell that a reader can pin down (every small line, checked by enumeration)", () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let trial = 0; trial < 300; trial++) {
      const cells = Array.from({ length: 2 + random(4) }, (_, i) => {
        const max = random(12);
        return { key: `g${i}`, count: random(max + 1), max };
      });
      const total = cells.reduce((s, c) => s + c.count, 0);
      const result = suppressCells(cells, { k: 3, total });
      const hidden = cells.filter((_, i) => result[i].suppressed);
      for (const [i, c] of cells.entries()) {
        if (c.count < 3 && !(c.count === 0 && (c.max === 0 || total === 0))) expect(result[i].suppressed).toBe(true);
      }
      // Nothing left to withhold beside a small group (the others were issued no slips): nothing can protect it.
      const exhausted = cells.every((c, i) => result[i].suppressed || c.max === 0);
      if (hidden.length === 0 || exhausted) continue;
      // Every assignment of the withheld cells within their bounds that adds up to the same sum.
      const sum = hidden.reduce((s, c) => s + c.count, 0);
      const seen = hidden.map(() => new Set<number>());
      const walk = (i: number, left: number, values: number[]) => {
        if (i === hidden.length) {
          if (left === 0) values.forEach((v, j) => seen[j].add(v));
          return;
        }
        for (let v = 0; v <= Math.min(hidden[i].max, left); v++) walk(i + 1, left - v, [...values, v]);
      };
      walk(0, sum, []);
      for (const values of seen) expect(values.size).toBeGreaterThan(1);
    }
  });
});

describe("suppressing a table (residential groups × levels of one subject)", () => {
  it("follows a single hidden cell along its row, then along the columns, until stable", () => {
    const rows = suppressTable(
      table([
        [20, 2, 30],
        [15, 25, 40],
        [18, 30, 35],
      ]),
      { k: 5 }
    );
    // 2 alone in row 1 → 20 beside it; 20 alone in column 1 → 15 below it; 15 alone in row 2 → 25 beside it.
    expect(hiddenCells(rows)).toEqual(["r1.c1", "r1.c2", "r2.c1", "r2.c2"]);
    expect(rows[2].cells.map((c) => c.count)).toEqual([18, 30, 35]);
    expect(rows[0].cells.map((c) => c.count)).toEqual([null, null, 30]);
  });

  it("needs nothing more when the small cells already form a rectangle", () => {
    const rows = suppressTable(
      table([
        [20, 2, 3],
        [15, 4, 1],
        [18, 30, 35],
      ]),
      { k: 5 }
    );
    expect(hiddenCells(rows)).toEqual(["r1.c2", "r1.c3", "r2.c2", "r2.c3"]);
  });

  it("hides nothing when every cell reaches k, and keeps zeros of an all-zero column", () => {
    const rows = suppressTable(
      table([
        [20, 5, 0],
        [15, 9, 0],
      ]),
      { k: 5 }
    );
    expect(hiddenCells(rows)).toEqual([]);
  });

  it("hides nothing in an all-zero table", () => {
    expect(
      hiddenCells(
        suppressTable(
          table([
            [0, 0, 0],
            [0, 0, 0],
          ]),
          { k: 5 }
        )
      )
    ).toEqual([]);
  });

  it("hides a zero in a column that has votes, and whatever then keeps it from being known to be 0", () => {
    const rows = suppressTable(
      table([
        [12, 0],
        [20, 9],
        [30, 7],
      ]),
      { k: 5 }
    );
    // The 0 alone in its row → 12 beside it; 12 alone in its column → 20 below it; 20 alone in its row → 9.
    expect(hiddenCells(rows)).toEqual(["r1.c1", "r1.c2", "r2.c1", "r2.c2"]);
  });

  it("breaks a chain that subtraction across several lines would unravel", () => {
    // Two separate rectangles of hidden cells joined by one hidden cell: that one lies on no cycle.
    const rows = suppressTable(
      table([
        [1, 2, 50, 60, 70],
        [3, 4, 2, 60, 70],
        [50, 60, 1, 2, 70],
        [50, 60, 3, 4, 70],
        [90, 90, 90, 90, 90],
      ]),
      { k: 5 }
    );
    // The line rule alone leaves the joining cell on no cycle: one more cell (the cheapest) closes one through it.
    expect(rows.flatMap((r) => r.cells).filter((c) => c.suppressed)).toHaveLength(10);
    expectNothingRecoverable(
      table([
        [1, 2, 50, 60, 70],
        [3, 4, 2, 60, 70],
        [50, 60, 1, 2, 70],
        [50, 60, 3, 4, 70],
        [90, 90, 90, 90, 90],
      ]),
      rows
    );
  });

  it("withholds every cell of a pool of small groups and protects the small ones among them", () => {
    // Group 7 shown as a row; groups of 4 and 2 pooled (their ballots carry no group).
    const rows = suppressTable(
      table(
        [
          [5, 1, 1, 0],
          [3, 2, 1, 0],
        ],
        ["published", "pooled"]
      ),
      { k: 5 }
    );
    expect(rows[1].cells.every((c) => c.suppressed && c.count === null)).toBe(true);
    // The pool's 3 would be group 7's column total minus 5: the 5 goes too. The blank column is 0 throughout.
    expect(rows[0].cells.map((c) => c.count)).toEqual([null, null, null, 0]);
  });

  it("keeps a pool of small groups from showing that all of them voted alike", () => {
    // The pool's 5 could be read off its column; with its row total known, its zeros would then say "all 5 voted
    // the first level". A cell of the first column is withheld beside it.
    const rows = suppressTable(
      table(
        [
          [30, 7, 1],
          [40, 8, 2],
          [5, 0, 0],
        ],
        ["published", "published", "pooled"]
      ),
      { k: 5 }
    );
    expect(rows[2].cells.every((c) => c.suppressed)).toBe(true);
    expect(rows.slice(0, 2).some((r) => r.cells[0].suppressed)).toBe(true);
  });

  it("ties rows whose totals are withheld elsewhere to each other, so that no table tells them apart", () => {
    const input = table(
      [
        [40, 8, 6],
        [30, 9, 7],
        [50, 20, 10],
      ],
      ["withheld", "withheld", "published"]
    );
    const rows = suppressTable(input, { k: 5 });
    // Nothing is small, yet a row shown whole would state its withheld total.
    expect(hiddenCells(rows)).toEqual(["r1.c3", "r2.c3"]);
    expectNothingRecoverable(input, rows);
  });

  it("never leaves a protected cell that adding and subtracting published figures recovers", () => {
    let seed = 11;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let trial = 0; trial < 200; trial++) {
      const R = 2 + random(5);
      const C = 2 + random(3);
      const totals: TableRow["total"][] = Array.from({ length: R }, () => "published");
      const held = random(3);
      for (let n = 0; n < held && n < R; n++) totals[n] = held === 1 && n === 0 ? "pooled" : "withheld";
      if (random(3) === 0) totals[R - 1] = "pooled";
      const input = table(
        Array.from({ length: R }, () => Array.from({ length: C }, () => (random(3) === 0 ? random(5) : random(40)))),
        totals
      );
      const rows = suppressTable(input, { k: 5 });
      // Protection is impossible for a lone withheld total, which a one-dimensional table never leaves.
      const lone = totals.filter((t) => t === "withheld").length === 1 && !totals.includes("pooled");
      if (!lone) expectNothingRecoverable(input, rows, JSON.stringify({ input, rows }));
    }
  });
  it("leaves no protected cell that non-negative counts pin down, whenever more could have been withheld", () => {
    let seed = 5;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    let checked = 0;
    for (let trial = 0; trial < 1500; trial++) {
      const R = 2 + random(2);
      const C = 2 + random(2);
      const totals: TableRow["total"][] = Array.from({ length: R }, () => "published");
      const mode = random(4);
      if (mode === 1) totals.splice(0, 2, "withheld", "withheld");
      if (mode === 2) totals[R - 1] = "pooled";
      if (mode === 3)
        totals.splice(0, R, ...totals.map((_, i) => (i === 0 ? "withheld" : i === R - 1 ? "pooled" : "published")));
      const counts = Array.from({ length: R }, () => Array.from({ length: C }, () => random(6)));
      const input = table(counts, totals);
      const hidden = suppressTable(input, { k: 3 }).map((r) => r.cells.map((c) => c.suppressed));
      const unknown = hidden.flatMap((row, i) => row.flatMap((h, j) => (h ? [[i, j] as const] : [])));
      const colTotals = Array.from({ length: C }, (_, j) => counts.reduce((s, r) => s + r[j], 0));
      const rowTotals = counts.map((r) => r.reduce((a, b) => a + b, 0));
      const implied = (i: number, j: number) =>
        counts[i][j] === 0 && (colTotals[j] === 0 || (totals[i] === "published" && rowTotals[i] === 0));
      // A cell that could still have been withheld: otherwise the table has nothing left to protect with.
      const exhausted = counts.every((r, i) => r.every((_, j) => hidden[i][j] || implied(i, j)));
      if (unknown.length > 7 || exhausted) continue;
      checked++;
      // Every table of non-negative counts that agrees with everything published.
      const seen = unknown.map(() => new Set<number>());
      const values = counts.map((r) => [...r]);
      const walk = (n: number) => {
        if (n === unknown.length) {
          if (colTotals.some((t, j) => values.reduce((s, r) => s + r[j], 0) !== t)) return;
          if (totals.some((t, i) => t === "published" && values[i].reduce((a, b) => a + b, 0) !== rowTotals[i])) return;
          unknown.forEach(([i, j], m) => seen[m].add(values[i][j]));
          return;
        }
        const [i, j] = unknown[n];
        for (let v = 0; v <= colTotals[j]; v++) {
          values[i][j] = v;
          walk(n + 1);
        }
        values[i][j] = counts[i][j];
      };
      walk(0);
      unknown.forEach(([i, j], m) => {
        const mustHold = totals[i] !== "pooled" || (counts[i][j] < 3 && !implied(i, j));
        if (mustHold) expect(seen[m].size, JSON.stringify({ counts, totals, hidden, i, j })).toBeGreaterThan(1);
      });
    }
    expect(checked).toBeGreaterThan(150);
  });
});

/**
 * Independent check by linear algebra: with the withheld cells and withheld row totals as unknowns and every
 * published total as an equation, an unknown is recovered exactly when its unit vector lies in the row space.
 */
function expectNothingRecoverable(input: TableRow[], output: ProtectedRow[], label = "") {
  const R = input.length;
  const C = input[0].cells.length;
  const unknowns: { row: number; column: number }[] = [];
  output.forEach((row, i) => row.cells.forEach((c, j) => c.suppressed && unknowns.push({ row: i, column: j })));
  input.forEach((row, i) => row.total !== "published" && unknowns.push({ row: i, column: -1 }));
  const index = (row: number, column: number) => unknowns.findIndex((u) => u.row === row && u.column === column);
  const equations: number[][] = [];
  for (let i = 0; i < R; i++) {
    const eq = new Array(unknowns.length).fill(0);
    for (let j = 0; j < C; j++) if (index(i, j) >= 0) eq[index(i, j)] = 1;
    if (index(i, -1) >= 0) eq[index(i, -1)] = -1;
    equations.push(eq);
  }
  for (let j = 0; j < C; j++) {
    const eq = new Array(unknowns.length).fill(0);
    for (let i = 0; i < R; i++) if (index(i, j) >= 0) eq[index(i, j)] = 1;
    equations.push(eq);
  }
  equations.push(unknowns.map((u) => (u.column === -1 ? 1 : 0)));
  const base = rank(equations);
  unknowns.forEach((u, n) => {
    const row = input[u.row];
    const count = u.column >= 0 ? row.cells[u.column].count : 0;
    const columnTotal = input.reduce((sum, r) => sum + (u.column >= 0 ? r.cells[u.column].count : 0), 0);
    const sensitive = u.column >= 0 && count < 5 && !(count === 0 && columnTotal === 0);
    // A pool's total and its cells of k or more may be worked out; everything else withheld must not.
    const mustHold = u.column === -1 ? row.total === "withheld" : row.total !== "pooled" || sensitive;
    if (!mustHold) return;
    const unit = unknowns.map((_, m) => (m === n ? 1 : 0));
    expect(rank([...equations, unit]), `row ${u.row} column ${u.column} is recoverable ${label}`).toBeGreaterThan(base);
  });
}

function rank(matrix: number[][]): number {
  const m = matrix.map((row) => [...row]);
  let r = 0;
  const columns = m[0]?.length ?? 0;
  for (let c = 0; c < columns && r < m.length; c++) {
    let pivot = r;
    for (let i = r + 1; i < m.length; i++) if (Math.abs(m[i][c]) > Math.abs(m[pivot][c])) pivot = i;
    if (Math.abs(m[pivot][c]) < 1e-9) continue;
    [m[r], m[pivot]] = [m[pivot], m[r]];
    for (let i = 0; i < m.length; i++) {
      if (i === r) continue;
      const f = m[i][c] / m[r][c];
      for (let j = c; j < columns; j++) m[i][j] -= f * m[r][j];
    }
    r++;
  }
  return r;
}
