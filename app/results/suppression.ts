// Small-cell suppression: the one rule every breakdown goes through before it leaves the system (residential
// groups today; channels and free-text buckets reuse it, since cells are keyed by plain strings). A withheld figure
// is replaced by null, never kept beside a flag, so that no page, export or JSON can leak it. Every withheld cell is
// marked alike, whether under k or withheld beside one: telling them apart would narrow both down (a withheld 1
// and a withheld 5 summing to 6, the one "under k" must be the 1).
//
// The rules:
// - A cell with fewer than k ballots is withheld. Zero counts too: "nobody in this group voted X" (and "all of
//   this group voted Y") is a disclosure about each member of a small group. The one exception is a zero that a
//   published total already makes certain (a line whose total is 0, or a cell whose published bound is 0, such as
//   a group that was issued no slips): hiding it would protect nothing.
// - Complementary suppression: where a line's total is published, one withheld cell could be recovered by
//   subtraction, so the next smallest cell of that line is withheld too; repeated until no line has exactly one.
//   Likewise a line whose withheld cells would add up to 0 (each of them is then 0) gives up its smallest positive
//   cell, and in one dimension a published upper bound (slips issued) is taken into account.
// - In two dimensions (rows × columns, every column total and the grand total published) the rule runs along rows
//   and columns until stable, then an audit checks what subtraction across several lines could reveal: a withheld
//   cell is worked out exactly when it lies on no cycle of withheld cells (a bridge in the graph whose nodes are the
//   lines and whose edges are the withheld cells), so each such cell is joined to a cycle at the least cost.
//   Rows whose total is withheld in the table of ballots per group hang from that table's published total and are
//   kept connected to each other through withheld cells, so that the tables of several subjects, which share those
//   totals, together reveal no more about them than the table of ballots per group does.
// What is not claimed: a full audit of the bounds that non-negative counts allow (that takes linear programming).
// Beyond the zero rule above, withheld cells are protected against exact recovery by adding and subtracting
// published figures; the tests check both by enumeration and by linear algebra on random tables.

/** Below this, a breakdown protects nobody: the smallest k a poll may set. */
export const MIN_K = 3;

export interface CountCell {
  key: string;
  count: number;
  /** An upper bound the reader knows (for a residential group: the slips issued or handed out to it). */
  max?: number;
}

export interface ProtectedCell {
  key: string;
  /** The count, or null when it is withheld. */
  count: number | null;
  suppressed: boolean;
}

function checkK(k: number) {
  if (!Number.isInteger(k) || k < MIN_K) throw new RangeError(`k must be a whole number ≥ ${MIN_K}, got ${k}`);
}

function publish(cell: CountCell, hidden: boolean): ProtectedCell {
  return hidden
    ? { key: cell.key, count: null, suppressed: true }
    : { key: cell.key, count: cell.count, suppressed: false };
}

/** Ascending count, then the order the cells came in: the same input always withholds the same cells. */
function smallest<T extends { count: number; index: number }>(candidates: T[]): T | undefined {
  return candidates.reduce<T | undefined>(
    (best, c) => (!best || c.count < best.count || (c.count === best.count && c.index < best.index) ? c : best),
    undefined
  );
}

// -----------------------------------------------------------------------------------------------------------------
// One dimension: cells that add up to a total (the groups of a poll, the channels of a poll).

/**
 * Withholds the cells under k and, when the line's total is published, enough others that none of them can be
 * recovered. The reader is assumed to know the total and each cell's `max`; when `total` differs from the sum of
 * the cells, the difference is taken as known too (the strictest assumption).
 */
export function suppressCells(cells: CountCell[], { k, total }: { k: number; total?: number }): ProtectedCell[] {
  checkK(k);
  const totalPublished = total !== undefined;
  const lineTotal = cells.reduce((sum, c) => sum + c.count, 0);
  const implied = (c: CountCell) => c.count === 0 && (c.max === 0 || (totalPublished && lineTotal === 0));
  const hidden = cells.map((c) => c.count < k && !implied(c));

  if (totalPublished) {
    for (;;) {
      const withheld = cells.filter((_, i) => hidden[i]);
      if (withheld.length === 0 || withheld.every((c) => !determinedWithin(c, withheld))) break;
      const next = smallest(
        cells
          .map((c, index) => ({ count: c.count, index }))
          .filter(({ index }) => !hidden[index] && !implied(cells[index]))
      );
      if (!next) break;
      hidden[next.index] = true;
    }
  }
  return cells.map((c, i) => publish(c, hidden[i]));
}

