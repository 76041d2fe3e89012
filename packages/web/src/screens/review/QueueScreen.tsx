import type { QueueProgress } from "@assent/sdk/contract/staff";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useCallback, useEffect, useRef, useState } from "react";
import type { ApiError } from "../../api/client.js";
import { queries } from "../../api/queries.js";
import { workApi } from "../../api/work.js";
import { workKeys, workQueries } from "../../api/work-queries.js";
import { ErrorNote, Loading, Status } from "../../ui/feedback.js";
import { num, Time } from "../../ui/format.js";
import { Section } from "../../ui/Section.js";
import { ShortcutHelp } from "../../ui/ShortcutHelp.js";
import { useShortcuts } from "../../ui/shortcuts.js";
import { Content } from "./Content.js";
import { labelText } from "./label-text.js";
import { type Draft, EMPTY_DRAFT, isEmptyDraft, QueueLabel } from "./QueueLabel.js";
import { queueShortcuts, shortcutHelp } from "./queue-keys.js";

/**
 * Working an annotation queue: one interaction at a time (each opened is an audited read), a label
 * from the program's schema, save & next, skip, back, all from the keyboard; progress as you go.
 */
export function QueueScreen({ id }: { readonly id: string }) {
  const queue = useQuery(workQueries.queue(id));
  const schema = useQuery(workQueries.labelSchema());
  const client = useQueryClient();
  const [history, setHistory] = useState<string[]>([]);
  const [pos, setPos] = useState(0);
  const [finished, setFinished] = useState(false);
  const [progress, setProgress] = useState<QueueProgress | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [help, setHelp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const current = history[pos] ?? null;
  const read = useQuery({ ...queries.interaction(current ?? ""), enabled: current !== null });

  const fetchNext = useCallback(async () => {
    const r = await workApi.next(id);
    setProgress(r.progress);
    if (!r.item) {
      setFinished(true);
      return;
    }
    const next = r.item.interactionId;
    setHistory((h) => {
      const at = h.indexOf(next);
      if (at >= 0) {
        setPos(at);
        return h;
      }
      setPos(h.length);
      return [...h, next];
    });
  }, [id]);

  const guarded = async (what: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: once per queue
  useEffect(() => {
    void guarded(fetchNext);
  }, [id]);

  // Focus stays on the work: each new item's heading takes it once shown, so keys and Tab start there.
  const shown = read.data?.id ?? null;
  useEffect(() => {
    if (shown) heading.current?.focus();
  }, [shown]);

  const forward = async () => {
    setDraft(EMPTY_DRAFT);
    if (pos < history.length - 1) setPos(pos + 1);
    else await fetchNext();
    void client.invalidateQueries({ queryKey: workKeys.queues });
  };

  const saveAndNext = () =>
    guarded(async () => {
      if (!current) return;
      if (isEmptyDraft(draft)) {
        if (pos < history.length - 1) return forward();
        setStatus(`Choose a rating (1–${schema.data?.rating.max ?? 5}), tags or a note first, or skip (s).`);
        return;
      }
      const label = await workApi.label(current, {
        ...(draft.rating !== null ? { rating: draft.rating } : {}),
        ...(draft.tags.length ? { tags: [...draft.tags] } : {}),
        ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
        ...(draft.corrected.trim() ? { correctedOutput: draft.corrected } : {}),
        queueId: id,
      });
      const key = queries.interaction(current).queryKey;
      const before = client.getQueryData(key);
      if (before) client.setQueryData(key, { ...before, labels: [...before.labels, label] });
      setStatus(`Saved${label.rating !== null ? ` (rating ${label.rating})` : ""}.`);
      await forward();
    });

  const skip = () =>
    guarded(async () => {
      if (!current) return;
      await workApi.setState(id, current, "skipped");
      setStatus("Skipped.");
      await forward();
    });

  const previous = () => {
    if (pos === 0) return setStatus("This is the first interaction you opened here.");
    setDraft(EMPTY_DRAFT);
    setPos(pos - 1);
  };

  const ratingMax = schema.data?.rating.max ?? 5;
  useShortcuts(
    queueShortcuts({
      ratingMax,
      rate: (n) => setDraft((d) => ({ ...d, rating: n })),
      next: () => void saveAndNext(),
      previous,
      skip: () => void skip(),
      toggleHelp: () => setHelp((h) => !h),
    }),
    !finished,
  );

  const p = progress ?? queue.data?.progress ?? null;
  const handled = p ? p.done + p.skipped : 0;
  const i = read.data;
  return (
    <div className="screen">
      <p>
        <Link to="/review">← Back to the workbench</Link>
      </p>
      <header className="screen-head">
        <h1>Queue {queue.data?.name ?? ""}</h1>
        {p ? (
          <div className="queue-progress">
            <label htmlFor="queue-progress">
              {num(handled)} of {num(p.total)} handled ({num(p.done)} labelled, {num(p.skipped)} skipped,{" "}
              {num(p.inReview)} in review)
            </label>
            <progress id="queue-progress" max={p.total || 1} value={handled} />
          </div>
        ) : null}
        <p className="muted small">
          Keys: 1–{ratingMax} rate · n save &amp; next · p previous · s skip · ? all shortcuts. Opening an
          interaction is recorded in the audit log and shown to its tenant.
        </p>
      </header>
      {help ? <ShortcutHelp keys={shortcutHelp(ratingMax)} /> : null}
      <ErrorNote error={error ?? (queue.error as ApiError | null)} />
      <Status>{status}</Status>
      {finished && pos >= history.length - 1 ? (
        <Section title="Queue done">
          <p data-testid="queue-finished">Nothing is left for you in this queue. Thank you.</p>
        </Section>
      ) : null}
      {current && !i ? (
        read.error ? (
          <ErrorNote error={read.error} />
        ) : (
          <Loading what="the interaction" />
        )
      ) : null}
      {i && schema.data ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void saveAndNext();
          }}
        >
          <h2 ref={heading} tabIndex={-1} data-testid="queue-item">
            {i.feature} · <Time iso={i.occurredAt} />
            <span className="muted small"> (item {pos + 1} of this session)</span>
          </h2>
          <div className="grid two">
            <Section title="Input">
              <Content value={i.input} testId="interaction-input" />
            </Section>
            <Section title="Output">
              <Content value={i.output} testId="interaction-output" />
            </Section>
          </div>
          <Section title="Label">
            {i.labels.length ? (
              <p className="muted small" data-testid="queue-labels">
                Labels so far: {i.labels.map((l) => labelText(l, ratingMax)).join(", ")}
              </p>
            ) : null}
            <QueueLabel schema={schema.data} draft={draft} onChange={setDraft} />
            <div className="actions">
              <button type="submit" className="primary" disabled={busy}>
                Save &amp; next (n)
              </button>
              <button type="button" onClick={() => void skip()} disabled={busy}>
                Skip (s)
              </button>
              <button type="button" onClick={previous} disabled={busy || pos === 0}>
                Previous (p)
              </button>
            </div>
          </Section>
        </form>
      ) : null}
    </div>
  );
}
