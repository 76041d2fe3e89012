import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { accessApi } from "../../api/endpoints.js";
import { keys, queries } from "../../api/queries.js";
import { REASON_CODES } from "../../api/types.js";
import { FieldLabel, TextField } from "../../ui/Field.js";
import { FormFooter, useFormAction } from "../../ui/FormAction.js";
import { Section } from "../../ui/Section.js";

const DURATIONS = [30, 60, 120, 240, 480];

/** POST /api/access-requests: scope, reason code, justification, optional ticket, duration. */
export function RequestAccessForm() {
  const [region, setRegion] = useState("");
  const [tenantId, setTenantId] = useState("");
  const [reasonCode, setReasonCode] = useState<string>(REASON_CODES[1]);
  const [justification, setJustification] = useState("");
  const [ticket, setTicket] = useState("");
  const [duration, setDuration] = useState(60);
  const create = useFormAction(accessApi.create, { invalidates: [keys.access] });
  // The configured regions; while they load (or if that fails) the field stays free text.
  const regions = useQuery(queries.program()).data?.regions ?? [];

  const submit = create.submit(
    () => [
      {
        region: region.trim(),
        reasonCode,
        justification: justification.trim(),
        durationMinutes: duration,
        ...(tenantId.trim() ? { tenantId: tenantId.trim() } : {}),
        ...(ticket.trim() ? { ticket: ticket.trim() } : {}),
      },
    ],
    () => {
      setJustification("");
      setTicket("");
      // No state here: it changes (approved, denied) while this message is on screen; the list shows it.
      return "Request sent. An approver other than you must approve it; follow it under Your access requests.";
    },
  );

  return (
    <Section title="Request access">
      <form onSubmit={submit} className="form">
        <div className="row">
          <div>
            <TextField
              id="req-region"
              label="Region"
              required
              list="req-regions"
              value={region}
              onChange={setRegion}
              placeholder={regions[0] ?? "eu"}
              maxLength={32}
            />
            <datalist id="req-regions">
              {regions.map((r) => (
                <option key={r} value={r} />
              ))}
            </datalist>
          </div>
          <div>
            <TextField
              id="req-tenant"
              label="Tenant"
              note="(optional)"
              value={tenantId}
              onChange={setTenantId}
              placeholder="every tenant of the region"
              maxLength={64}
              aria-describedby="req-tenant-hint"
            />
            <span id="req-tenant-hint" className="hint">
              Ask for one tenant when you can.
            </span>
          </div>
        </div>
        <div className="row">
          <div>
            <FieldLabel id="req-reason" label="Reason" />
            <select id="req-reason" value={reasonCode} onChange={(e) => setReasonCode(e.target.value)}>
              {REASON_CODES.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </div>
          <div>
            <FieldLabel id="req-duration" label="For" />
            <select id="req-duration" value={duration} onChange={(e) => setDuration(Number(e.target.value))}>
              {DURATIONS.map((m) => (
                <option key={m} value={m}>
                  {m < 60 ? `${m} minutes` : `${m / 60} hour${m === 60 ? "" : "s"}`}
                </option>
              ))}
            </select>
          </div>
        </div>
        <FieldLabel id="req-justification" label="Justification" />
        <textarea
          id="req-justification"
          required
          rows={3}
          maxLength={2000}
          value={justification}
          onChange={(e) => setJustification(e.target.value)}
          placeholder="What you need to look at and why; the tenant sees this."
        />
        <TextField
          id="req-ticket"
          label="Ticket"
          note="(optional)"
          value={ticket}
          onChange={setTicket}
          maxLength={128}
        />
        <FormFooter action={create}>{create.busy ? "Sending…" : "Request access"}</FormFooter>
      </form>
    </Section>
  );
}
