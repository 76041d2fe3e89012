import { act, type ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach } from "vitest";

/** For the web app's keyboard tests (happy-dom): key presses and a fresh React root per test. */

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** Presses `key` on `target` as a person would: a bubbling, cancelable keydown. */
export const press = (target: EventTarget, key: string, init: KeyboardEventInit = {}) =>
  act(() => {
    target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init }));
  });

/** A host element with a React root, made before each test of the file and removed after it. */
export function testHost() {
  let host: HTMLElement | null = null;
  let root: Root | null = null;
  beforeEach(() => {
    host = document.createElement("div");
    document.body.append(host);
    root = createRoot(host);
  });
  afterEach(() => {
    act(() => root?.unmount());
    host?.remove();
  });
  return {
    host: () => host as HTMLElement,
    render: (node: ReactNode) => act(() => root?.render(node)),
    /** The text of the element with this data-testid, or null when there is none. */
    text: (id: string) => host?.querySelector(`[data-testid="${id}"]`)?.textContent ?? null,
  };
}
