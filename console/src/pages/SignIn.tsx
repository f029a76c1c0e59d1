// The sign-in page: an IAM user's password (then a TOTP code when the user has an MFA device),
// the root user's password (set by the operator: coffer accounts root-password), or an access
// key pair (the root user, or automation). The account is its 12-digit id or its alias.
// Credentials typed here go only to coffer; an access key's secret signs one request in this
// page and is dropped.
import { useEffect, useState, type FormEvent } from 'react';
import { accessKeySignIn, passwordSignIn, serverInfo, type SignedIn } from '../api.ts';
import { Button, ErrorBanner, Notice, SelectField, Tabs, TabPanel, TextField } from '../components/index.ts';

export function SignIn(props: { message?: string; onSignedIn: (s: SignedIn, region: string) => void }) {
  const [mode, setMode] = useState<'password' | 'root' | 'keys'>('password');
  const [regions, setRegions] = useState<string[]>(['us-east-1']);
  /** The server runs with `--region any`: whichever region the user names is served. */
  const [anyRegion, setAnyRegion] = useState(false);
  const [region, setRegion] = useState('us-east-1');
  const [accountId, setAccountId] = useState('');
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [mfaCode, setMfaCode] = useState('');
  const [needMfa, setNeedMfa] = useState(false);
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretKey, setSecretKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // "You have signed out." and the like: shown until the next attempt, which has its own outcome.
  const [showMessage, setShowMessage] = useState(true);

  useEffect(() => {
    serverInfo().then((i) => { setRegions(i.regions); setAnyRegion(i.anyRegion); setRegion(i.regions[0] ?? 'us-east-1'); }, () => undefined);
  }, []);

  const submitPassword = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setShowMessage(false);
    try {
      const who = mode === 'root' ? { root: true } : { userName };
      const a = await passwordSignIn({ accountId: accountId.trim(), ...who, password, ...(needMfa ? { mfaCode: mfaCode.trim() } : {}) });
      if (a.status === 'mfa-required') {
        setNeedMfa(true);
        setMfaCode('');
      } else {
        setPassword('');
        props.onSignedIn(a, region);
      }
    } catch (err) {
      setError(err);
      if (needMfa) setMfaCode('');
    } finally {
      setBusy(false);
    }
  };

  const submitKeys = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setShowMessage(false);
    try {
      const a = await accessKeySignIn(accessKeyId.trim(), secretKey.trim(), region);
      setSecretKey('');
      props.onSignedIn(a, region);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  // A free-form region when the server serves any (the same shape authenticate accepts), a
  // picker when it serves several, nothing when it serves one.
  const regionField = anyRegion
    ? <TextField label="Region" value={region} onChange={(e) => setRegion(e.target.value.trim())} required spellCheck={false} autoCapitalize="off"
        pattern="[a-z]{2}(-[a-z]+)+-[0-9]+" title="A region name such as eu-west-1" hint="This server serves any region: name the one to work in." />
    : regions.length > 1
      ? <SelectField label="Region" value={region} onChange={(e) => setRegion(e.target.value)} options={regions.map((r) => ({ value: r, label: r }))} />
      : null;

  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <h1><span className="logo" aria-hidden="true">▣</span> coffer console</h1>
        {props.message && showMessage && <Notice kind="warning">{props.message}</Notice>}
        <Tabs label="Sign-in method" selected={mode} onSelect={(id) => { setMode(id as 'password' | 'root' | 'keys'); setNeedMfa(false); setPassword(''); setError(undefined); }}
          tabs={[{ id: 'password', label: 'IAM user' }, { id: 'root', label: 'Root user' }, { id: 'keys', label: 'Access key' }]} />
        <ErrorBanner error={error} />
        {mode !== 'keys' ? (
          <TabPanel id={mode}>
            <form onSubmit={(e) => void submitPassword(e)} aria-label={mode === 'root' ? 'Sign in as the root user' : 'Sign in as an IAM user'}>
              {mode === 'root' && <p className="muted small">The account root user's password is set by the server's operator (<code>coffer accounts root-password</code>).</p>}
              {!needMfa ? (
                <>
                  <TextField label="Account ID or alias" value={accountId} onChange={(e) => setAccountId(e.target.value)} autoComplete="username" required
                    pattern="\d{12}|[A-Za-z0-9\-]{3,63}" title="The 12-digit account ID, or the account's alias" spellCheck={false} autoCapitalize="off" />
                  {mode === 'password' && <TextField label="IAM user name" value={userName} onChange={(e) => setUserName(e.target.value)} autoComplete="username" required />}
                  <TextField label="Password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
                </>
              ) : (
                <>
                  <p>Your user has a multi-factor authentication device. Enter the code it shows.</p>
                  <TextField label="MFA code" value={mfaCode} onChange={(e) => setMfaCode(e.target.value)} inputMode="numeric" autoComplete="one-time-code" required pattern="\d{6}" title="6 digits" autoFocus />
                </>
              )}
              {regionField}
              <div className="form-actions">
                {needMfa && <Button onClick={() => { setNeedMfa(false); setPassword(''); setError(undefined); }}>Back</Button>}
                <Button type="submit" variant="primary" busy={busy}>{needMfa ? 'Submit' : 'Sign in'}</Button>
              </div>
            </form>
          </TabPanel>
        ) : (
          <TabPanel id="keys">
            <form onSubmit={(e) => void submitKeys(e)} aria-label="Sign in with an access key">
              <p className="muted small">For the account root user or automation. The secret key signs the sign-in request in this page and is then forgotten; it is never sent.</p>
              <TextField label="Access key ID" value={accessKeyId} onChange={(e) => setAccessKeyId(e.target.value)} autoComplete="username" required spellCheck={false} />
              <TextField label="Secret access key" type="password" value={secretKey} onChange={(e) => setSecretKey(e.target.value)} autoComplete="current-password" required spellCheck={false} />
              {regionField}
              <div className="form-actions"><Button type="submit" variant="primary" busy={busy}>Sign in</Button></div>
            </form>
          </TabPanel>
        )}
      </div>
    </main>
  );
}
