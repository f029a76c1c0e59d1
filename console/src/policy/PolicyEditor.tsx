/**
 * The policy editor: a JSON view validated as you type (syntax errors with line and column,
 * the server's grammar findings pointing at the element) and a visual view (per statement:
 * effect, service, actions, resources, principals, conditions). The text is the one source of
 * truth: the visual view is derived from it on every render and writes it back, so the two
 * views can never drift apart. Used for identity, trust, secret resource and key policies.
 */
import { useMemo, useRef, useState, type ReactElement } from 'react';
import { analyzePolicy, type Diagnostic, type PolicyKind } from './diagnostics.ts';
import { formatDocument, fromDocument, newStatement, toDocument, type VisualPolicy, type VisualStatement } from './visual-model.ts';
import { StatementEditor } from './StatementEditor.tsx';
import { Button, TabPanel, Tabs } from '../components/index.ts';
import './policy-editor.css';

export interface PolicyEditorProps {
  kind: PolicyKind;
  value: string;
  onChange(text: string): void;
  /** Used to fill ARN examples in the visual view. */
  accountId: string;
  region: string;
  /** Accessible name of the editor, e.g. "Trust policy". */
  label: string;
  readOnly?: boolean;
}

type View = 'visual' | 'json';

export function PolicyEditor(props: PolicyEditorProps): ReactElement {
  const { kind, value, onChange, label, readOnly } = props;
  const [view, setView] = useState<View>('json');
  const analysis = useMemo(() => analyzePolicy(value, kind), [value, kind]);
  const visual = useMemo(() => (analysis.document === undefined ? undefined : fromDocument(analysis.document)), [analysis]);
  const textarea = useRef<HTMLTextAreaElement>(null);

  const errors = analysis.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = analysis.diagnostics.length - errors;

  function reveal(d: Diagnostic): void {
    setView('json');
    // Let the JSON view mount before selecting the element the finding is about.
    requestAnimationFrame(() => {
      const el = textarea.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(d.offset, d.offset + d.length);
    });
  }

  function writeVisual(policy: VisualPolicy): void {
    onChange(formatDocument(toDocument(policy)));
  }

  return (
    <section className="policy-editor" aria-label={label} data-testid="policy-editor">
      <div className="policy-editor-bar">
        <Tabs label={`${label} view`} selected={view} onSelect={(id) => setView(id as View)} tabs={[{ id: 'visual', label: 'Visual' }, { id: 'json', label: 'JSON' }]} />
        <span className={errors > 0 ? 'policy-status policy-status-error' : 'policy-status'} data-testid="policy-status" role="status">
          {errors > 0 ? `${errors} error${errors > 1 ? 's' : ''}` : 'Valid policy'}
          {warnings > 0 ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}
        </span>
        {view === 'json' && analysis.document !== undefined && !readOnly && (
          <Button onClick={() => onChange(formatDocument(analysis.document))}>Format</Button>
        )}
      </div>

      <TabPanel id={view}>
        {view === 'json' ? (
          <JsonView value={value} onChange={onChange} label={label} readOnly={readOnly} textarea={textarea} diagnostics={analysis.diagnostics} />
        ) : visual === undefined ? (
          <p className="policy-visual-unavailable" role="note">The visual editor needs valid JSON: fix the syntax errors in the JSON view first.</p>
        ) : !visual.ok ? (
          <p className="policy-visual-unavailable" role="note">The visual editor cannot show this policy: {visual.reason}. Edit it in the JSON view.</p>
        ) : (
          <VisualView policy={visual.policy} kind={kind} onChange={writeVisual} accountId={props.accountId} region={props.region} readOnly={readOnly} />
        )}
      </TabPanel>

      {analysis.diagnostics.length > 0 && (
        <ul className="policy-diagnostics" aria-label={`${label} findings`} data-testid="policy-diagnostics">
          {analysis.diagnostics.map((d, i) => (
            <li key={i} className={`policy-diagnostic policy-diagnostic-${d.severity}`}>
              <button type="button" className="btn btn-link" onClick={() => reveal(d)} title="Show in the JSON view">
                {d.severity === 'error' ? 'Error' : 'Warning'} · line {d.line}, column {d.column}
                {d.path !== '' ? ` · ${d.path}` : ''}
              </button>
              : <span>{d.message}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface JsonViewProps {
  value: string;
  onChange(text: string): void;
  label: string;
  readOnly?: boolean;
  textarea: React.RefObject<HTMLTextAreaElement | null>;
  diagnostics: readonly Diagnostic[];
}

function JsonView({ value, onChange, label, readOnly, textarea, diagnostics }: JsonViewProps): ReactElement {
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split('\n').length;
  const errorLines = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.line));
  return (
    <div className="json-editor policy-json">
      <div className="json-gutter policy-gutter" ref={gutter} aria-hidden="true">
        {Array.from({ length: lines }, (_, i) => (
          <div key={i} className={errorLines.has(i + 1) ? 'policy-gutter-error' : undefined}>{i + 1}</div>
        ))}
      </div>
      <textarea
        ref={textarea}
        aria-label={`${label} JSON`}
        data-testid="policy-json"
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        readOnly={readOnly}
        value={value}
        rows={Math.min(Math.max(lines + 1, 8), 30)}
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => { if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop; }}
        onKeyDown={(e) => {
          // Tab indents inside the editor; Escape then Tab leaves it (keyboard users are not trapped).
          if (e.key === 'Tab' && !e.shiftKey && !readOnly && e.currentTarget.dataset.escaped !== 'true') {
            e.preventDefault();
            const el = e.currentTarget;
            const { selectionStart, selectionEnd } = el;
            onChange(`${value.slice(0, selectionStart)}  ${value.slice(selectionEnd)}`);
            requestAnimationFrame(() => el.setSelectionRange(selectionStart + 2, selectionStart + 2));
          }
          e.currentTarget.dataset.escaped = e.key === 'Escape' ? 'true' : 'false';
        }}
      />
    </div>
  );
}

interface VisualViewProps {
  policy: VisualPolicy;
  kind: PolicyKind;
  onChange(policy: VisualPolicy): void;
  accountId: string;
  region: string;
  readOnly?: boolean;
}

function VisualView({ policy, kind, onChange, accountId, region, readOnly }: VisualViewProps): ReactElement {
  function update(index: number, st: VisualStatement | undefined): void {
    const statements = [...policy.statements];
    if (st === undefined) statements.splice(index, 1);
    else statements[index] = st;
    onChange({ ...policy, statements });
  }
  return (
    <div className="policy-visual" data-testid="policy-visual">
      {policy.statements.length === 0 && <p>This policy has no statements yet.</p>}
      {policy.statements.map((st, i) => (
        <StatementEditor key={i} index={i} statement={st} kind={kind} accountId={accountId} region={region} readOnly={readOnly}
          onChange={(next) => update(i, next)} onRemove={() => update(i, undefined)} />
      ))}
      {!readOnly && (
        <Button onClick={() => {
          // A new statement in a `"Statement": {…}` document turns it into a list.
          const top: [string, unknown][] = policy.top.some(([k]) => k === 'Version') ? policy.top : [['Version', '2012-10-17'], ...policy.top];
          onChange({ ...policy, top, singleStatement: false, statements: [...policy.statements, newStatement(kind)] });
        }}>Add statement</Button>
      )}
    </div>
  );
}
