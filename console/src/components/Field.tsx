import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

/** A labelled form control: `label` is the accessible name tests find it by (getByLabel). */
export function Field(props: { label: string; hint?: ReactNode; error?: string; children: (id: string, describedBy?: string) => ReactNode }) {
  const id = useId();
  const hintId = props.hint || props.error ? `${id}-hint` : undefined;
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, hintId)}
      {props.error ? <div id={hintId} className="field-error" role="alert">{props.error}</div> : props.hint ? <div id={hintId} className="hint">{props.hint}</div> : null}
    </div>
  );
}

export function TextField({ label, hint, error, ...rest }: { label: string; hint?: ReactNode; error?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return <Field label={label} hint={hint} error={error}>{(id, d) => <input id={id} aria-describedby={d} aria-invalid={error ? true : undefined} {...rest} />}</Field>;
}

export function SelectField({ label, hint, options, ...rest }: { label: string; hint?: ReactNode; options: { value: string; label: string }[] } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <Field label={label} hint={hint}>
      {(id, d) => <select id={id} aria-describedby={d} {...rest}>{options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}</select>}
    </Field>
  );
}

export function TextAreaField({ label, hint, error, ...rest }: { label: string; hint?: ReactNode; error?: string } & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <Field label={label} hint={hint} error={error}>{(id, d) => <textarea id={id} aria-describedby={d} aria-invalid={error ? true : undefined} {...rest} />}</Field>;
}

export function Checkbox({ label, ...rest }: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return <div className="checkbox"><input id={id} type="checkbox" {...rest} /><label htmlFor={id}>{label}</label></div>;
}
