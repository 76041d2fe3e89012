import { useEffect, useRef } from "react";

/** One keyboard shortcut: the key as KeyboardEvent.key gives it ("n", "1", "?"), what it does, its help text. */
export interface Shortcut {
  readonly key: string;
  readonly run: () => void;
  readonly help: string;
}

/** Typing in a field, a select or an editable area is never taken for a shortcut. */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || !(target as Element).tagName) return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select") return true;
  if (tag === "input") {
    const type = (el as HTMLInputElement).type;
    // A radio or checkbox takes no text: "1"–"5" on a focused rating radio still count.
    return type !== "radio" && type !== "checkbox" && type !== "button" && type !== "submit";
  }
  return el.isContentEditable;
}

/** The shortcut a key press means, or undefined: none with Ctrl, Alt or Meta, none while typing. */
export function shortcutFor(event: KeyboardEvent, shortcuts: readonly Shortcut[]): Shortcut | undefined {
  if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) {
    return undefined;
  }
  if (isTyping(event.target)) return undefined;
  return shortcuts.find((s) => s.key === event.key);
}

/**
 * Single-key shortcuts on the whole document while the calling screen is shown (and `enabled`).
 * The latest `shortcuts` are used without re-subscribing, so inline closures are fine.
 */
export function useShortcuts(shortcuts: readonly Shortcut[], enabled = true): void {
  const ref = useRef(shortcuts);
  ref.current = shortcuts;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      const shortcut = shortcutFor(event, ref.current);
      if (!shortcut) return;
      event.preventDefault();
      shortcut.run();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [enabled]);
}
