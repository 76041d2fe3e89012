import "./scopes.css";
import type { AdminSharing } from "@assent/sdk/contract/staff";
import { type ReactNode, useEffect, useMemo, useState } from "react";

export interface FeatureDraft {
  /** The features to share; null: every feature (also what a program without features has). */
  readonly value: string[] | null;
  readonly dirty: boolean;
  reset(): void;
  /** The checkboxes, to render under the switch. */
  readonly element: ReactNode;
}

const same = (a: readonly string[] | null, b: readonly string[] | null) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((x) => b.includes(x));

/**
 * The features of the program as checkboxes: a draft like the switch's, saved with it. Every
 * feature checked means "every feature", which also covers features the program adds later;
 * any other choice shares only the checked ones (a feature added later stays unshared).
 */
export function useFeatureDraft(sharing: AdminSharing, enabled: boolean): FeatureDraft {
  const all = useMemo(() => sharing.program.features ?? [], [sharing.program.features]);
  const saved = sharing.sharing === "on" ? (sharing.features ?? null) : null;
  const [checked, setChecked] = useState<string[] | null>(saved);
  const savedKey = JSON.stringify(saved);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when what is saved changes
  useEffect(() => setChecked(saved), [savedKey]);

  const isChecked = (id: string) => checked === null || checked.includes(id);
  const toggle = (id: string, on: boolean) => {
    const current = checked ?? all.map((f) => f.id);
    const next = on ? [...new Set([...current, id])] : current.filter((x) => x !== id);
    setChecked(next.length === all.length ? null : next);
  };
  const value = checked;
  const element =
    all.length === 0 ? null : (
      <fieldset className="features" disabled={!enabled} data-testid="feature-choice">
        <legend>Features whose data is shared</legend>
        <p className="muted small">
          {enabled
            ? "Uncheck a feature to keep its data out. With every feature checked, features added later are shared too; otherwise a new feature stays unshared until you add it."
            : "Turn sharing on to choose features."}
        </p>
        {all.map((f) => (
          <label key={f.id} className="feature">
            <input
              type="checkbox"
              checked={isChecked(f.id)}
              onChange={(e) => toggle(f.id, e.target.checked)}
            />
            <span>
              <strong>{f.name}</strong> <code className="small">{f.id}</code>
              {f.description ? <span className="muted small block">{f.description}</span> : null}
            </span>
          </label>
        ))}
        {checked !== null && checked.length === 0 ? (
          <p className="warn small">No feature is checked: nothing would be shared.</p>
        ) : null}
      </fieldset>
    );
  return { value, dirty: enabled && !same(value, saved), reset: () => setChecked(saved), element };
}
