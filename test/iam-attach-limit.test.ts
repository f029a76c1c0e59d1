/**
 * At most 10 managed policies per user, group and role (LimitExceeded "Cannot exceed quota for
 * PoliciesPerUser: 10"), counted in the same transaction as the attach: concurrent attaches,
 * through @aws-sdk/client-iam and the AWS CLI at once, never take an entity past the quota.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachGroupPolicyCommand, AttachRolePolicyCommand, AttachUserPolicyCommand, CreateGroupCommand, CreatePolicyCommand, CreateRoleCommand,
  CreateUserCommand, ListAttachedGroupPoliciesCommand, ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { iamClient } from './helpers/iam.ts';

const DOC = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: '*' }] });

describe('managed policies per entity: 10, also under concurrency', () => {
  let server: TestServer;
  let iam: IAMClient;
  const arns: string[] = [];

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
    for (let i = 0; i < 16; i++) {
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: `limit-${i}`, PolicyDocument: DOC }));
      arns.push(Policy!.Arn!);
    }
  });
  after(() => server?.destroy());

  const kinds = [
    {
      type: 'User', quota: 'PoliciesPerUser',
      create: (name: string) => iam.send(new CreateUserCommand({ UserName: name })),
      attach: (name: string, arn: string) => iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn })),
      count: async (name: string) => (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: name }))).AttachedPolicies!.length,
      cli: (name: string, arn: string) => ['iam', 'attach-user-policy', '--user-name', name, '--policy-arn', arn],
    },
    {
      type: 'Group', quota: 'PoliciesPerGroup',
      create: (name: string) => iam.send(new CreateGroupCommand({ GroupName: name })),
      attach: (name: string, arn: string) => iam.send(new AttachGroupPolicyCommand({ GroupName: name, PolicyArn: arn })),
      count: async (name: string) => (await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: name }))).AttachedPolicies!.length,
      cli: (name: string, arn: string) => ['iam', 'attach-group-policy', '--group-name', name, '--policy-arn', arn],
    },
    {
      type: 'Role', quota: 'PoliciesPerRole',
      create: (name: string) => iam.send(new CreateRoleCommand({
        RoleName: name, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      })),
      attach: (name: string, arn: string) => iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn })),
      count: async (name: string) => (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies!.length,
      cli: (name: string, arn: string) => ['iam', 'attach-role-policy', '--role-name', name, '--policy-arn', arn],
    },
  ];

  for (const kind of kinds) {
    test(`${kind.type}: eight attached, then eight concurrent attaches (SDK and CLI): exactly two succeed`, async () => {
      const name = `limit-${kind.type.toLowerCase()}`;
      await kind.create(name);
      for (const arn of arns.slice(0, 8)) await kind.attach(name, arn);
      const rest = arns.slice(8);
      const attempts = await Promise.allSettled([
        ...rest.slice(0, 6).map((arn) => kind.attach(name, arn)),
        ...rest.slice(6).map(async (arn) => {
          const out = await awsCli(server, kind.cli(name, arn));
          if (out.code !== 0) throw Object.assign(new Error(out.stderr), { name: /\((\w+)\)/.exec(out.stderr)?.[1] ?? 'CliError' });
        }),
      ]);
      const succeeded = attempts.filter((a) => a.status === 'fulfilled').length;
      assert.equal(succeeded, 2, JSON.stringify(attempts.map((a) => (a.status === 'rejected' ? String((a.reason as Error).message) : 'ok'))));
      for (const a of attempts) {
        if (a.status !== 'rejected') continue;
        const err = a.reason as Error;
        assert.ok(err.name === 'LimitExceededException' || err.name === 'LimitExceeded', err.message);
        assert.match(err.message, new RegExp(`Cannot exceed quota for ${kind.quota}: 10`));
      }
      assert.equal(await kind.count(name), 10);
      // Attaching one that is already attached is still a no-op at the limit.
      await kind.attach(name, arns[0]!);
      assert.equal(await kind.count(name), 10);
    });
  }
});
