/**
 * A function invoked by an AWS service inside coffer (Secrets Manager's rotation driver), as
 * AWS authorizes such an invoke: the caller is the service principal, which has no identity
 * policies, so only the function's resource policy can allow `lambda:InvokeFunction` — with
 * `aws:SourceAccount` and `aws:SourceArn` naming the resource the service acts for, which is
 * what a policy's confused-deputy conditions test. Then the function runs `RequestResponse`
 * with those on the invocation, so its execution-role session carries them.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../errors.ts';
import { accessDeniedMessage, evaluate, type RequestPrincipal } from '../../iam/index.ts';
import { compileLenient } from '../../auth/principal-policy-cache.ts';
import type { InvokeResult, ServiceInvoker } from './contract.ts';
import type { LambdaDeps } from './deps.ts';
import { functionNotFound } from './errors.ts';
import type { FunctionRow } from './function-store.ts';

const ACTION = 'lambda:InvokeFunction';

/** The resource policy's decision for a service principal; exported for the unit test. */
export function serviceMayInvoke(row: Pick<FunctionRow, 'function_arn' | 'policy'>, servicePrincipal: string, context: { sourceAccount: string; sourceArn: string; now: number }): { allowed: boolean; message: string } {
  const principal: RequestPrincipal = { type: 'Service', arn: servicePrincipal, accountId: '' };
  const second = Math.floor(context.now / 1000);
  const result = evaluate({
    principal,
    action: ACTION,
    resource: row.function_arn,
    context: {
      'aws:SourceAccount': context.sourceAccount,
      'aws:SourceArn': context.sourceArn,
      'aws:PrincipalServiceName': servicePrincipal,
      'aws:CurrentTime': new Date(second * 1000).toISOString().replace('.000Z', 'Z'),
      'aws:EpochTime': second,
      'aws:ViaAWSService': false,
    },
    resourcePolicy: row.policy ? { id: 'resource', policy: compileLenient(row.policy, 'resource') } : undefined,
  });
  return { allowed: result.decision === 'Allow', message: accessDeniedMessage(servicePrincipal, ACTION, row.function_arn, result) };
}

export function serviceInvoker(deps: LambdaDeps): ServiceInvoker {
  return {
    async invokeAsService(request): Promise<InvokeResult> {
      // Only the unqualified ARN (or `:$LATEST`) names a function coffer keeps.
      const arn = request.functionArn.endsWith(':$LATEST') ? request.functionArn.slice(0, -':$LATEST'.length) : request.functionArn;
      const row = await deps.functions.findByArn(arn);
      if (!row) throw functionNotFound(request.functionArn);
      const decision = serviceMayInvoke(row, request.servicePrincipal, { sourceAccount: request.sourceAccount, sourceArn: request.sourceArn, now: deps.now() });
      if (!decision.allowed) throw new AwsError('AccessDeniedException', decision.message, 403);
      // DryRun (RotateSecret's check before it stores anything): authorized, nothing runs.
      if (request.invocationType === 'DryRun') return { statusCode: 204, payload: Buffer.alloc(0), executedVersion: '$LATEST' };
      return deps.runtime.invoke(deps.functions.config(row), () => deps.functions.code(row), {
        requestId: randomUUID(),
        payload: Buffer.from(JSON.stringify(request.event ?? {})),
        invocationType: 'RequestResponse',
        logType: request.logType,
        sourceAccount: request.sourceAccount,
        sourceArn: request.sourceArn,
      });
    },
  };
}
