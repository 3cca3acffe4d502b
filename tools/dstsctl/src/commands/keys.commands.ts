import type { Command } from '../command';
import { table } from '../format';

export const keyCommands: Command[] = [
  {
    group: 'keys',
    name: 'list',
    summary: 'list the published RSA signing keys (GetSigningKey)',
    options: {},
    async run(client) {
      const { signingKey } = await client.call('getSigningKey', {});
      return { json: { keys: signingKey }, text: table(['KID', 'KTY', 'ALG', 'USE'], signingKey.map((key) => [key.kid, key.kty, key.alg, key.use])) };
    },
  },
];
