import {
  type FormEvent,
  type InputHTMLAttributes,
  type ReactNode,
  useEffect,
  useMemo,
  useState,
} from "react";
import {
  type FilterSpec,
  type FiltersOf,
  filtersFromSearch,
  type SearchOf,
  searchFromFilters,
} from "../search.js";

/**
 * A filter form over filters kept in the URL: `filters` are the applied ones (read from the URL's
 * search), the draft is what is being edited; Apply writes the draft to the URL through `onApply`.
 * `field(name)` gives an input or select its id (`<prefix>-<name>`), value and change handler.
 */
export function useFilters<S extends FilterSpec>(
  prefix: string,
  spec: S,
  search: SearchOf<S>,
  onApply: (next: SearchOf<S>) => void,
) {
  const searchKey = JSON.stringify(search);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the search's content, not its identity
  const filters = useMemo(() => filtersFromSearch(spec, search), [spec, searchKey]);
  const [draft, setDraft] = useState<FiltersOf<S>>(filters);
  // Back/forward or a link changed the URL: the form shows what is applied.
  useEffect(() => setDraft(filters), [filters]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    onApply(searchFromFilters(spec, draft));
  };
  const field = (name: keyof S & string) => ({
    id: `${prefix}-${name}`,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [name]: e.target.value })),
  });
  return { filters, apply, field };
}

/** A row of filters with an "Apply filters" button. */
export function FilterBar({
  label,
  onSubmit,
  children,
}: {
  readonly label: string;
  readonly onSubmit: (e: FormEvent) => void;
  readonly children: ReactNode;
}) {
  return (
    <form className="filters" onSubmit={onSubmit} aria-label={label}>
      {children}
      <div className="filters-go">
        <button type="submit">Apply filters</button>
      </div>
    </form>
  );
}

/** One labelled filter; the control inside carries `id`. */
export function Filter({
  id,
  label,
  children,
}: {
  readonly id: string;
  readonly label: string;
  readonly children: ReactNode;
}) {
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      {children}
    </div>
  );
}

/** One labelled filter that is a plain input; pass it `field(name)` and the input's attributes. */
export function FilterInput({
  label,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & { readonly id: string; readonly label: string }) {
  return (
    <Filter id={input.id} label={label}>
      <input {...input} />
    </Filter>
  );
}
