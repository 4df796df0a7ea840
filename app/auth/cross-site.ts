// A page of another site must not act for an officer: a browser that posts there carries the officer's cookie.
// Remix checks the origin of document posts only (not `?_data=` posts, nor resource routes), so Phiếu checks every
// request that could change something, before Remix sees it.
//
// Browsers say where a request comes from in Sec-Fetch-Site (same-origin, same-site, cross-site, or none when the
// user typed or bookmarked it). Older browsers send only Origin, and "Origin: null" where the referrer policy hides
// it (an https page posting to http) or from a sandboxed page: a null origin proves nothing either way and is let
// through, as is a client that sends neither header (not a browser carrying someone's cookie for another site).

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isCrossSiteWrite(request: {
  method: string;
  host: string | undefined;
  secFetchSite: string | undefined;
  origin: string | undefined;
}): boolean {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return false;
  const site = request.secFetchSite?.toLowerCase();
  if (site) return site !== "same-origin" && site !== "none";
  if (!request.origin || request.origin === "null") return false;
  try {
    return new URL(request.origin).host !== (request.host ?? "").toLowerCase();
  } catch {
    return true;
  }
}
