import { operation } from '../../../protocol/operation.ts';
import { generateRandomPassword, type RandomPasswordInput } from '../random-password.ts';

export const getRandomPassword = () => operation({
  async plan(_ctx, _input: RandomPasswordInput) {
    return { authorization: { action: 'secretsmanager:GetRandomPassword', resource: '*' }, state: undefined };
  },
  async run(_ctx, input: RandomPasswordInput) {
    return { RandomPassword: generateRandomPassword(input) };
  },
});