/**
 * Whether a reader who knows the sum of the withheld cells and every bound can tell this cell's count exactly:
 * it lies in [max(0, sum − the others' bounds), min(its bound, sum)].
 */
function determinedWithin(cell: CountCell, withheld: CountCell[]): boolean {
  const sum = withheld.reduce((s, c) => s + c.count, 0);
  const othersMax = withheld.filter((c) => c !== cell).reduce((s, c) => s + (c.max ?? Infinity), 0);
  const low = Math.max(0, sum - othersMax);
  const high = Math.min(cell.max ?? Infinity, sum);
  return low >= high;
}

// -----------------------------------------------------------------------------------------------------------------
// Two dimensions: rows (residential groups) × columns (levels of one subject), every column total and the grand
// total published.

export type RowTotal =
  /** The row's total is published (a group's ballots collected, shown). */
  | "published"
  /** Withheld elsewhere (a group hidden in the table of ballots per group): it must stay unknown here too. */
  | "withheld"
  /**
   * A pool of rows whose cells are not known one by one (groups under k and those that joined them, whose ballots
   * carry no group; app/ballots/pooling.ts): every cell is withheld, its total may be worked out from the others'.
   */
  | "pooled";

export interface TableRow {
  key: string;
  /** One cell per column, the same columns in the same order in every row. */
  cells: CountCell[];
  total: RowTotal;
}

export interface ProtectedRow {
  key: string;
  cells: ProtectedCell[];
}

interface Edge {
  a: number;
  b: number;
  /** A withheld cell (row, column), or a row's own total (column -1). */
  row: number;
  column: number;
}

export function suppressTable(rows: TableRow[], { k }: { k: number }): ProtectedRow[] {
  checkK(k);
  if (rows.length === 0) return [];
  const columns = rows[0].cells.length;
  for (const row of rows) {
    if (row.cells.length !== columns) throw new RangeError("Every row of a table has the same columns");
  }
  return new TableSuppression(rows, k).run();
}

class TableSuppression {
  private readonly R: number;
  private readonly C: number;
  /** Node ids: rows 0..R-1, columns R..R+C-1, then the grand total's node. */
  private readonly hub: number;
  private readonly rowSums: number[];
  private readonly columnSums: number[];
  private readonly hidden: boolean[][];
  private readonly sensitive: boolean[][];
  private readonly unfixable = new Set<string>();

  constructor(private readonly rows: TableRow[], private readonly k: number) {
    this.R = rows.length;
    this.C = rows[0].cells.length;
    this.hub = this.R + this.C;
    this.rowSums = rows.map((r) => r.cells.reduce((s, c) => s + c.count, 0));
    this.columnSums = Array.from({ length: this.C }, (_, j) => rows.reduce((s, r) => s + r.cells[j].count, 0));
    this.sensitive = rows.map((row, i) => row.cells.map((cell, j) => cell.count < k && !this.implied(i, j)));
    this.hidden = rows.map((row, i) => row.cells.map((_, j) => row.total === "pooled" || this.sensitive[i][j]));
  }

  /** A zero that a published zero total already states. */
  private implied(i: number, j: number): boolean {
    if (this.rows[i].cells[j].count !== 0) return false;
    return this.columnSums[j] === 0 || (this.rows[i].total === "published" && this.rowSums[i] === 0);
  }

  /** Every withheld cell must stay unknown, except a pool's cells that would have been shown anyway. */
  private needsProtection(i: number, j: number): boolean {
    return this.hidden[i][j] && (this.rows[i].total !== "pooled" || this.sensitive[i][j]);
  }

  private eligible(i: number, j: number): boolean {
    return !this.hidden[i][j] && !this.implied(i, j);
  }

  run(): ProtectedRow[] {
    // Each pass withholds at least one more cell or gives up on one problem for good, so this ends well before.
    const limit = 2 * this.R * this.C + 4 * (this.R + this.C) + 16;
    for (let pass = 0; pass < limit; pass++) {
      const problem = this.nextProblem();
      if (!problem) break;
      const fix = problem.fix();
      if (fix.length === 0) this.unfixable.add(problem.id);
      for (const [i, j] of fix) this.hidden[i][j] = true;
    }
    return this.rows.map((row, i) => ({
      key: row.key,
      cells: row.cells.map((cell, j) => publish(cell, this.hidden[i][j])),
    }));
  }

  private edges(): Edge[] {
    const edges: Edge[] = [];
    for (let i = 0; i < this.R; i++) {
      for (let j = 0; j < this.C; j++) {
        if (this.hidden[i][j]) edges.push({ a: i, b: this.R + j, row: i, column: j });
      }
      if (this.rows[i].total !== "published") edges.push({ a: this.hub, b: i, row: i, column: -1 });
    }
    return edges;
  }

