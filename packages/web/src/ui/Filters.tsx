import { type FormEvent, type InputHTMLAttributes, type ReactNode, useState } from "react";

/**
 * A filter form's state: the draft being edited and the filters last applied.
 * `field(name)` gives an input or select its id (`<prefix>-<name>`), value and change handler.
 */
export function useFilters<F extends Record<string, string>>(prefix: string, empty: F, onApply?: () => void) {
  const [draft, setDraft] = useState<F>(empty);
  const [filters, setFilters] = useState<F>(empty);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    onApply?.();
  };
  const field = (name: keyof F & string) => ({
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
