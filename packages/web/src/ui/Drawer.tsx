import { type ReactNode, useEffect, useId, useRef } from "react";
import { CopyButton } from "./CopyButton.js";

/**
 * A side panel on the native <dialog> (modal: focus moves in, Escape closes, focus goes back to
 * the button that opened it).
 */
export function Drawer({
  title,
  onClose,
  children,
}: {
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const close = () => {
    ref.current?.close();
    onClose();
  };
  return (
    <dialog
      ref={ref}
      className="drawer"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
    >
      <header className="drawer-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" onClick={close}>
          Close
        </button>
      </header>
      {children}
    </dialog>
  );
}

/** A value as indented JSON, with a button that copies it. */
export function JsonView({ value, testId }: { readonly value: unknown; readonly testId?: string }) {
  const text = JSON.stringify(value, null, 2);
  return (
    <div className="json-view">
      <pre className="content" data-testid={testId}>
        {text}
      </pre>
      <CopyButton text={text} label="Copy JSON" />
    </div>
  );
}
