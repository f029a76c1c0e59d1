import { useId, useMemo, useRef } from 'react';

/** Where JSON.parse stopped, as a line and column (1-based), when the engine says. */
export function jsonError(text: string): { message: string; line?: number; column?: number } | undefined {
  if (text.trim() === '') return undefined;
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    const lc = /line (\d+) column (\d+)/.exec(message);
    if (lc) return { message, line: Number(lc[1]), column: Number(lc[2]) };
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      return { message, line, column: Number(pos[1]) - before.lastIndexOf('\n') };
    }
    return { message };
  }
}

/**
 * A JSON textarea with line numbers and live syncing of the gutter's scroll; shows the parse
 * error (with its line) under the editor. `extraErrors` adds findings (e.g. policy validation).
 */
export function JsonEditor(props: { label: string; value: string; onChange: (v: string) => void; rows?: number; readOnly?: boolean; findings?: { line?: number; message: string }[] }) {
  const id = useId();
  const gutter = useRef<HTMLPreElement>(null);
  const lines = props.value.split('\n').length;
  const numbers = useMemo(() => Array.from({ length: lines }, (_, i) => i + 1).join('\n'), [lines]);
  const err = jsonError(props.value);
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <div className={`json-editor${err ? ' field-invalid' : ''}`}>
        <pre className="json-gutter" ref={gutter} aria-hidden="true">{numbers}</pre>
        <textarea id={id} spellCheck={false} rows={props.rows ?? 14} value={props.value} readOnly={props.readOnly}
          aria-invalid={err ? true : undefined} aria-describedby={err ? `${id}-err` : undefined}
          onChange={(e) => props.onChange(e.target.value)}
          onScroll={(e) => { if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop; }}
          onKeyDown={(e) => {
            // Tab inserts two spaces; Escape then Tab leaves the editor (keyboard users are not trapped).
            if (e.key === 'Tab' && !e.shiftKey && !e.altKey && e.currentTarget.dataset.escaped !== '1' && !props.readOnly) {
              e.preventDefault();
              const t = e.currentTarget;
              const s = t.selectionStart;
              props.onChange(t.value.slice(0, s) + '  ' + t.value.slice(t.selectionEnd));
              requestAnimationFrame(() => { t.selectionStart = t.selectionEnd = s + 2; });
            }
            e.currentTarget.dataset.escaped = e.key === 'Escape' ? '1' : '0';
          }} />
      </div>
      {err && <div id={`${id}-err`} className="field-error" role="alert">Invalid JSON{err.line ? ` at line ${err.line}, column ${err.column}` : ''}: {err.message}</div>}
      {props.findings?.map((f, i) => <div key={i} className="field-error">{f.line ? `Line ${f.line}: ` : ''}{f.message}</div>)}
      <div className="hint">Tab indents; press Escape, then Tab, to move on.</div>
    </div>
  );
}
