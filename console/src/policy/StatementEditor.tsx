/**
 * One statement in the visual view: effect, service, actions (by access level, from the
 * Service Authorization Reference), resources, principals and conditions. Every change goes
 * back as a new VisualStatement; the caller turns it into JSON.
 */
import { useId, useState, type ReactElement } from 'react';
import type { PolicyKind } from './diagnostics.ts';
import { ACCESS_LEVELS, SERVICES, conditionKeysFor, findService, resourceArnExample, OPERATOR_CHOICES, type CatalogAction } from './catalog.ts';
import { statementService, type StringList, type VisualCondition, type VisualPrincipal, type VisualStatement } from './visual-model.ts';
import type { ConditionValue } from '../../../src/iam/policy-types.ts';
import './policy-editor.css';

interface Props {
  index: number;
  statement: VisualStatement;
  kind: PolicyKind;
  accountId: string;
  region: string;
  readOnly?: boolean;
  onChange(st: VisualStatement): void;
  onRemove(): void;
}


const list = (values: string[], previous: StringList): StringList => ({ values, single: previous.single || previous.values.length === 0 });

export function StatementEditor({ index, statement: st, kind, accountId, region, readOnly, onChange, onRemove }: Props): ReactElement {
  const id = useId();
  const service = statementService(st);
  const [picked, setPicked] = useState<string>(service);
  const current = service !== '' ? service : picked;
  const name = st.sid ? `${st.sid}` : `Statement ${index + 1}`;

  function setActions(values: string[]): void {
    onChange({ ...st, actionElement: st.actionElement ?? 'Action', actions: list(values, st.actions) });
  }

  return (
    <fieldset className="policy-statement" data-testid={`statement-${index}`} disabled={readOnly}>
      <legend>{name}</legend>
      <div className="policy-row">
        <label htmlFor={`${id}-sid`}>Sid</label>
        <input id={`${id}-sid`} value={st.sid ?? ''} placeholder="optional" onChange={(e) => onChange({ ...st, sid: e.target.value === '' ? undefined : e.target.value })} />
        <span role="radiogroup" aria-label="Effect">
          {['Allow', 'Deny'].map((effect) => (
            <label key={effect}>
              <input type="radio" name={`${id}-effect`} checked={st.effect === effect} onChange={() => onChange({ ...st, effect })} /> {effect}
            </label>
          ))}
        </span>
        <button type="button" className="btn btn-danger" onClick={onRemove}>Remove statement</button>
      </div>

      {kind !== 'identity' && <PrincipalEditor st={st} onChange={onChange} />}

      <div className="policy-row">
        <label htmlFor={`${id}-service`}>Service</label>
        <select id={`${id}-service`} value={current} onChange={(e) => {
          const next = e.target.value;
          setPicked(next);
          // Switching service starts the action list over, as AWS's visual editor does.
          if (next === '*') setActions(['*']);
          else if (service !== '' && next !== service) setActions([]);
        }}>
          <option value="">Choose a service…</option>
          {SERVICES.map((s) => <option key={s.prefix} value={s.prefix}>{s.name} ({s.prefix})</option>)}
          <option value="*">All services (*)</option>
        </select>
        {service === '' && st.actions.values.length > 0 && <span className="hint">actions of several services</span>}
        <label>
          <input type="checkbox" checked={st.actionElement === 'NotAction'} onChange={(e) => onChange({ ...st, actionElement: e.target.checked ? 'NotAction' : 'Action' })} />
          {' '}All actions except these (NotAction)
        </label>
      </div>

      <ActionPicker prefix={current} values={st.actions.values} onChange={setActions} />

      {kind !== 'trust' && (
        <ResourceEditor st={st} prefix={current} accountId={accountId} region={region} onChange={onChange} />
      )}

      <ConditionEditor prefix={current} conditions={st.conditions} onChange={(conditions) => onChange({ ...st, conditions })} />
    </fieldset>
  );
}

function Chips({ values, label, onRemove }: { values: string[]; label: string; onRemove(i: number): void }): ReactElement {
  return (
    <ul className="chips" aria-label={label}>
      {values.map((v, i) => (
        <li key={`${v}-${i}`} className="chip"><code>{v}</code>
          <button type="button" className="chip-remove" aria-label={`Remove ${v}`} onClick={() => onRemove(i)}>×</button>
        </li>
      ))}
    </ul>
  );
}

