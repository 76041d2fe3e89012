import { PREFERENCES, type Preference } from "@assent/sdk/contract/staff";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import type { ApiError } from "../../api/client.js";
import { reviewApi } from "../../api/endpoints.js";
import { queries } from "../../api/queries.js";
import { ErrorNote, Status } from "../../ui/feedback.js";
import { ShortcutHelp } from "../../ui/ShortcutHelp.js";
import { useShortcuts } from "../../ui/shortcuts.js";
import { CompareCandidates, CompareSide } from "./CompareSide.js";
import { compareHelp, compareShortcuts, PREFERENCE_KEY, PREFERENCE_TEXT } from "./compare-keys.js";

/**
 * Pairwise comparison: two interactions of one tenant and feature side by side (each opened is an
 * audited read), and which answer is better — A, B or a tie — saved as a preference label. The
 * pair is in the URL (`?a=…&b=…`); save & next compares A with the next interaction.
 */
export function CompareScreen() {
  const search = useSearch({ from: "/review/compare" });
  const navigate = useNavigate({ from: "/review/compare" });
  const client = useQueryClient();
  const a = search.a ?? "";
  const b = search.b ?? "";
  const readA = useQuery({ ...queries.interaction(a), enabled: a !== "" });
  const readB = useQuery({ ...queries.interaction(b), enabled: b !== "" });
  const first = readA.data;
  const candidates = useQuery({
    ...queries.reviewQueue({ tenant: first?.tenantId, feature: first?.feature, limit: 25 }),
    enabled: first !== undefined,
  });
  const others = (candidates.data?.items ?? []).filter((o) => o.id !== a);
  const [choice, setChoice] = useState<Preference | null>(null);
  const [note, setNote] = useState("");
  const [help, setHelp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // A new pair starts blank, with the focus on its heading (not lost on the page).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the pair changes
  useEffect(() => {
    setChoice(null);
    setNote("");
    heading.current?.focus();
  }, [b]);

  const pick = (next: string | undefined) => navigate({ search: next ? { a, b: next } : { a } });

  const save = async () => {
    if (busy || !b) return;
    if (!choice) {
      setStatus(
        `Choose first: ${PREFERENCES.map((p) => `${PREFERENCE_KEY[p]} (${PREFERENCE_TEXT[p]})`).join(", ")}.`,
      );
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const label = await reviewApi.compare({ a, b, preference: choice, ...(note.trim() ? { note } : {}) });
      // The label is on the older of the two: its cached read shows it from now on.
      const key = queries.interaction(label.interactionId).queryKey;
      const before = client.getQueryData(key);
      if (before) client.setQueryData(key, { ...before, labels: [...before.labels, label] });
      const next = others[others.findIndex((o) => o.id === b) + 1]?.id;
      setStatus(
        `Saved: ${PREFERENCE_TEXT[choice]}.${next ? "" : " No other interaction left to compare A with."}`,
      );
      await pick(next);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  useShortcuts(
    compareShortcuts({
      choose: (p) => (b ? setChoice(p) : undefined),
      next: () => void save(),
      toggleHelp: () => setHelp((h) => !h),
    }),
    a !== "",
  );

  if (!a) {
    return (
      <div className="screen">
        <p>
          <Link to="/review">← Back to the workbench</Link>
        </p>
        <p className="muted">Open an interaction and choose “Compare” to compare it with another one.</p>
      </div>
    );
  }
  return (
    <div className="screen">
      <p>
        <Link to="/review/interactions/$id" params={{ id: a }}>
          ← Back to interaction A
        </Link>
      </p>
      <header className="screen-head">
        <h1 ref={heading} tabIndex={-1} data-testid="compare-heading">
          Compare two {first?.feature ?? ""} answers
        </h1>
        <p className="muted small">
          Keys: <kbd>a</kbd> A is better · <kbd>b</kbd> B is better · <kbd>t</kbd> tie · <kbd>n</kbd> save
          &amp; next · <kbd>?</kbd> all shortcuts. Opening an interaction is recorded in the audit log and
          shown to its tenant.
        </p>
      </header>
      {help ? <ShortcutHelp keys={compareHelp()} /> : null}
      <ErrorNote error={error} />
      <Status>{status}</Status>
      <div className="grid two">
        <CompareSide side="A" read={readA} />
        {b ? <CompareSide side="B" read={readB} /> : <CompareCandidates others={others} onPick={pick} />}
      </div>
      {b && readA.data && readB.data ? (
        <form
          className="card"
          aria-label="Your preference"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <fieldset>
            <legend>Which answer is better?</legend>
            {PREFERENCES.map((p) => (
              <label key={p} className="rating-choice">
                <input
                  type="radio"
                  name="preference"
                  value={p}
                  checked={choice === p}
                  onChange={() => setChoice(p)}
                />
                {PREFERENCE_TEXT[p]} ({PREFERENCE_KEY[p]})
              </label>
            ))}
          </fieldset>
          <label htmlFor="compare-note">Note (optional, sealed like the interaction)</label>
          <textarea id="compare-note" value={note} onChange={(e) => setNote(e.target.value)} rows={2} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Save &amp; next (n)
            </button>
            <button type="button" onClick={() => void pick(undefined)} disabled={busy}>
              Choose another B
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
