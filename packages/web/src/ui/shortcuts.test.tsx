// @vitest-environment happy-dom
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useShortcuts } from "./shortcuts.js";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root;
let host: HTMLElement;
let seen: string[];

function Screen({ enabled = true }: { readonly enabled?: boolean }) {
  useShortcuts(
    [
      { key: "n", run: () => seen.push("next"), help: "Next" },
      { key: "3", run: () => seen.push("rate 3"), help: "Rate 3" },
      { key: "?", run: () => seen.push("help"), help: "Show the shortcuts" },
    ],
    enabled,
  );
  return (
    <form>
      <input aria-label="Note" />
      <input type="radio" name="rating" aria-label="3" />
      <textarea aria-label="Corrected output" />
    </form>
  );
}

const press = (target: EventTarget, key: string, init: KeyboardEventInit = {}) =>
  act(() => {
    target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init }));
  });

describe("useShortcuts", () => {
  beforeEach(() => {
    seen = [];
    host = document.createElement("div");
    document.body.append(host);
    root = createRoot(host);
  });
  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  it("runs a shortcut for its key, anywhere outside a text field", async () => {
    act(() => root.render(<Screen />));
    await press(document.body, "n");
    await press(document.body, "?", { shiftKey: true });
    await press(host.querySelector('input[type="radio"]') as Element, "3");
    expect(seen).toEqual(["next", "help", "rate 3"]);
  });

  it("leaves typing alone: inputs, text areas, and keys with Ctrl, Alt or Meta", async () => {
    act(() => root.render(<Screen />));
    await press(host.querySelector('input[aria-label="Note"]') as Element, "n");
    await press(host.querySelector("textarea") as Element, "3");
    await press(document.body, "n", { ctrlKey: true });
    await press(document.body, "n", { metaKey: true });
    await press(document.body, "x");
    expect(seen).toEqual([]);
  });

  it("stops listening when disabled or unmounted", async () => {
    act(() => root.render(<Screen enabled={false} />));
    await press(document.body, "n");
    act(() => root.render(<Screen />));
    await press(document.body, "n");
    act(() => root.unmount());
    root = createRoot(host);
    await press(document.body, "n");
    expect(seen).toEqual(["next"]);
  });
});