function AddText({ label, placeholder, onAdd }: { label: string; placeholder: string; onAdd(v: string): void }): ReactElement {
  const [text, setText] = useState('');
  const add = () => { const v = text.trim(); if (v !== '') { onAdd(v); setText(''); } };
  return (
    <span className="add-text">
      <input aria-label={label} placeholder={placeholder} value={text} onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
      <button type="button" className="btn" onClick={add}>Add</button>
    </span>
  );
}

function ActionPicker({ prefix, values, onChange }: { prefix: string; values: string[]; onChange(values: string[]): void }): ReactElement {
  const [filter, setFilter] = useState('');
  const svc = prefix === '*' || prefix === '' ? undefined : findService(prefix);
  const has = (action: string) => values.some((v) => v.toLowerCase() === action.toLowerCase());
  const toggle = (action: string, on: boolean) => onChange(on ? [...values, action] : values.filter((v) => v.toLowerCase() !== action.toLowerCase()));
  const matches = (a: CatalogAction) => filter === '' || a.name.toLowerCase().includes(filter.toLowerCase());
  return (
    <div className="policy-block">
      <h4>Actions</h4>
      <Chips values={values} label="Actions in this statement" onRemove={(i) => onChange(values.filter((_, j) => j !== i))} />
      <AddText label="Add an action" placeholder="service:Action, wildcards allowed (secretsmanager:Get*)" onAdd={(v) => onChange([...values, v])} />
      {svc && (
        <details className="action-catalog">
          <summary>Choose {svc.prefix} actions ({svc.actions.length})</summary>
          <label><input type="checkbox" checked={has(`${svc.prefix}:*`)} onChange={(e) => toggle(`${svc.prefix}:*`, e.target.checked)} /> All {svc.name} actions ({svc.prefix}:*)</label>
          <input aria-label="Filter actions" placeholder="Filter actions" value={filter} onChange={(e) => setFilter(e.target.value)} />
          {ACCESS_LEVELS.map((level) => {
            const actions = svc.actions.filter((a) => a.accessLevel === level && matches(a));
            if (actions.length === 0) return null;
            return (
              <fieldset key={level} className="access-level">
                <legend>{level}</legend>
                {actions.map((a) => (
                  <label key={a.name} title={a.description}>
                    <input type="checkbox" checked={has(`${svc.prefix}:${a.name}`)} onChange={(e) => toggle(`${svc.prefix}:${a.name}`, e.target.checked)} />
                    {' '}{a.name}
                  </label>
                ))}
              </fieldset>
            );
          })}
        </details>
      )}
    </div>
  );
}

function ResourceEditor({ st, prefix, accountId, region, onChange }: { st: VisualStatement; prefix: string; accountId: string; region: string; onChange(st: VisualStatement): void }): ReactElement {
  const values = st.resources.values;
  const set = (next: string[]) => onChange({ ...st, resourceElement: st.resourceElement ?? 'Resource', resources: list(next, st.resources) });
  const svc = findService(prefix);
  return (
    <div className="policy-block">
      <h4>Resources</h4>
      <Chips values={values} label="Resources in this statement" onRemove={(i) => set(values.filter((_, j) => j !== i))} />
      <AddText label="Add a resource ARN" placeholder="arn:aws:secretsmanager:region:account:secret:name-??????" onAdd={(v) => set([...values, v])} />
      <span className="examples">
        {!values.includes('*') && <button type="button" className="btn" onClick={() => set([...values, '*'])}>Any resource (*)</button>}
        {svc?.resourceTypes.map((r) => {
          const arn = resourceArnExample(r.arn, region, accountId);
          return <button type="button" className="btn" key={r.name} title={r.arn} onClick={() => set([...values, arn])}>Any {r.name} ({arn})</button>;
        })}
      </span>
      <label>
        <input type="checkbox" checked={st.resourceElement === 'NotResource'} onChange={(e) => onChange({ ...st, resourceElement: e.target.checked ? 'NotResource' : 'Resource' })} />
        {' '}All resources except these (NotResource)
      </label>
    </div>
  );
}

