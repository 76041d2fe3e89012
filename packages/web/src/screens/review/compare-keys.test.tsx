// @vitest-environment happy-dom
import type { Label, Preference } from "@assent/sdk/contract/staff";
import { useState } from "react";
import { beforeEach, describe, expect, it } from "vitest";
import { press, testHost } from "../../ui/keys-testing.js";
import { useShortcuts } from "../../ui/shortcuts.js";
import { compareHelp, compareShortcuts } from "./compare-keys.js";
import { labelText } from "./label-text.js";

let log: string[];

/** A stand-in for the comparison screen: the same shortcuts over a choice, a note and a help toggle. */
function Screen() {
  const [choice, setChoice] = useState<Preference | null>(null);
  const [help, setHelp] = useState(false);
  useShortcuts(
    compareShortcuts({
      choose: setChoice,
      next: () => log.push(`save ${choice ?? "-"} & next`),
      toggleHelp: () => setHelp((h) => !h),
    }),
  );
  return (
    <form>
      <output data-testid="choice">{choice ?? ""}</output>
      {help ? <section data-testid="help">shortcuts</section> : null}
      <input type="radio" name="preference" aria-label="A is better" />
      <textarea aria-label="Note" />
    </form>
  );
}

describe("comparison keyboard shortcuts", () => {
  const { host, render, text } = testHost();
  beforeEach(() => {
    log = [];
  });

  it("a, b and t choose, n saves and goes on, ? shows the shortcuts", async () => {
    render(<Screen />);
    await press(document.body, "b");
    expect(text("choice")).toBe("b");
    await press(document.body, "n");
    await press(document.body, "t");
    await press(document.body, "n");
    await press(document.body, "a");
    expect(text("choice")).toBe("a");
    expect(log).toEqual(["save b & next", "save tie & next"]);
    await press(document.body, "?");
    expect(text("help")).toBe("shortcuts");
    expect(compareHelp().map((h) => h.keys)).toEqual(["a", "b", "t", "n", "?"]);
  });

  it("keys on a focused choice still count; typing a note never fires one", async () => {
    render(<Screen />);
    await press(host().querySelector("input") as Element, "b");
    expect(text("choice")).toBe("b");
    await press(host().querySelector("textarea") as Element, "a");
    await press(host().querySelector("textarea") as Element, "n");
    expect(text("choice")).toBe("b");
    expect(log).toEqual([]);
  });
});

describe("labels in a few words", () => {
  const base: Label = {
    id: "l1",
    interactionId: "0192f3a4-0000-7000-8000-00000000aaaa",
    reviewerId: "r",
    grantId: "g",
    rating: 4,
    tags: [],
    note: null,
    correctedOutput: null,
    kind: "rating",
    comparedWith: null,
    preference: null,
    createdAt: "2026-11-30T10:00:00.000Z",
  };
  const other = "0192f3a4-0000-7000-8000-0000003f2a91";

  it("gives a rating on its scale, and a preference against the other interaction by its tail", () => {
    expect(labelText(base)).toBe("4/5");
    expect(labelText({ ...base, rating: null })).toBe("no rating");
    const preference = { ...base, rating: null, kind: "preference" as const, comparedWith: other };
    expect(labelText({ ...preference, preference: "a" })).toBe("better than …003f2a91");
    expect(labelText({ ...preference, preference: "b" })).toBe("worse than …003f2a91");
    expect(labelText({ ...preference, preference: "tie" })).toBe("as good as …003f2a91");
  });
});
