// The browser holds only the catalogs its routes load (decision 012). A route that shows a key from a catalog it did
// not load renders the text on the server and the bare key in the browser: a hydration mismatch, then a page that
// reads "ballots.review.title". These tests read every route's browser module graph, as the Remix compiler bundles
// it, and fail on any message key written in it whose catalog neither the route nor root loads.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ALL_CATALOGS } from "./catalogs.server";
import type { MessageCatalog } from "./i18n";

const APP = path.resolve(import.meta.dirname, "..");
const MESSAGES = path.join(APP, "i18n/messages");
const SERVER_ONLY = /\.server\.[jt]sx?$/;

/** Every catalog by its name (its file's), and which catalog holds each key. */
const catalogs = new Map<string, MessageCatalog>();
const catalogOfKey = new Map<string, string>();
for (const file of fs.readdirSync(MESSAGES).filter((f) => f.endsWith(".ts"))) {
  const name = file.replace(/\.ts$/, "");
  const catalog = ((await import(path.join(MESSAGES, file))) as { default: MessageCatalog }).default;
  catalogs.set(name, catalog);
  for (const key of Object.keys(catalog.vi)) catalogOfKey.set(key, name);
}

interface Module {
  file: string;
  /** Imports the browser bundle follows: value imports of the app's own modules. */
  imports: string[];
  /** Catalogs imported by value: catalog name by local identifier. */
  catalogImports: Map<string, string>;
  /** Identifiers passed to `loadCatalogs(...)`. */
  loads: string[];
  /** Message keys written in the module, with the catalog each comes from. */
  keys: { key: string; catalog: string }[];
  /** Whether it has a default export: a route without one has no page (a file, a redirect). */
  hasDefault: boolean;
}

function resolve(from: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith("~/")) base = path.join(APP, specifier.slice(2));
  else if (specifier.startsWith(".")) base = path.resolve(path.dirname(from), specifier);
  else return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** A string that names a key, or a key's beginning ("ballots.level." before `${level}`): its catalog. */
function catalogOfText(text: string): string | null {
  const exact = catalogOfKey.get(text);
  if (exact) return exact;
  if (!/^[a-zA-Z]+\.(?:[\w]+\.)*$/.test(text)) return null;
  for (const [key, catalog] of catalogOfKey) if (key.startsWith(text)) return catalog;
  return null;
}

const modules = new Map<string, Module>();

function readModule(file: string): Module {
  const cached = modules.get(file);
  if (cached) return cached;
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const module: Module = { file, imports: [], catalogImports: new Map(), loads: [], keys: [], hasDefault: false };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly : node.isTypeOnly;
      const specifier = node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text;
      const target = specifier ? resolve(file, specifier) : null;
      if (!typeOnly && target) {
        if (path.dirname(target) === MESSAGES) {
          const name = ts.isImportDeclaration(node) ? node.importClause?.name?.text : undefined;
          if (name) module.catalogImports.set(name, path.basename(target).replace(/\.ts$/, ""));
        } else module.imports.push(target);
      }
      return;
    }
    if (ts.isExportAssignment(node)) module.hasDefault = true;
    if (
      (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) &&
      node.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)
    ) {
      module.hasDefault = true;
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "loadCatalogs") {
      for (const arg of node.arguments) if (ts.isIdentifier(arg)) module.loads.push(arg.text);
    }
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) {
      const catalog = catalogOfText(node.text);
      if (catalog) module.keys.push({ key: node.text, catalog });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  modules.set(file, module);
  return module;
}

/** The modules a route brings into the browser: everything it imports but `.server` modules (empty there). */
function browserGraph(entry: string): Module[] {
  const seen = new Set<string>();
  const queue = [entry];
  const graph: Module[] = [];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const module = readModule(file);
    graph.push(module);
    for (const next of module.imports) if (!SERVER_ONLY.test(next) && !seen.has(next)) queue.push(next);
  }
  return graph;
}

/** The catalogs a route module loads: `loadCatalogs(x, y)` of catalogs it imports. */
function loadedBy(file: string): Set<string> {
  const module = readModule(file);
  return new Set(module.loads.map((name) => module.catalogImports.get(name)).filter((c): c is string => !!c));
}

const ROOT = path.join(APP, "root.tsx");
const ROUTE_FILES = fs
  .readdirSync(path.join(APP, "routes"))
  .filter((f) => /\.tsx?$/.test(f) && !/\.test\./.test(f))
  .map((f) => path.join(APP, "routes", f));
/** The routes with a page; the others (files, redirects, health) render nothing. */
const ROUTES = ROUTE_FILES.filter((file) => readModule(file).hasDefault);

/** What a route shows that its catalogs (and root's) do not hold: "module: key (catalog)". */
function missingCatalogs(route: string): string[] {
  const loaded = new Set([...loadedBy(ROOT), ...loadedBy(route)]);
  const missing: string[] = [];
  // The route's browser modules, and the `.server` modules it calls itself: what its loader and action return (a
  // refusal's message key, say), its page shows.
  const serverCalls = readModule(route)
    .imports.filter((file) => SERVER_ONLY.test(file))
    .map(readModule);
  for (const module of [...browserGraph(route), ...serverCalls]) {
    for (const { key, catalog } of module.keys) {
      if (!loaded.has(catalog)) missing.push(`${path.relative(APP, module.file)}: ${key} (${catalog})`);
    }
  }
  return [...new Set(missing)];
}

describe("message catalogs in the browser", () => {
  it("the server holds every catalog", () => {
    expect(new Set(ALL_CATALOGS)).toEqual(new Set(catalogs.values()));
  });

  it("finds the keys it looks for: the ballot page's own, and a key built from a prefix", () => {
    const keys = browserGraph(path.join(APP, "routes/v.$code.tsx")).flatMap((m) => m.keys.map((k) => k.key));
    expect(keys).toContain("ballots.review.title");
    expect(keys).toContain("ballots.level.");
    expect(keys).toContain("errors.required");
  });

  it("root loads the catalog of the layout and the error page, and nothing more", () => {
    expect([...loadedBy(ROOT)]).toEqual(["common"]);
    expect(missingCatalogs(ROOT)).toEqual([]);
  });

  it.each(ROUTES.map((file) => [path.relative(APP, file), file]))(
    "%s loads the catalog of every key its page may show",
    (_name, file) => {
      expect(missingCatalogs(file)).toEqual([]);
    }
  );

  it("the resident's pages load only the common and ballot catalogs", () => {
    for (const route of ["routes/v.$code.tsx", "routes/v._index.tsx"]) {
      expect([...loadedBy(path.join(APP, route))]).toEqual(["ballots"]);
    }
  });

  it("only route modules load catalogs, so that a page's catalogs are named by its route", () => {
    const loaders = new Set([ROOT, ...ROUTE_FILES, path.join(APP, "i18n/catalogs.server.ts")]);
    const elsewhere: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.tsx?$/.test(entry.name) && !/\.test\./.test(entry.name) && !loaders.has(file)) {
          const module = readModule(file);
          if (module.catalogImports.size > 0 || module.loads.length > 0) elsewhere.push(path.relative(APP, file));
        }
      }
    };
    walk(APP);
    expect(elsewhere).toEqual([]);
  });
});