function PrincipalEditor({ st, onChange }: { st: VisualStatement; onChange(st: VisualStatement): void }): ReactElement {
  const principal: VisualPrincipal = st.principal ?? { kind: 'map', entries: [] };
  const set = (p: VisualPrincipal) => onChange({ ...st, principalElement: st.principalElement ?? 'Principal', principal: p });
  const entries = principal.kind === 'map' ? principal.entries : [];
  return (
    <div className="policy-block">
      <h4>{st.principalElement === 'NotPrincipal' ? 'Principals (NotPrincipal)' : 'Principals'}</h4>
      <label>
        <input type="checkbox" checked={principal.kind === 'everyone'} onChange={(e) => set(e.target.checked ? { kind: 'everyone' } : { kind: 'map', entries: [] })} />
        {' '}Everyone ("*")
      </label>
      {principal.kind === 'map' && (
        <>
          {entries.map((entry, i) => (
            <div key={`${entry.type}-${i}`} className="policy-row">
              <strong>{entry.type}</strong>
              <Chips values={entry.list.values} label={`${entry.type} principals`} onRemove={(j) => {
                const next = entries.map((e, k) => (k === i ? { ...e, list: { ...e.list, values: e.list.values.filter((_, m) => m !== j) } } : e)).filter((e) => e.list.values.length > 0);
                set({ kind: 'map', entries: next });
              }} />
            </div>
          ))}
          <PrincipalAdder onAdd={(type, value) => {
            const existing = entries.findIndex((e) => e.type === type);
            const next = existing >= 0
              ? entries.map((e, k) => (k === existing ? { ...e, list: list([...e.list.values, value], e.list) } : e))
              : [...entries, { type, list: { values: [value], single: true } }];
            set({ kind: 'map', entries: next });
          }} />
        </>
      )}
    </div>
  );
}

function PrincipalAdder({ onAdd }: { onAdd(type: string, value: string): void }): ReactElement {
  const [type, setType] = useState('AWS');
  return (
    <span className="add-text">
      <select aria-label="Principal type" value={type} onChange={(e) => setType(e.target.value)}>
        <option value="AWS">AWS (account, user, role ARN)</option>
        <option value="Service">Service (e.g. lambda.amazonaws.com)</option>
        <option value="Federated">Federated</option>
      </select>
      <AddText label="Add a principal" placeholder={type === 'Service' ? 'secretsmanager.amazonaws.com' : 'arn:aws:iam::111122223333:role/name'} onAdd={(v) => onAdd(type, v)} />
    </span>
  );
}

/** Edited values stay typed: "true" stays the boolean it was, "3600" the number it was. */
function parseValues(text: string, previous: readonly ConditionValue[]): ConditionValue[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => previous.find((p) => String(p) === s) ?? s);
}

function ConditionEditor({ prefix, conditions, onChange }: { prefix: string; conditions: VisualCondition[]; onChange(c: VisualCondition[]): void }): ReactElement {
  const id = useId();
  const keys = conditionKeysFor(prefix === '*' ? '' : prefix);
  const update = (i: number, c: Partial<VisualCondition>) => onChange(conditions.map((x, j) => (j === i ? { ...x, ...c } : x)));
  return (
    <div className="policy-block">
      <h4>Conditions</h4>
      <datalist id={`${id}-operators`}>{OPERATOR_CHOICES.map((o) => <option key={o} value={o} />)}</datalist>
      <datalist id={`${id}-keys`}>{keys.map((k) => <option key={k} value={k} />)}</datalist>
      {conditions.length > 0 && (
        <table className="conditions">
          <thead><tr><th>Operator</th><th>Key</th><th>Values (comma-separated)</th><th /></tr></thead>
          <tbody>
            {conditions.map((c, i) => (
              <tr key={i}>
                <td><input aria-label={`Condition ${i + 1} operator`} list={`${id}-operators`} value={c.operator} onChange={(e) => update(i, { operator: e.target.value })} /></td>
                <td><input aria-label={`Condition ${i + 1} key`} list={`${id}-keys`} value={c.key} onChange={(e) => update(i, { key: e.target.value })} /></td>
                <td><ValuesInput label={`Condition ${i + 1} values`} values={c.values} onChange={(values) => update(i, { values, single: c.single && values.length <= 1 })} /></td>
                <td><button type="button" className="btn" aria-label={`Remove condition ${i + 1}`} onClick={() => onChange(conditions.filter((_, j) => j !== i))}>×</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" className="btn" onClick={() => onChange([...conditions, { operator: 'StringEquals', key: '', values: [], single: true }])}>Add condition</button>
    </div>
  );
}

/** Holds the text while typing (a trailing comma must not vanish) and parses it on every change. */
function ValuesInput({ label, values, onChange }: { label: string; values: ConditionValue[]; onChange(v: ConditionValue[]): void }): ReactElement {
  const joined = values.map(String).join(', ');
  const [text, setText] = useState(joined);
  const shown = parseValues(text, values).map(String).join(', ') === joined ? text : joined;
  return <input aria-label={label} value={shown} onChange={(e) => { setText(e.target.value); onChange(parseValues(e.target.value, values)); }} />;
}
