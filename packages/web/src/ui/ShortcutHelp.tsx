/** The keyboard shortcuts of a screen, as `?` shows them: each key and what it does. */
export function ShortcutHelp({ keys }: { readonly keys: readonly { keys: string; what: string }[] }) {
  return (
    <section className="card" aria-label="Keyboard shortcuts" data-testid="shortcut-help">
      <h2>Keyboard shortcuts</h2>
      <dl className="facts-grid">
        {keys.map((s) => (
          <div key={s.keys} className="contents">
            <dt>
              <kbd>{s.keys}</kbd>
            </dt>
            <dd>{s.what}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
