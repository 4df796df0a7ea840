// Builders for integration tests: units, users with grants, and requests that carry a user's session, so that
// loaders and actions are called directly as the browser would call them.
import { db } from "../../app/db.server";
import { hashPassword } from "../../app/auth/password.server";
import { createSession } from "../../app/auth/session.server";
import type { Role, UnitKind } from "../../db/schema";

export const TEST_PASSWORD = "correct horse battery";
let passwordHash: Promise<string> | null = null;

export async function createUnit(name: string, kind: UnitKind, parentId: number | null = null) {
  return db
    .insertInto("units")
    .values({ name, kind, parent_id: parentId })
    .returning(["id", "name", "kind", "parent_id"])
    .executeTakeFirstOrThrow();
}

/** A province with two wards, each with two residential groups. */
export async function createWards() {
  const province = await createUnit("Thành phố Hà Nội", "province");
  const ward = await createUnit("Phường Thanh Xuân", "ward", province.id);
  const group1 = await createUnit("Tổ dân phố số 1", "residential_group", ward.id);
  const group2 = await createUnit("Tổ dân phố số 2", "residential_group", ward.id);
  const otherWard = await createUnit("Phường Khương Đình", "ward", province.id);
  const otherGroup = await createUnit("Tổ dân phố số 1", "residential_group", otherWard.id);
  return { province, ward, group1, group2, otherWard, otherGroup };
}

export async function createUser(
  username: string,
  grants: { role: Role; unitId: number | null }[],
  fullName = "Cán bộ Thử nghiệm",
) {
  const user = await db
    .insertInto("users")
    .values({ username, full_name: fullName, password_hash: await (passwordHash ??= hashPassword(TEST_PASSWORD)) })
    .returning(["id", "username"])
    .executeTakeFirstOrThrow();
  for (const grant of grants) {
    await db.insertInto("grants").values({ user_id: user.id, role: grant.role, unit_id: grant.unitId }).execute();
  }
  return user;
}

/** The Cookie header of a fresh session for the user. */
export async function sessionCookie(userId: number): Promise<string> {
  const setCookie = await createSession(userId);
  return setCookie.split(";")[0];
}

export function makeRequest(
  path: string,
  {
    cookie,
    method = "GET",
    form,
    body,
    headers = {},
  }: {
    cookie?: string;
    method?: string;
    form?: Record<string, string | string[] | Blob> | FormData;
    body?: BodyInit;
    headers?: Record<string, string>;
  } = {},
): Request {
  let requestBody: BodyInit | undefined = body;
  if (form) {
    if (form instanceof FormData) requestBody = form;
    else {
      const data = new FormData();
      for (const [key, value] of Object.entries(form)) {
        if (Array.isArray(value)) value.forEach((v) => data.append(key, v));
        else data.append(key, value);
      }
      requestBody = data;
    }
    method = method === "GET" ? "POST" : method;
  }
  return new Request(`http://localhost${path}`, {
    method,
    body: requestBody,
    headers: { ...(cookie ? { Cookie: cookie } : {}), ...headers },
  });
}

/** Runs a loader or action and returns the thrown or returned Response, or the returned data. */
export async function run<T>(fn: () => Promise<T>): Promise<T | Response> {
  try {
    return await fn();
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** The status of what a loader or action gave back (a single-fetch `data()` result, a Response, or plain data). */
export function statusOf(result: unknown): number {
  if (result instanceof Response) return result.status;
  if (result && typeof result === "object" && "type" in result && (result as { type: string }).type === "DataWithResponseInit") {
    return (result as { init?: { status?: number } }).init?.status ?? 200;
  }
  return 200;
}

export function dataOf<T = any>(result: unknown): T {
  if (result && typeof result === "object" && "type" in result && (result as { type: string }).type === "DataWithResponseInit") {
    return (result as unknown as { data: T }).data;
  }
  return result as T;
}
