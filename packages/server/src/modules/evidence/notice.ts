import { canonicalJson } from "@assent/sdk/evidence";
import type { ProgramConfig } from "../../config.js";
import { sha256Hex } from "../../ids.js";

export type NoticeProgram = Pick<ProgramConfig, "name" | "description" | "allowedPurposes">;

/** What a tenant admin is shown and agrees to; its version is the hash of exactly that. */
export interface Notice {
  readonly version: string;
  readonly name: string;
  readonly text: string;
  readonly purposes: string[];
}

export function noticeOf(program: NoticeProgram): Notice {
  const body = { name: program.name, text: program.description, purposes: [...program.allowedPurposes] };
  return { version: sha256Hex(canonicalJson(body)), ...body };
}

/** The difference between the notice a tenant accepted and the current one. */
export interface NoticeChange {
  readonly accepted: Notice;
  readonly current: Notice;
  readonly addedPurposes: string[];
  readonly removedPurposes: string[];
  readonly textChanged: boolean;
  readonly nameChanged: boolean;
}

export function noticeChange(accepted: Notice, current: Notice): NoticeChange | null {
  if (accepted.version === current.version) return null;
  return {
    accepted,
    current,
    addedPurposes: current.purposes.filter((p) => !accepted.purposes.includes(p)),
    removedPurposes: accepted.purposes.filter((p) => !current.purposes.includes(p)),
    textChanged: accepted.text !== current.text,
    nameChanged: accepted.name !== current.name,
  };
}
