/** Only same-site paths: never another host, never a protocol-relative or backslash trick. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (!to || typeof to !== "string") return fallback;
  if (!to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\") || to.includes("\\")) return fallback;
  if (/[\u0000-\u001f]/.test(to)) return fallback;
  // As the URL parser writes it: percent-encoded, so that a Location header never carries a letter beyond Latin-1.
  try {
    const url = new URL(to, "http://phieu.invalid");
    const path = url.pathname + url.search + url.hash;
    // The parser resolves dot segments: "/.//evil.example/x" comes out as "//evil.example/x", which a browser reads
    // as another host. What goes out is checked, not only what came in.
    if (url.origin !== "http://phieu.invalid" || path.startsWith("//") || path.includes("\\")) return fallback;
    return path;
  } catch {
    return fallback;
  }
}
