import type { EnrollmentToken } from '@dsts/proto';
import { type Command, integerOption, stringOption } from '../command';
import { fields } from '../format';

const tid = { type: 'string', description: 'tenant id', required: true, value: 'T' } as const;

const tokenFields = (token: EnrollmentToken | undefined) =>
  fields([
    ['token', token?.token],
    ['issued', token?.issuedTime],
    ['expires', token?.expiryTime],
  ]);

export const enrollmentTokenCommands: Command[] = [
  {
    group: 'enrollment-tokens',
    name: 'create',
    summary: "create the tenant's enrollment token",
    options: { tid, days: { type: 'string', description: 'lifetime in days (0 → 30, -1 → 5 years)', value: 'N' } },
    async run(client, values) {
      const { token } = await client.call('createEnrollmentToken', { tid: stringOption(values, 'tid'), tokenLifetimeDays: integerOption(values, 'days', 0) });
      return { json: token, text: tokenFields(token) };
    },
  },
  {
    group: 'enrollment-tokens',
    name: 'get',
    summary: "show the tenant's enrollment token",
    options: { tid },
    async run(client, values) {
      const { token } = await client.call('getEnrollmentToken', { tid: stringOption(values, 'tid') });
      return { json: token, text: tokenFields(token) };
    },
  },
  {
    group: 'enrollment-tokens',
    name: 'delete',
    summary: "delete the tenant's enrollment token",
    options: { tid },
    async run(client, values) {
      const { deleteTime } = await client.call('deleteEnrollmentToken', { tid: stringOption(values, 'tid') });
      return { json: { tid: stringOption(values, 'tid'), deleteTime }, text: `deleted the enrollment token of ${stringOption(values, 'tid')}` };
    },
  },
  {
    group: 'enrollment-tokens',
    name: 'validate',
    summary: 'check an enrollment token and show its tenant',
    options: { token: { type: 'string', description: 'the enrollment token', required: true, value: 'X' } },
    async run(client, values) {
      const { tid: tenant, isValid } = await client.call('validateEnrollmentToken', { token: stringOption(values, 'token') });
      return { json: { tid: tenant, isValid }, text: fields([['tid', tenant], ['valid', isValid]]) };
    },
  },
];
