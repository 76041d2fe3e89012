import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from "react";

export interface ConfirmOptions {
  readonly title: string;
  readonly body: ReactNode;
  readonly confirmLabel: string;
  readonly danger?: boolean;
}

interface Pending {
  readonly opts: ConfirmOptions;
  readonly resolve: (ok: boolean) => void;
}

/**
 * A modal confirmation on the native <dialog>: focus moves into it (to Cancel, the safe choice),
 * Escape cancels, and focus goes back where it was when it closes.
 */
export function useConfirm(): [(opts: ConfirmOptions) => Promise<boolean>, ReactNode] {
  const [pending, setPending] = useState<Pending | null>(null);
  const confirm = useCallback(
    (opts: ConfirmOptions) => new Promise<boolean>((resolve) => setPending({ opts, resolve })),
    [],
  );
  const element = pending ? (
    <ConfirmDialog
      {...pending.opts}
      onClose={(ok) => {
        pending.resolve(ok);
        setPending(null);
      }}
    />
  ) : null;
  return [confirm, element];
}

function ConfirmDialog(props: ConfirmOptions & { readonly onClose: (ok: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const close = (ok: boolean) => {
    ref.current?.close();
    props.onClose(ok);
  };
  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(e) => {
        e.preventDefault();
        close(false);
      }}
    >
      <h2 id={titleId}>{props.title}</h2>
      <div id={bodyId}>{props.body}</div>
      <div className="actions">
        <button type="button" onClick={() => close(false)}>
          Cancel
        </button>
        <button type="button" className={props.danger ? "danger" : "primary"} onClick={() => close(true)}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
