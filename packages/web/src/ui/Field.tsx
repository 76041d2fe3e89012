import type { InputHTMLAttributes, ReactNode } from "react";

/** A label and its control, linked by id; `note` follows the label text (e.g. "(optional)"). */
export function FieldLabel({
  id,
  label,
  note,
}: {
  readonly id: string;
  readonly label: ReactNode;
  readonly note?: string;
}) {
  return (
    <label htmlFor={id}>
      {label}
      {note ? (
        <>
          {" "}
          <span className="muted">{note}</span>
        </>
      ) : null}
    </label>
  );
}

export interface TextFieldProps
  extends Omit<InputHTMLAttributes<HTMLInputElement>, "onChange" | "value" | "id"> {
  readonly id: string;
  readonly label: ReactNode;
  readonly note?: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
}

/** A labelled single-line input whose value lives in the caller's state. */
export function TextField({ id, label, note, value, onChange, ...input }: TextFieldProps) {
  return (
    <>
      <FieldLabel id={id} label={label} note={note} />
      <input id={id} {...input} value={value} onChange={(e) => onChange(e.target.value)} />
    </>
  );
}
