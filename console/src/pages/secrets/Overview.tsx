// The overview: ARN, KMS key, description, dates and tags (editable).
import { useState } from 'react';
import { TagResourceCommand, UntagResourceCommand, UpdateSecretCommand, type DescribeSecretResponse, type Tag } from '@aws-sdk/client-secrets-manager';
import { useSession } from '../../session.tsx';
import { Button, CopyButton, ErrorBanner, Notice, TextField, formatDate, useAction } from '../../components/index.ts';
import { TagsEditor } from './TagsEditor.tsx';

export function Overview(props: { secret: DescribeSecretResponse; onChanged: () => void }) {
  const { clients } = useSession();
  const s = props.secret;
  const [description, setDescription] = useState(s.Description ?? '');
  const [tags, setTags] = useState<Tag[]>(s.Tags ?? []);
  const action = useAction();
  const [saved, setSaved] = useState(false);

  const save = () => {
    setSaved(false);
    return action.run('save', async () => {
      if (description !== (s.Description ?? '')) await clients.secretsManager.send(new UpdateSecretCommand({ SecretId: s.ARN, Description: description }));
      const before = new Map((s.Tags ?? []).map((t) => [t.Key!, t.Value ?? '']));
      const after = new Map(tags.filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? '']));
      const removed = [...before.keys()].filter((k) => !after.has(k));
      const changed = [...after].filter(([k, v]) => before.get(k) !== v).map(([Key, Value]) => ({ Key, Value }));
      if (removed.length) await clients.secretsManager.send(new UntagResourceCommand({ SecretId: s.ARN, TagKeys: removed }));
      if (changed.length) await clients.secretsManager.send(new TagResourceCommand({ SecretId: s.ARN, Tags: changed }));
    }, () => { setSaved(true); props.onChanged(); });
  };

  return (
    <div>
      <div className="card">
        <dl className="props">
          <dt>Secret ARN</dt><dd><code>{s.ARN}</code> <CopyButton value={() => s.ARN!} label="Copy ARN" /></dd>
          <dt>Encryption key</dt><dd>{s.KmsKeyId ?? 'aws/secretsmanager'}</dd>
          <dt>Created</dt><dd>{formatDate(s.CreatedDate)}</dd>
          <dt>Last changed</dt><dd>{formatDate(s.LastChangedDate)}</dd>
          <dt>Last retrieved</dt><dd>{formatDate(s.LastAccessedDate)}</dd>
          <dt>Rotation</dt><dd>{s.RotationEnabled ? `On${s.NextRotationDate ? `, next by ${formatDate(s.NextRotationDate)}` : ''}` : 'Off'}</dd>
          {s.LastRotatedDate && <><dt>Last rotated</dt><dd>{formatDate(s.LastRotatedDate)}</dd></>}
          {s.OwningService && <><dt>Managed by</dt><dd>{s.OwningService}</dd></>}
          {s.PrimaryRegion && <><dt>Primary region</dt><dd>{s.PrimaryRegion}</dd></>}
        </dl>
      </div>
      <ErrorBanner error={action.error} />
      {saved && <Notice kind="success">Saved.</Notice>}
      <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2048} />
      <TagsEditor tags={tags} onChange={setTags} />
      <div className="form-actions"><Button variant="primary" busy={action.busy === 'save'} onClick={() => void save()}>Save</Button></div>
    </div>
  );
}
