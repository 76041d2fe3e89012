// @vitest-environment happy-dom
import { useState } from "react";
import { beforeEach, describe, expect, it } from "vitest";
import { press, testHost } from "../../ui/keys-testing.js";
import { useShortcuts } from "../../ui/shortcuts.js";
import { queueShortcuts, shortcutHelp } from "./queue-keys.js";

let log: string[];

/** A stand-in for the queue screen: the same shortcuts over a rating, a note and a help toggle. */
function Screen({ ratingMax = 5 }: { readonly ratingMax?: number }) {
  const [rating, setRating] = useState<number | null>(null);
  const [help, setHelp] = useState(false);
  useShortcuts(
    queueShortcuts({
      ratingMax,
      rate: setRating,
      next: () => log.push(`save ${rating ?? "-"} & next`),
      previous: () => log.push("previous"),
      skip: () => log.push("skip"),
      toggleHelp: () => setHelp((h) => !h),
    }),
  );
  return (
    <form>
      <output data-testid="rating">{rating ?? ""}</output>
      {help ? <section data-testid="help">shortcuts</section> : null}
      <textarea aria-label="Note" />
    </form>
  );
}

describe("queue keyboard shortcuts", () => {
  const { host, render, text } = testHost();
  beforeEach(() => {
    log = [];
  });

  it("rate with 1-5, save & next with n, back with p, skip with s", async () => {
    render(<Screen />);
    await press(document.body, "4");
    expect(text("rating")).toBe("4");
    await press(document.body, "n");
    await press(document.body, "2");
    await press(document.body, "n");
    await press(document.body, "p");
    await press(document.body, "s");
    expect(log).toEqual(["save 4 & next", "save 2 & next", "previous", "skip"]);
  });

  it("? shows and hides the shortcuts", async () => {
    render(<Screen />);
    expect(text("help")).toBeNull();
    await press(document.body, "?");
    expect(text("help")).toBe("shortcuts");
    await press(document.body, "?");
    expect(text("help")).toBeNull();
  });

  it("follows the program's rating scale and never fires while typing a note", async () => {
    render(<Screen ratingMax={3} />);
    await press(document.body, "5");
    expect(text("rating")).toBe("");
    await press(document.body, "3");
    expect(text("rating")).toBe("3");
    await press(host().querySelector("textarea") as Element, "n");
    await press(host().querySelector("textarea") as Element, "1");
    expect(log).toEqual([]);
    expect(text("rating")).toBe("3");
    expect(shortcutHelp(3)[0]).toEqual({ keys: "1–3", what: "Rate the interaction" });
  });
});
