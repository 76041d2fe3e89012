import { useState } from "react";

/** Copies `text` to the clipboard; says so, or says to copy by hand where the browser refuses. */
export function CopyButton({ text, label = "Copy" }: { readonly text: string; readonly label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <span className="copy">
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>
      <span aria-live="polite" className="muted">
        {state === "copied"
          ? " Copied."
          : state === "failed"
            ? " Copying was refused: select it and copy."
            : ""}
      </span>
    </span>
  );
}
