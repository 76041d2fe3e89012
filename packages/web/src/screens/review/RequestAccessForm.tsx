import { REASON_CODES, type ReasonCode } from "@assent/sdk/contract/staff";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { accessApi } from "../../api/endpoints.js";
import { keys, queries } from "../../api/queries.js";
import { workQueries } from "../../api/work-queries.js";
import { FieldLabel, TextField } from "../../ui/Field.js";
import { FormFooter, useFormAction } from "../../ui/FormAction.js";
import { Section } from "../../ui/Section.js";
import { RegionPicker } from "./ScopePickers.js";

const DURATIONS = [30, 60, 120, 240, 480];

/** POST /api/access-requests: scope, reason code, justification, optional ticket, duration. */
export function RequestAccessForm() {
  const [region, setRegion] = useState("");
  const [tenantId, setTenantId] = useState("");
  const [reasonCode, setReasonCode] = useState<ReasonCode>(REASON_CODES[1]);
  const [justification, setJustification] = useState("");
  const [ticket, setTicket] = useState("");
  const [duration, setDuration] = useState(60);
  const create = useFormAction(accessApi.create, { invalidates: [keys.access] });
  // Pickers, not typed ids: the program's regions and every tenant by name (no data).
  const regions = useQuery(queries.program()).data?.regions ?? [];
  const directory = useQuery(workQueries.directory()).data ?? [];

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
            <FieldLabel id="req-region" label="Region" />
            <RegionPicker
              id="req-region"
              required
              anyLabel={null}
              regions={regions}
              value={region}
              onChange={(e) => {
                setRegion(e.target.value);
                setTenantId("");
              }}
            />
          </div>
          <div>
            <FieldLabel id="req-tenant" label="Tenant" note="(optional)" />
            <select
              id="req-tenant"
              value={tenantId}
              onChange={(e) => setTenantId(e.target.value)}
              aria-describedby="req-tenant-hint"
            >
              <option value="">Every tenant of the region</option>
              {directory
                .filter((t) => t.region === region)
                .map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
            </select>
            <span id="req-tenant-hint" className="hint">
              Ask for one tenant when you can.
            </span>
          </div>
        </div>
        <div className="row">
          <div>
            <FieldLabel id="req-reason" label="Reason" />
            <select
              id="req-reason"
              value={reasonCode}
              onChange={(e) => setReasonCode(e.target.value as ReasonCode)}
            >
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
