/** Only same-site paths: never another host, never a protocol-relative or backslash trick. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (!to || typeof to !== "string") return fallback;
  if (!to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\") || to.includes("\\")) return fallback;
  if (/[\u0000-\u001f]/.test(to)) return fallback;
  // As the URL parser writes it: percent-encoded, so that a Location header never carries a letter beyond Latin-1.
  try {
    const url = new URL(to, "http://phieu.invalid");
    return url.origin === "http://phieu.invalid" ? url.pathname + url.search + url.hash : fallback;
  } catch {
    return fallback;
  }
}
