import { type FormEvent, type ReactNode, useState } from "react";
import { type Action, type ActionOptions, useAction } from "../hooks.js";
import { ErrorNote, Status } from "./feedback.js";

export interface FormAction<A extends unknown[], R> extends Action<A, R> {
  /** What the last submit did, announced by the form's status line. */
  readonly status: string | null;
  /** A submit handler: runs the action with `args()`; on success shows what `done` answers. */
  submit(args: () => A, done: (result: R) => string): (e: FormEvent) => void;
}

/** A form's action: busy while it runs, the API's error, and a status line once it succeeded. */
export function useFormAction<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  opts: ActionOptions = {},
): FormAction<A, R> {
  const action = useAction(fn, opts);
  const [status, setStatus] = useState<string | null>(null);
  const submit = (args: () => A, done: (result: R) => string) => (e: FormEvent) => {
    e.preventDefault();
    setStatus(null);
    void action.run(...args()).then((result) => {
      if (result) setStatus(done(result));
    });
  };
  return { ...action, status, submit };
}

/** The form's primary submit button, then the action's error and status line. */
export function FormFooter({
  action,
  disabled,
  children,
}: {
  readonly action: Pick<FormAction<never, unknown>, "busy" | "error" | "status">;
  readonly disabled?: boolean;
  readonly children: ReactNode;
}) {
  return (
    <>
      <div className="actions">
        <button type="submit" className="primary" disabled={action.busy || disabled}>
          {children}
        </button>
      </div>
      <ErrorNote error={action.error} />
      <Status>{action.status}</Status>
    </>
  );
}
