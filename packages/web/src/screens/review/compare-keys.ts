import type { Preference } from "@assent/sdk/contract/staff";
import type { Shortcut } from "../../ui/shortcuts.js";

/** What the comparison screen does on a key; each reports through the screen. */
export interface CompareKeyActions {
  choose(preference: Preference): void;
  /** Save the preference and go to the next pair (the next interaction to compare with). */
  next(): void;
  toggleHelp(): void;
}

/** The words for each choice, as the buttons and the saved status say them. */
export const PREFERENCE_TEXT: Record<Preference, string> = {
  a: "A is better",
  b: "B is better",
  tie: "Tie",
};

/** The key of each choice: a, b, and t for a tie. */
export const PREFERENCE_KEY: Record<Preference, string> = { a: "a", b: "b", tie: "t" };

/** The comparison's shortcuts, like the queue's: a / b / t choose, n save & next, ? help. */
export function compareShortcuts(c: CompareKeyActions): Shortcut[] {
  return [
    { key: "a", run: () => c.choose("a"), help: "A is better" },
    { key: "b", run: () => c.choose("b"), help: "B is better" },
    { key: "t", run: () => c.choose("tie"), help: "A tie" },
    { key: "n", run: c.next, help: "Save and compare with the next interaction" },
    { key: "?", run: c.toggleHelp, help: "Show or hide these shortcuts" },
  ];
}

/** The keys as the help panel lists them. */
export function compareHelp(): { keys: string; what: string }[] {
  return compareShortcuts({ choose: () => {}, next: () => {}, toggleHelp: () => {} }).map((s) => ({
    keys: s.key,
    what: s.help,
  }));
}
