import type { Shortcut } from "../../ui/shortcuts.js";

/** What the queue screen does on a key; each returns nothing and reports through the screen. */
export interface QueueKeyActions {
  readonly ratingMax: number;
  rate(rating: number): void;
  /** Save the label (if any) and go to the next item. */
  next(): void;
  previous(): void;
  skip(): void;
  toggleHelp(): void;
}

/** The annotation queue's shortcuts: 1–N rate, n save & next, p previous, s skip, ? help. */
export function queueShortcuts(a: QueueKeyActions): Shortcut[] {
  const ratings = Array.from({ length: a.ratingMax }, (_, i) => i + 1).map((n) => ({
    key: String(n),
    run: () => a.rate(n),
    help: `Rate ${n}`,
  }));
  return [
    ...ratings,
    { key: "n", run: a.next, help: "Save and go to the next interaction" },
    { key: "p", run: a.previous, help: "Go back to the previous interaction" },
    { key: "s", run: a.skip, help: "Skip this interaction" },
    { key: "?", run: a.toggleHelp, help: "Show or hide these shortcuts" },
  ];
}

/** The keys as the help panel lists them ("1–5" once, not five rows). */
export function shortcutHelp(ratingMax: number): { keys: string; what: string }[] {
  return [
    { keys: `1–${ratingMax}`, what: "Rate the interaction" },
    { keys: "n", what: "Save the label and go to the next interaction (save & next)" },
    { keys: "p", what: "Go back to the previous interaction" },
    { keys: "s", what: "Skip this interaction" },
    { keys: "?", what: "Show or hide these shortcuts" },
  ];
}
