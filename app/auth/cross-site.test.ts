import { describe, expect, it } from "vitest";
import { isCrossSiteWrite } from "./cross-site";

const post = (headers: { secFetchSite?: string; origin?: string }, method = "POST") => ({
  method,
  host: "phieu.example:3000",
  secFetchSite: headers.secFetchSite,
  origin: headers.origin,
});

describe("requests another site makes a browser send", () => {
  it("are refused when they could change something", () => {
    expect(isCrossSiteWrite(post({ secFetchSite: "cross-site" }))).toBe(true);
    expect(isCrossSiteWrite(post({ secFetchSite: "same-site" }))).toBe(true);
    expect(isCrossSiteWrite(post({ secFetchSite: "cross-site", origin: "http://phieu.example:3000" }))).toBe(true);
    // An older browser: no Sec-Fetch-Site, the attacker's origin.
    expect(isCrossSiteWrite(post({ origin: "https://evil.example" }))).toBe(true);
    expect(isCrossSiteWrite(post({ origin: "http://phieu.example:3001" }))).toBe(true);
    expect(isCrossSiteWrite(post({ origin: "not a url" }))).toBe(true);
    for (const method of ["PUT", "PATCH", "DELETE", "post"]) {
      expect(isCrossSiteWrite(post({ secFetchSite: "cross-site" }, method)), method).toBe(true);
    }
  });

  it("are let through when they come from Phiếu's own pages, the address bar, or no browser", () => {
    expect(isCrossSiteWrite(post({ secFetchSite: "same-origin", origin: "null" }))).toBe(false);
    expect(isCrossSiteWrite(post({ secFetchSite: "none" }))).toBe(false);
    expect(isCrossSiteWrite(post({ origin: "http://phieu.example:3000" }))).toBe(false);
    expect(isCrossSiteWrite(post({ origin: "null" }))).toBe(false);
    expect(isCrossSiteWrite(post({}))).toBe(false);
    // Reading changes nothing: a link from another site to a page is fine.
    expect(isCrossSiteWrite(post({ secFetchSite: "cross-site" }, "GET"))).toBe(false);
    expect(isCrossSiteWrite(post({ secFetchSite: "cross-site" }, "HEAD"))).toBe(false);
  });
});
