/**
 * GetSessionToken: temporary credentials for an IAM user or the account root, the same
 * identity with an `ASIA…` key, optionally proven with MFA (SerialNumber/TokenCode), as AWS
 * hands them to users who need MFA-protected access. No permission is needed to call it (AWS
 * documents none), but temporary credentials may not ask for more temporary credentials.
 * DurationSeconds: 900–129,600 (default 43,200) for users; the root's sessions last at most an
 * hour, and a longer request is cut to one hour, as AWS does.
 */
import { operation } from '../../protocol/operation.ts';
import { isTemporary } from '../../auth/principal.ts';
import type { IssuedCredentials, SessionPrincipal } from '../../auth/sessions.ts';
import type { StsDeps } from './deps.ts';
import { stsAccessDenied, verifyMfa } from './session-context.ts';

export interface GetSessionTokenInput {
  DurationSeconds?: number;
  SerialNumber?: string;
  TokenCode?: string;
}

const USER_DEFAULT = 43_200;
const ROOT_MAX = 3600;

export function getSessionToken(deps: StsDeps) {
  return operation<GetSessionTokenInput, { Credentials: IssuedCredentials }, undefined>({
    async plan(ctx) {
      if (isTemporary(ctx.principal)) throw stsAccessDenied('Cannot call GetSessionToken with session credentials');
      return { authorization: [], state: undefined };
    },

    async run(ctx, input) {
      const now = deps.now();
      const caller = ctx.principal;
      const mfaAt = await verifyMfa(deps, caller, input.SerialNumber, input.TokenCode);
      const duration = caller.type === 'Root'
        ? Math.min(input.DurationSeconds ?? ROOT_MAX, ROOT_MAX)
        : input.DurationSeconds ?? USER_DEFAULT;
      const { accessKeyId: _longTermKey, ...identity } = caller;
      const principal: SessionPrincipal = { ...identity, issuedAt: now, ...(mfaAt !== undefined ? { mfaAuthenticatedAt: mfaAt } : {}) };
      const credentials = await deps.credentials.sessions.issue({ principal, durationSeconds: duration, now });
      return { Credentials: credentials };
    },
  });
}
