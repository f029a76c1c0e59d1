// The secret's resource policy in the shared policy editor (JSON view checked as you type by
// the server's own grammar, and the visual view; `kind: 'resource'`), IAM Access
// Analyzer-style findings from ValidateResourcePolicy, and PutResourcePolicy with
// BlockPublicPolicy (on by default, as in AWS's console), or DeleteResourcePolicy.
import { useEffect, useMemo, useState } from 'react';
import {
  DeleteResourcePolicyCommand, GetResourcePolicyCommand, PutResourcePolicyCommand, ValidateResourcePolicyCommand,
  type DescribeSecretResponse, type ValidationErrorsEntry,
} from '@aws-sdk/client-secrets-manager';
import { useSession } from '../../session.tsx';
import { Button, Checkbox, ErrorBanner, Loading, Notice, useAction, useAsync } from '../../components/index.ts';
import { PolicyEditor } from '../../policy/PolicyEditor.tsx';
import { analyzePolicy } from '../../policy/diagnostics.ts';

function template(arn: string, accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'secretsmanager:GetSecretValue', Resource: arn }],
  }, null, 2);
}

const EMPTY_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [] }, null, 2);

export function PolicyTab(props: { secret: DescribeSecretResponse }) {
  const { clients, accountId, region } = useSession();
  const s = props.secret;
  const current = useAsync(() => clients.secretsManager.send(new GetResourcePolicyCommand({ SecretId: s.ARN })), [s.ARN]);
  const [text, setText] = useState('');
  const [block, setBlock] = useState(true);
  const [findings, setFindings] = useState<ValidationErrorsEntry[] | undefined>();
  const [valid, setValid] = useState<boolean>();
  const action = useAction();
  const [done, setDone] = useState<string>();
  /** The editor stays once shown, even if its text is cleared. */
  const [editing, setEditing] = useState(false);

  useEffect(() => {
    if (current.data) setText(current.data.ResourcePolicy ? JSON.stringify(JSON.parse(current.data.ResourcePolicy), null, 2) : '');
  }, [current.data]);

  const run = (what: string, fn: () => Promise<void>) => {
    setDone(undefined);
    return action.run(what, fn);
  };
  const validate = () => run('validate', async () => {
    const out = await clients.secretsManager.send(new ValidateResourcePolicyCommand({ SecretId: s.ARN, ResourcePolicy: text }));
    setValid(out.PolicyValidationPassed);
    setFindings(out.ValidationErrors ?? []);
  });
  const save = () => run('save', async () => {
    await clients.secretsManager.send(new PutResourcePolicyCommand({ SecretId: s.ARN, ResourcePolicy: text, BlockPublicPolicy: block }));
    setDone('Resource policy saved.');
    current.reload();
  });
  const remove = () => run('delete', async () => {
    await clients.secretsManager.send(new DeleteResourcePolicyCommand({ SecretId: s.ARN }));
    setDone('Resource policy deleted.');
    current.reload();
  });

  // The server validates too; the editor's own errors (syntax, grammar) already say a save would fail.
  const analysis = useMemo(() => analyzePolicy(text, 'resource'), [text]);
  if (current.loading && !current.data) return <Loading />;
  const unparsable = text.trim() === '' || analysis.document === undefined;
  return (
    <div>
      <ErrorBanner error={current.error ?? action.error} action="secretsmanager:PutResourcePolicy" resource={s.ARN} />
      {done && <Notice kind="success">{done}</Notice>}
      {!current.data?.ResourcePolicy && !text && !editing ? (
        <p>This secret has no resource policy.{' '}
          <Button onClick={() => { setEditing(true); setText(template(s.ARN!, accountId)); }}>Start from an example</Button>{' '}
          <Button onClick={() => { setEditing(true); setText(EMPTY_POLICY); }}>Write a policy</Button>
        </p>
      ) : <PolicyEditor kind="resource" label="Resource policy" value={text} onChange={(v) => { setText(v); setValid(undefined); setFindings(undefined); setDone(undefined); }} accountId={accountId} region={region} />}
      {valid === true && <Notice kind="success">Policy validation passed.</Notice>}
      {findings && findings.length > 0 && (
        <div className="banner banner-error" role="alert" data-testid="policy-findings">
          <div><strong>Validation findings</strong><ul>{findings.map((f, i) => <li key={i}>{f.CheckName ? <code>{f.CheckName}</code> : null} {f.ErrorMessage}</li>)}</ul></div>
        </div>
      )}
      <Checkbox label="Block public access (BlockPublicPolicy)" checked={block} onChange={(e) => setBlock(e.target.checked)} />
      <div className="form-actions">
        {current.data?.ResourcePolicy && <Button variant="danger" busy={action.busy === 'delete'} onClick={() => void remove()}>Delete policy</Button>}
        <Button busy={action.busy === 'validate'} disabled={unparsable} onClick={() => void validate()}>Validate</Button>
        <Button variant="primary" busy={action.busy === 'save'} disabled={unparsable || !analysis.valid} onClick={() => void save()}>Save policy</Button>
      </div>
    </div>
  );
}
