import { describe, expect, it } from "vitest";
import { db } from "~/db.server";
import { createWards } from "../../tests/setup/fixtures";
import { findOrCreateTitle, findTitle, listTitles } from "./titles.server";

describe("position titles", () => {
  it("finds a built-in title whatever the keyboard's normalization, case or spacing", async () => {
    const { ward } = await createWards();
    const decomposed = "chủ  tịch ubnd".normalize("NFD");
    const title = await findTitle({ wardId: ward.id, name: decomposed });
    expect(title?.name).toBe("Chủ tịch UBND");
  });

  it("adds a ward's own title once, visible to that ward only", async () => {
    const { ward, otherWard } = await createWards();
    const first = await findOrCreateTitle({ wardId: ward.id, name: "Trưởng ban Thanh tra nhân dân" }, db);
    const again = await findOrCreateTitle({ wardId: ward.id, name: "trưởng ban thanh tra nhân dân".normalize("NFD") }, db);
    expect(again.id).toBe(first.id);
    expect((await listTitles({ wardId: ward.id })).some((t) => t.id === first.id)).toBe(true);
    expect((await listTitles({ wardId: otherWard.id })).some((t) => t.id === first.id)).toBe(false);
  });
});
