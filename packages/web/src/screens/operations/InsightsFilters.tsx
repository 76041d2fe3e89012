import { useQuery } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { queries } from "../../api/queries.js";
import { Filter, FilterBar, FilterInput } from "../../ui/Filters.js";
import { RegionPicker, TenantPicker } from "../review/ScopePickers.js";

type Field = (name: "region" | "tenant" | "from" | "to") => {
  id: string;
  value: string;
  onChange: (e: { target: { value: string } }) => void;
};

/**
 * The insights' filters: region and tenant are choices, not typed ids (the program's regions and
 * every tenant, an operator sees them all; the tenants offered are those of the region chosen).
 */
export function InsightsFilters({
  field,
  onSubmit,
}: {
  readonly field: Field;
  readonly onSubmit: (e: FormEvent) => void;
}) {
  const regions = useQuery(queries.program()).data?.regions ?? [];
  const tenants = useQuery(queries.tenants()).data ?? [];
  const region = field("region");
  const tenant = field("tenant");
  // A tenant of another region would filter everything out: choosing a region lets go of it.
  const chooseRegion = (e: { target: { value: string } }) => {
    region.onChange(e);
    const chosen = tenants.find((t) => t.id === tenant.value);
    if (e.target.value && chosen && chosen.region !== e.target.value)
      tenant.onChange({ target: { value: "" } });
  };
  return (
    <FilterBar onSubmit={onSubmit} label="Filter the insights">
      <Filter id={region.id} label="Region">
        <RegionPicker regions={regions} {...region} onChange={chooseRegion} />
      </Filter>
      <Filter id="insights-tenant" label="Tenant">
        <TenantPicker tenants={tenants} region={region.value} anyLabel="Every tenant" {...tenant} />
      </Filter>
      <FilterInput label="From" {...field("from")} type="datetime-local" />
      <FilterInput label="To" {...field("to")} type="datetime-local" />
    </FilterBar>
  );
}
