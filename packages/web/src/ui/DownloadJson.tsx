import type { ReactNode } from "react";

/** Saves `value` as an indented JSON file, made in the browser (nothing more is asked of the server). */
export function DownloadJson({
  value,
  filename,
  children,
}: {
  readonly value: unknown;
  readonly filename: string;
  readonly children: ReactNode;
}) {
  const save = () => {
    const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
    // The download has started from the URL by now; free it on the next turn.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };
  return (
    <button type="button" onClick={save}>
      {children}
    </button>
  );
}
