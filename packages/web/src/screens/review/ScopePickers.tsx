import { useQuery } from "@tanstack/react-query";
import { queries } from "../../api/queries.js";
import { workQueries } from "../../api/work-queries.js";

/** Regions of the program and tenants the reviewer's grants open, as choices (never typed ids). */
export function useScopeChoices(grants = 0) {
  const program = useQuery(queries.program());
  const tenants = useQuery(workQueries.tenants(grants));
  return { regions: program.data?.regions ?? [], tenants: tenants.data ?? [] };
}

interface PickerProps {
  readonly id: string;
  readonly value: string;
  readonly onChange: (e: { target: { value: string } }) => void;
  readonly required?: boolean;
}

export function RegionPicker({
  regions,
  anyLabel = "Any region",
  ...p
}: PickerProps & { readonly regions: readonly string[]; readonly anyLabel?: string | null }) {
  return (
    <select id={p.id} value={p.value} onChange={p.onChange} required={p.required}>
      {anyLabel !== null ? <option value="">{anyLabel}</option> : <option value="">Choose a region…</option>}
      {regions.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}

export function TenantPicker({
  tenants,
  region,
  anyLabel = "Every tenant your grants open",
  ...p
}: PickerProps & {
  readonly tenants: readonly { id: string; name: string; region: string }[];
  /** Only tenants of this region, when one is chosen. */
  readonly region?: string;
  /** The choice meaning "no tenant filter". */
  readonly anyLabel?: string;
}) {
  const shown = tenants.filter((t) => !region || t.region === region);
  return (
    <select id={p.id} value={p.value} onChange={p.onChange}>
      <option value="">{anyLabel}</option>
      {shown.map((t) => (
        <option key={t.id} value={t.id}>
          {t.name} ({t.region})
        </option>
      ))}
      {p.value && !shown.some((t) => t.id === p.value) ? <option value={p.value}>{p.value}</option> : null}
    </select>
  );
}
