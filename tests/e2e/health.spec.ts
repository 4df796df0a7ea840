import { expect, test } from "@playwright/test";

test("the run's server is on the database the suite was asked for", async ({ request }) => {
  const response = await request.get("/healthz");
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({
    status: "ok",
    database: { status: "ok", mode: process.env.DATABASE_URL ? "postgres" : "embedded" },
  });
});
