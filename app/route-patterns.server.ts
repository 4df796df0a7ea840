// Turns a request path into the pattern of the route that serves it ("/v/:code"), so that logs never carry a
// ballot code, an id from a query string or anything a resident typed.
interface RouteLike {
  id: string;
  path?: string;
  index?: boolean;
  parentId?: string;
}

export function routePatternMatcher(routes: Record<string, RouteLike | undefined>) {
  const fullPath = (route: RouteLike): string => {
    const parent = route.parentId ? routes[route.parentId] : undefined;
    const base = parent ? fullPath(parent) : "";
    return route.path ? `${base}/${route.path}`.replace(/\/+/g, "/") : base;
  };
  const patterns = Object.values(routes)
    .filter((r): r is RouteLike => Boolean(r) && (Boolean(r!.path) || Boolean(r!.index)))
    .map((r) => {
      const pattern = fullPath(r) || "/";
      const segments = pattern.split("/").filter(Boolean);
      const regex = new RegExp(
        "^/" +
          segments
            .map((s) => (s === "*" ? ".*" : s.startsWith(":") ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
            .join("/") +
          "/?$",
      );
      const score = segments.filter((s) => !s.startsWith(":") && s !== "*").length * 10 + segments.length;
      return { pattern, regex, score };
    })
    .sort((a, b) => b.score - a.score);

  return (pathname: string): string => {
    let path = pathname;
    if (path === "/_root.data") return "/ (data)";
    const isData = path.endsWith(".data");
    if (isData) path = path.slice(0, -".data".length) || "/";
    let decoded = path;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return "(bad path)";
    }
    const match = patterns.find((p) => p.regex.test(decoded));
    if (!match) return path.startsWith("/build/") ? "/build/*" : "(no route)";
    return isData ? `${match.pattern} (data)` : match.pattern;
  };
}