  /** The first thing a reader could still work out, with the cells that would stop it. */
  private nextProblem(): { id: string; fix: () => [number, number][] } | null {
    const edges = this.edges();
    const bridges = findBridges(this.hub + 1, edges);
    const rowTotalKnown = this.rows.map(
      (row, i) => row.total === "published" || edges.some((e, n) => e.column === -1 && e.row === i && bridges.has(n))
    );
    const lines: { id: string; cells: [number, number][] }[] = [];
    for (let i = 0; i < this.R; i++) {
      if (rowTotalKnown[i]) lines.push({ id: `row ${i}`, cells: this.rows[i].cells.map((_, j) => [i, j]) });
    }
    for (let j = 0; j < this.C; j++) {
      lines.push({ id: `column ${j}`, cells: this.rows.map((_, i) => [i, j]) });
    }
    const candidates: { id: string; fix: () => [number, number][] }[] = [];

    // One withheld cell in a line whose total is known: withhold the next smallest of that line.
    for (const line of lines) {
      const withheld = line.cells.filter(([i, j]) => this.hidden[i][j]);
      if (withheld.length === 1 && this.needsProtection(...withheld[0])) {
        candidates.push({ id: `single ${line.id}`, fix: () => this.smallestIn(line.cells, false) });
      }
    }
    // Withheld cells that add up to 0, once the ones worked out elsewhere are set aside: each is 0. Withhold a
    // positive cell of the line, or else put one of its worked-out positive cells on a cycle.
    const bridgeOf = new Map<string, number>();
    edges.forEach((e, n) => bridges.has(n) && e.column >= 0 && bridgeOf.set(`${e.row},${e.column}`, n));
    for (const line of lines) {
      const open = line.cells.filter(([i, j]) => this.hidden[i][j] && !bridgeOf.has(`${i},${j}`));
      if (open.length === 0 || !open.some(([i, j]) => this.needsProtection(i, j))) continue;
      if (open.some(([i, j]) => this.rows[i].cells[j].count > 0)) continue;
      candidates.push({
        id: `zero ${line.id}`,
        fix: () => {
          const inLine = this.smallestIn(line.cells, true);
          if (inLine.length > 0) return inLine;
          const worked = smallest(
            line.cells
              .map(([i, j], index) => ({ index, count: this.rows[i].cells[j].count, edge: bridgeOf.get(`${i},${j}`) }))
              .filter((c) => c.edge !== undefined && c.count > 0)
          );
          return worked ? this.joinAcross(edges, worked.edge!) : [];
        },
      });
    }
    // A withheld cell on no cycle is worked out by adding and subtracting lines.
    edges.forEach((e, n) => {
      if (e.column >= 0 && bridges.has(n) && this.needsProtection(e.row, e.column)) {
        candidates.push({ id: `bridge ${e.row},${e.column}`, fix: () => this.joinAcross(edges, n) });
      }
    });
    // Rows whose totals are withheld must hang together, or a table would tell their totals apart.
    const held = this.rows.flatMap((row, i) => (row.total === "published" ? [] : [i]));
    if (held.length > 1) {
      const component = components(
        this.hub,
        edges.filter((e) => e.column >= 0)
      );
      const first = component[held[0]];
      const apart = held.filter((i) => component[i] !== first);
      if (apart.length > 0) {
        const from = new Set(component.flatMap((c, node) => (c === first ? [node] : [])));
        const to = new Set(component.flatMap((c, node) => (apart.some((i) => component[i] === c) ? [node] : [])));
        candidates.push({ id: "withheld rows", fix: () => this.cheapestPath(edges, from, to, { throughHub: false }) });
      }
    }
    return candidates.find((c) => !this.unfixable.has(c.id)) ?? null;
  }

  /** The smallest cell of a line that may still be withheld (positive only, when zeros would not help). */
  private smallestIn(cells: [number, number][], positive: boolean): [number, number][] {
    const best = smallest(
      cells
        .map(([i, j], index) => ({ i, j, index, count: this.rows[i].cells[j].count }))
        .filter(({ i, j, count }) => this.eligible(i, j) && (!positive || count > 0))
    );
    return best ? [[best.i, best.j]] : [];
  }

  /** Puts a bridge on a cycle: the cheapest path of cells from one side of it to the other. */
  private joinAcross(edges: Edge[], bridge: number): [number, number][] {
    const rest = edges.filter((_, n) => n !== bridge);
    const component = components(this.hub + 1, rest);
    const { a, b } = edges[bridge];
    const from = new Set(component.flatMap((c, node) => (c === component[a] ? [node] : [])));
    const to = new Set(component.flatMap((c, node) => (c === component[b] ? [node] : [])));
    return this.cheapestPath(rest, from, to, { throughHub: true });
  }

