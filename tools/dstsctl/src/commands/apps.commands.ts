import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fetchAppToken } from '@dsts/client';
import { type Command, stringOption, UsageError } from '../command';

export const appCommands: Command[] = [
  {
    group: 'apps',
    name: 'token',
    summary: "get an app access token with the app's registered key (challenge + AuthenticateApp); prints the token, for --app-token",
    options: {
      'app-id': { type: 'string', description: 'registered app id (APPS_FILE)', required: true, value: 'ID' },
      'app-key': { type: 'string', description: "the app's RSA private key, PEM", required: true, value: 'FILE' },
    },
    async run(client, values) {
      let privateKey;
      try {
        privateKey = createPrivateKey(await readFile(stringOption(values, 'app-key')));
      } catch (error) {
        throw new UsageError(`--app-key: ${(error as NodeJS.ErrnoException).code ?? 'not a PEM private key'}`);
      }
      const token = await fetchAppToken(client, stringOption(values, 'app-id'), privateKey);
      return { json: token, text: token.accessToken };
    },
  },
];
