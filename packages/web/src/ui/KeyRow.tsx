import type { ReactNode } from "react";
import { useAction } from "../hooks.js";
import { useConfirm } from "./confirm.js";
import { Badge, ErrorNote } from "./feedback.js";
import { Time } from "./format.js";

/** A credential as the key lists show it (ingestion keys and service keys alike). */
export interface ListedKey {
  readonly id: string;
  readonly prefix: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** One key in a list: prefix, what names it, live or revoked, and Revoke behind a confirmation. */
export function KeyRow({
  listedKey: k,
  testId,
  children,
  revokeKey,
  confirmTitle,
  confirmBody,
  onRevoked,
}: {
  readonly listedKey: ListedKey;
  readonly testId: string;
  /** What names the key next to its prefix (label, service name, regions). */
  readonly children?: ReactNode;
  readonly revokeKey: (id: string) => Promise<unknown>;
  readonly confirmTitle: string;
  readonly confirmBody: ReactNode;
  readonly onRevoked: () => void;
}) {
  const revoke = useAction(revokeKey);
  const [confirm, dialog] = useConfirm();
  const onRevoke = async () => {
    const ok = await confirm({
      title: confirmTitle,
      body: confirmBody,
      confirmLabel: "Revoke key",
      danger: true,
    });
    if (ok && (await revoke.run(k.id))) onRevoked();
  };
  return (
    <li className="key-row" data-testid={testId}>
      <code>{k.prefix}…</code> {children}{" "}
      {k.revokedAt ? <Badge tone="off">revoked</Badge> : <Badge tone="on">live</Badge>}
      <span className="muted small">
        {" "}
        created <Time iso={k.createdAt} />
        {k.revokedAt ? (
          <>
            , revoked <Time iso={k.revokedAt} />
          </>
        ) : null}
      </span>
      {k.revokedAt ? null : (
        <button
          type="button"
          className="danger small-button"
          onClick={() => void onRevoke()}
          disabled={revoke.busy}
        >
          Revoke
        </button>
      )}
      <ErrorNote error={revoke.error} />
      {dialog}
    </li>
  );
}
