import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { QUEUE_LIMITS, workApi } from "../../api/work.js";
import { workKeys, workQueries } from "../../api/work-queries.js";
import { DataTable } from "../../ui/DataTable.js";
import { Filter } from "../../ui/Filters.js";
import { FormFooter, useFormAction } from "../../ui/FormAction.js";
import { localToIso, num, Time } from "../../ui/format.js";
import { LoadState } from "../../ui/Loaded.js";
import { Section } from "../../ui/Section.js";
import { RegionPicker, TenantPicker, useScopeChoices } from "./ScopePickers.js";

/** Annotation queues: a saved filter sampled into items to review; the list shows each one's progress. */
export function Queues({ activeGrants }: { readonly activeGrants: number }) {
  const queues = useQuery({ ...workQueries.queues(activeGrants), enabled: activeGrants > 0 });
  const choices = useScopeChoices(activeGrants);
  const [name, setName] = useState("");
  const [region, setRegion] = useState("");
  const [tenant, setTenant] = useState("");
  const [feature, setFeature] = useState("");
  const [from, setFrom] = useState("");
  const [sample, setSample] = useState("10");
  const create = useFormAction(workApi.createQueue, { invalidates: [workKeys.queues] });
  const submit = create.submit(
    () => [
      {
        name: name.trim(),
        region,
        ...(tenant ? { tenant } : {}),
        ...(feature.trim() ? { feature: feature.trim() } : {}),
        ...(from ? { from: localToIso(from) } : {}),
        ...(sample ? { sample: Number(sample) } : {}),
      },
    ],
    (q) => {
      setName("");
      return `Queue "${q.name}" made with ${q.progress.total} interactions.`;
    },
  );
  if (activeGrants === 0) return null;
  const items = queues.data ?? [];
  return (
    <div className="grid two">
      <Section title="Annotation queues">
        <LoadState loaded={queues} what="the queues" isEmpty={items.length === 0} empty="No queue yet." />
        {items.length ? (
          <DataTable testId="queues" columns={["Queue", "Region", "Progress", "Made", "Work"]}>
            {items.map((q) => {
              const handled = q.progress.done + q.progress.skipped;
              return (
                <tr key={q.id}>
                  <td>
                    {q.name}
                    <div className="muted small">
                      {q.filter.feature ?? "every feature"}
                      {q.samplePerFeature ? ` · ${q.samplePerFeature} per feature at random` : " · newest"}
                    </div>
                  </td>
                  <td>{q.region}</td>
                  <td>
                    {num(handled)} / {num(q.progress.total)}
                    <progress
                      max={q.progress.total || 1}
                      value={handled}
                      aria-label={`Progress of ${q.name}`}
                    />
                  </td>
                  <td>
                    <Time iso={q.createdAt} />
                  </td>
                  <td>
                    <Link
                      to="/review/queues/$id"
                      params={{ id: q.id }}
                      aria-label={`${handled < q.progress.total ? "Start" : "Open"} queue ${q.name}`}
                    >
                      {handled < q.progress.total ? "Start" : "Open"}
                    </Link>
                  </td>
                </tr>
              );
            })}
          </DataTable>
        ) : null}
      </Section>
      <Section title="Make a queue">
        <form className="form" onSubmit={submit} aria-label="Make a queue">
          <Filter id="queue-name" label="Name">
            <input
              id="queue-name"
              required
              maxLength={QUEUE_LIMITS.nameMax}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </Filter>
          <Filter id="queue-region" label="Region">
            <RegionPicker
              id="queue-region"
              required
              anyLabel={null}
              regions={[...new Set(choices.tenants.map((t) => t.region))]}
              value={region}
              onChange={(e) => setRegion(e.target.value)}
            />
          </Filter>
          <Filter id="queue-tenant" label="Tenant">
            <TenantPicker
              id="queue-tenant"
              tenants={choices.tenants}
              region={region}
              value={tenant}
              onChange={(e) => setTenant(e.target.value)}
            />
          </Filter>
          <Filter id="queue-feature" label="Feature (optional)">
            <input
              id="queue-feature"
              maxLength={128}
              value={feature}
              onChange={(e) => setFeature(e.target.value)}
            />
          </Filter>
          <Filter id="queue-from" label="Occurred from (optional)">
            <input
              id="queue-from"
              type="datetime-local"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
            />
          </Filter>
          <Filter id="queue-sample" label="Sample per feature">
            <select id="queue-sample" value={sample} onChange={(e) => setSample(e.target.value)}>
              <option value="">None: the newest</option>
              {["5", "10", "25", "50", "100"].map((n) => (
                <option key={n} value={n}>
                  {n} at random
                </option>
              ))}
            </select>
          </Filter>
          <FormFooter action={create} disabled={!region}>
            Make queue
          </FormFooter>
        </form>
      </Section>
    </div>
  );
}
