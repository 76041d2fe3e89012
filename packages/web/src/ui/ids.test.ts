import { describe, expect, it } from "vitest";
import { actorLabel, idLabel } from "./ids.js";

describe("ids people can tell apart", () => {
  it("shows a UUIDv7's random tail, not its timestamp head", () => {
    // Two ids made in the same millisecond: same first 8 characters, different tails.
    const a = "019ad5c2-8f11-7000-8a3b-5f2e11c0d4e9";
    const b = "019ad5c2-8f11-7001-9c44-0d17a2b3c4f0";
    expect(idLabel(a)).toBe("…11c0d4e9");
    expect(idLabel(b)).toBe("…a2b3c4f0");
    expect(idLabel(a)).not.toBe(idLabel(b));
  });

  it("shows the head of other UUIDs and named ids whole", () => {
    expect(idLabel("3f2504e0-4f89-41d3-9a0c-0305e82c3301")).toBe("3f2504e0");
    expect(idLabel("acme")).toBe("acme");
    expect(idLabel("system:retention")).toBe("system:retention");
    expect(idLabel("x".repeat(40))).toBe(`${"x".repeat(20)}…`);
  });

  it("names actors by name and email, a system actor by its id", () => {
    expect(actorLabel("u1", { name: "Ada Lovelace", email: "ada@example.com" })).toBe(
      "Ada Lovelace (ada@example.com)",
    );
    expect(actorLabel("u1", { name: null, email: "ada@example.com" })).toBe("ada@example.com");
    expect(actorLabel("system:cli", null)).toBe("system:cli");
    expect(actorLabel("019ad5c2-8f11-7000-8a3b-5f2e11c0d4e9", null)).toBe("…11c0d4e9");
    expect(actorLabel(null, null)).toBe("—");
  });
});
