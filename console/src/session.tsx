// The signed-in session: identity, region, and AWS SDK v3 clients pointed at this origin and
// signing with the session's temporary credentials. Credentials live in memory only (React
// state): a reload or a closed tab signs out. When they expire, the app returns to sign-in.
import { createContext, useContext } from 'react';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Sha256Js } from '@smithy/core/checksum';
import type { ConsoleIdentity, SessionCredentials } from './api.ts';
import { signedPost } from './api.ts';

export interface ConsoleClients {
  secretsManager: SecretsManagerClient;
  iam: IAMClient;
  kms: KMSClient;
  sts: STSClient;
  lambda: LambdaClient;
}

export interface Session {
  accountId: string;
  region: string;
  /** The signed-in principal's ARN (arn:aws:iam::ACCOUNT:root or …:user/NAME). */
  principalArn: string;
  userName?: string;
  isRoot: boolean;
  /** Whether the session was signed in with an MFA code (aws:MultiFactorAuthPresent). */
  mfa: boolean;
  /** When the session's credentials expire. */
  expiresAt: Date;
  clients: ConsoleClients;
  /** POST to the console's own API (/console/api/…), signed with the session. */
  consoleApi<T>(path: string, body: unknown): Promise<T>;
  /** Drops the session in this page only (it has expired, or the server no longer knows it). */
  signOut(message?: string): void;
  /**
   * The user's "Sign out": the server revokes the session first (its credentials stop working
   * at once, wherever they were copied to), then the page drops it.
   */
  signOutAndRevoke(): Promise<void>;
}

export function makeClients(credentials: SessionCredentials, region: string): ConsoleClients {
  const config = {
    endpoint: window.location.origin,
    region,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      expiration: credentials.expiration ? new Date(credentials.expiration) : undefined,
    },
    // Pure-JS hashing: WebCrypto exists only on secure origins, and coffer may be served over
    // plain HTTP on a LAN address.
    sha256: Sha256Js,
    maxAttempts: 2,
  };
  return {
    secretsManager: new SecretsManagerClient(config),
    iam: new IAMClient(config),
    kms: new KMSClient(config),
    sts: new STSClient(config),
    lambda: new LambdaClient(config),
  };
}

export const SIGNED_OUT_MESSAGE = 'You have signed out.';

export function makeSession(identity: ConsoleIdentity, credentials: Required<SessionCredentials>, region: string, mfa: boolean, signOut: (message?: string) => void): Session {
  return {
    accountId: identity.accountId,
    region,
    principalArn: identity.arn,
    userName: identity.userName,
    isRoot: identity.isRoot,
    mfa,
    expiresAt: new Date(credentials.expiration),
    clients: makeClients(credentials, region),
    consoleApi: (path, body) => signedPost(path, body, credentials, region),
    signOut,
    async signOutAndRevoke() {
      try {
        await signedPost('/sign-out', {}, credentials, region);
        signOut(SIGNED_OUT_MESSAGE);
      } catch (err) {
        // Already over (expired, or ended elsewhere): nothing lives on.
        const code = (err as { code?: string }).code;
        if (code === 'UnrecognizedClientException' || code === 'ExpiredTokenException') { signOut(SIGNED_OUT_MESSAGE); return; }
        // Signed out here all the same; say that the credentials may live on until they expire.
        const why = err instanceof Error ? err.message : String(err);
        signOut(`You have signed out of this page, but the server could not end the session (${why}); its credentials stay valid until ${new Date(credentials.expiration).toISOString()}.`);
      }
    },
  };
}

export const SessionContext = createContext<Session | undefined>(undefined);

/** The current session; only pages rendered after sign-in call it. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in console');
  return s;
}
