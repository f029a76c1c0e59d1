// The secret value: hidden until the user retrieves it (GetSecretValue, so the read is
// authorized and audited like any other), shown as a key/value table or plaintext, copyable,
// and editable into a new version (PutSecretValue). A JSON value stays valid JSON: the table
// writes JSON, and the plaintext editor refuses to save broken JSON over a JSON secret.
import { useState } from 'react';
import { GetSecretValueCommand, PutSecretValueCommand, type DescribeSecretResponse } from '@aws-sdk/client-secrets-manager';
import { useSession } from '../../session.tsx';
import { Button, CopyButton, ErrorBanner, JsonEditor, Notice, TextAreaField, jsonError, useAction } from '../../components/index.ts';
import { duplicateKeys, fromPairs, toPairs, type Pair } from './secret-json.ts';
import { PairsEditor } from './PairsEditor.tsx';

export function ValueTab(props: { secret: DescribeSecretResponse; onChanged: () => void }) {
  const { clients } = useSession();
  const s = props.secret;
  const [value, setValue] = useState<{ text?: string; binary?: Uint8Array; versionId?: string; stages?: string[] }>();
  const [view, setView] = useState<'table' | 'plaintext'>('table');
  const [editing, setEditing] = useState(false);
  const [pairs, setPairs] = useState<Pair[]>([]);
  const [draft, setDraft] = useState('');
  const action = useAction();
  const [saved, setSaved] = useState<string>();

  const retrieve = () => action.run('retrieve', async () => {
    const out = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: s.ARN }));
    setValue({ text: out.SecretString, binary: out.SecretBinary, versionId: out.VersionId, stages: out.VersionStages });
    setView(out.SecretString !== undefined && toPairs(out.SecretString) ? 'table' : 'plaintext');
  });

  const hide = () => { setValue(undefined); setEditing(false); setPairs([]); setDraft(''); };

  const startEdit = () => {
    setSaved(undefined);
    setDraft(value?.text ?? '');
    setPairs(toPairs(value?.text ?? '') ?? []);
    setEditing(true);
  };

  const wasJson = value?.text !== undefined && jsonError(value.text) === undefined && value.text.trim() !== '';
  const tableable = value?.text !== undefined && toPairs(value.text) !== undefined;
  const next = view === 'table' && tableable ? fromPairs(pairs) : draft;
  const invalid = view === 'table' && tableable ? duplicateKeys(pairs).length > 0 : wasJson && jsonError(draft) !== undefined;

  const save = () => action.run('save', async () => {
    const out = await clients.secretsManager.send(new PutSecretValueCommand({ SecretId: s.ARN, SecretString: next }));
    setSaved(out.VersionId);
    setEditing(false);
    setValue({ text: next, versionId: out.VersionId, stages: out.VersionStages });
  }, props.onChanged);

  if (!value) {
    return (
      <div>
        <ErrorBanner error={action.error} action="secretsmanager:GetSecretValue" resource={s.ARN} />
        <p>The value is hidden. Retrieving it is recorded like any GetSecretValue call.</p>
        <Button variant="primary" busy={action.busy === 'retrieve'} onClick={() => void retrieve()}>Retrieve secret value</Button>
      </div>
    );
  }
  if (value.binary) {
    return <div><Notice>This secret holds binary data ({value.binary.length} bytes); the console shows and edits text secrets only.</Notice><Button onClick={hide}>Hide</Button></div>;
  }
  const text = value.text ?? '';
  return (
    <div>
      <ErrorBanner error={action.error} action="secretsmanager:PutSecretValue" resource={s.ARN} />
      {saved && <Notice kind="success">Saved as version <code>{saved}</code> (AWSCURRENT).</Notice>}
      <div className="toolbar">
        {tableable && (
          <div role="group" aria-label="Show as" className="page-actions">
            <Button variant={view === 'table' ? 'primary' : 'secondary'} aria-pressed={view === 'table'} onClick={() => setView('table')}>Key/value</Button>
            <Button variant={view === 'plaintext' ? 'primary' : 'secondary'} aria-pressed={view === 'plaintext'} onClick={() => { setView('plaintext'); if (editing) setDraft(JSON.stringify(JSON.parse(fromPairs(pairs)), null, 2)); }}>Plaintext</Button>
          </div>
        )}
        <CopyButton value={() => text} label="Copy value" />
        {!editing && <Button onClick={startEdit}>Edit</Button>}
        <Button onClick={hide}>Hide</Button>
      </div>
      <p className="muted small">Version <code>{value.versionId}</code>{value.stages?.length ? ` (${value.stages.join(', ')})` : ''}</p>
      {!editing ? (
        view === 'table' && tableable ? (
          <div className="table-wrap"><table data-testid="secret-pairs"><thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead>
            <tbody>{toPairs(text)!.map((p) => <tr key={p.key}><td>{p.key}</td><td className="mono">{p.value}</td></tr>)}</tbody></table></div>
        ) : <pre className="value-box" data-testid="secret-plaintext">{text}</pre>
      ) : (
        <>
          {view === 'table' && tableable
            ? <PairsEditor pairs={pairs} onChange={setPairs} reveal />
            : wasJson
              ? <JsonEditor label="Secret value (JSON)" value={draft} onChange={setDraft} />
              : <TextAreaField label="Secret value" value={draft} rows={8} onChange={(e) => setDraft(e.target.value)} spellCheck={false} />}
          <div className="form-actions">
            <Button onClick={() => setEditing(false)}>Cancel</Button>
            <Button variant="primary" busy={action.busy === 'save'} disabled={invalid} onClick={() => void save()}>Save new version</Button>
          </div>
        </>
      )}
    </div>
  );
}
