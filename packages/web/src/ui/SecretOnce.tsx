import { CopyButton } from "./CopyButton.js";

/** A new secret (key, token), shown this once with a copy button until the operator dismisses it. */
export function SecretOnce({
  what,
  label,
  secret,
  testId,
  onDone,
}: {
  /** "key" or "token": used in the texts. */
  readonly what: string;
  /** The section's accessible name, e.g. "The new ingestion key". */
  readonly label: string;
  readonly secret: string;
  /** The section's test id; the secret's is `${testId}-value`. */
  readonly testId: string;
  readonly onDone: () => void;
}) {
  return (
    <section className="secret" aria-label={label} data-testid={testId}>
      <p>
        <strong>Copy this {what} now.</strong> It is shown only this once; Assent keeps only its hash.
      </p>
      <code className="secret-value" data-testid={`${testId}-value`}>
        {secret}
      </code>
      <div className="actions">
        <CopyButton text={secret} label={`Copy ${what}`} />
        <button type="button" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </section>
  );
}
