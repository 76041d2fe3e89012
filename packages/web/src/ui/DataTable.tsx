import type { ReactNode } from "react";

/** A column heading; `num` right-aligns a numeric column. */
export type Column = string | { readonly label: ReactNode; readonly num?: boolean };

/** A scrollable table with column headings; the rows are the children. */
export function DataTable({
  testId,
  caption,
  columns,
  children,
}: {
  readonly testId: string;
  readonly caption?: string;
  readonly columns: readonly Column[];
  readonly children: ReactNode;
}) {
  return (
    // Focusable, so a table wider than the screen can be scrolled from the keyboard.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1)
    <div className="table-wrap" tabIndex={0} {...(caption ? { role: "region", "aria-label": caption } : {})}>
      <table data-testid={testId}>
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((c, i) =>
              typeof c === "string" ? (
                <th key={c} scope="col">
                  {c}
                </th>
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: headings are fixed per table
                <th key={i} scope="col" className={c.num ? "num" : undefined}>
                  {c.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A column with no visible heading (e.g. for a row's button), named for screen readers. */
export const hiddenColumn = (name: string): Column => ({ label: <span className="sr-only">{name}</span> });