  /**
   * Dijkstra over the lines: withheld cells (and withheld row totals, through the hub) cost nothing, a cell that
   * may still be withheld costs its count plus one (fewer and smaller cells first). Returns the cells to withhold.
   */
  private cheapestPath(
    edges: Edge[],
    from: Set<number>,
    to: Set<number>,
    { throughHub }: { throughHub: boolean }
  ): [number, number][] {
    const nodes = this.hub + 1;
    const links: { to: number; cost: number; cell: [number, number] | null }[][] = Array.from(
      { length: nodes },
      () => []
    );
    for (const e of edges) {
      if (!throughHub && (e.a === this.hub || e.b === this.hub)) continue;
      links[e.a].push({ to: e.b, cost: 0, cell: null });
      links[e.b].push({ to: e.a, cost: 0, cell: null });
    }
    for (let i = 0; i < this.R; i++) {
      for (let j = 0; j < this.C; j++) {
        if (!this.eligible(i, j)) continue;
        const cost = this.rows[i].cells[j].count + 1;
        links[i].push({ to: this.R + j, cost, cell: [i, j] });
        links[this.R + j].push({ to: i, cost, cell: [i, j] });
      }
    }
    const distance = new Array<number>(nodes).fill(Infinity);
    const previous: ({ node: number; cell: [number, number] | null } | null)[] = new Array(nodes).fill(null);
    const done = new Array<boolean>(nodes).fill(false);
    for (const node of from) distance[node] = 0;
    for (;;) {
      let node = -1;
      for (let n = 0; n < nodes; n++) {
        if (!done[n] && distance[n] < Infinity && (node === -1 || distance[n] < distance[node])) node = n;
      }
      if (node === -1) return [];
      if (to.has(node)) {
        const cells: [number, number][] = [];
        for (let step = previous[node]; step; step = previous[step.node]) {
          if (step.cell) cells.push(step.cell);
          if (from.has(step.node)) break;
        }
        return cells;
      }
      done[node] = true;
      for (const link of links[node]) {
        if (from.has(link.to) || done[link.to]) continue;
        const d = distance[node] + link.cost;
        if (d < distance[link.to]) {
          distance[link.to] = d;
          previous[link.to] = { node, cell: link.cell };
        }
      }
    }
  }
}

/** Connected components of the nodes 0..nodes-1: the component number of each node. */
function components(nodes: number, edges: Edge[]): number[] {
  const parent = Array.from({ length: nodes }, (_, n) => n);
  const find = (n: number): number => (parent[n] === n ? n : (parent[n] = find(parent[n])));
  for (const e of edges) {
    if (e.a < nodes && e.b < nodes) parent[find(e.a)] = find(e.b);
  }
  return parent.map((_, n) => find(n));
}

/** The edges (by index) that lie on no cycle, in a graph that may have parallel edges (Tarjan). */
function findBridges(nodes: number, edges: Edge[]): Set<number> {
  const adjacent: { to: number; edge: number }[][] = Array.from({ length: nodes }, () => []);
  edges.forEach((e, n) => {
    adjacent[e.a].push({ to: e.b, edge: n });
    adjacent[e.b].push({ to: e.a, edge: n });
  });
  const order = new Array<number>(nodes).fill(-1);
  const low = new Array<number>(nodes).fill(0);
  const bridges = new Set<number>();
  let counter = 0;
  for (let root = 0; root < nodes; root++) {
    if (order[root] !== -1) continue;
    // Iterative depth-first search: tables are small, but recursion depth should not depend on the data.
    const stack: { node: number; via: number; next: number }[] = [{ node: root, via: -1, next: 0 }];
    order[root] = low[root] = counter++;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      if (frame.next < adjacent[frame.node].length) {
        const { to, edge } = adjacent[frame.node][frame.next++];
        if (edge === frame.via) continue;
        if (order[to] === -1) {
          order[to] = low[to] = counter++;
          stack.push({ node: to, via: edge, next: 0 });
        } else {
          low[frame.node] = Math.min(low[frame.node], order[to]);
        }
      } else {
        stack.pop();
        const parent = stack[stack.length - 1];
        if (parent) {
          low[parent.node] = Math.min(low[parent.node], low[frame.node]);
          if (low[frame.node] > order[parent.node]) bridges.add(frame.via);
        }
      }
    }
  }
  return bridges;
}
