interface Message {
  role: string;
  content: unknown;
}

const isMessages = (v: unknown): v is { messages: Message[] } =>
  typeof v === "object" &&
  v !== null &&
  Array.isArray((v as { messages?: unknown }).messages) &&
  (v as { messages: unknown[] }).messages.every(
    (m) => typeof m === "object" && m !== null && typeof (m as Message).role === "string",
  );

const text = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v, null, 2));

/** An interaction's input or output: plain text, chat messages, or any JSON value, as text. */
export function Content({ value, testId }: { readonly value: unknown; readonly testId: string }) {
  if (isMessages(value)) {
    return (
      <ol className="messages" data-testid={testId}>
        {value.messages.map((m, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: messages have no id; their order is their identity
          <li key={i}>
            <span className="role">{m.role}</span>
            <pre>{text(m.content)}</pre>
          </li>
        ))}
      </ol>
    );
  }
  return (
    <pre className="content" data-testid={testId}>
      {text(value)}
    </pre>
  );
}
