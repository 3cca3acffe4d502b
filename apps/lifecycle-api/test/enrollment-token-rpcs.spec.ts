import { randomBytes } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { type RunningLifecycleApi, startLifecycleApi, v1 } from './lifecycle-api.harness';

const now = new Date('2026-12-03T12:00:00.000Z');
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);

describe('DeviceSTS enrollment token RPCs (real gRPC, Postgres)', () => {
  let api: RunningLifecycleApi;
  let tid: string;

  beforeAll(async () => {
    api = await startLifecycleApi({ clock: () => now });
  });
  afterAll(() => api.close());
  beforeEach(() => {
    tid = `tenant-${randomBytes(4).toString('hex')}`;
  });

  const create = (tokenLifetimeDays = 0, tenant = tid) =>
    api.call('createEnrollmentToken', { header: v1(), tid: tenant, tokenLifetimeDays });
  const get = () => api.call('getEnrollmentToken', { header: v1(), tid });
  const remove = () => api.call('deleteEnrollmentToken', { header: v1(), tid });
  const validate = (token: string) => api.call('validateEnrollmentToken', { header: v1('validate-1'), token });

  it('creates a 32-character token valid for 30 days by default, and gets it back', async () => {
    const created = await create();

    expect(created.header).toMatchObject({ status: GrpcStatus.OK, requestId: 'req-1' });
    expect(created.token?.token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(created.token).toMatchObject({ issuedTime: now, expiryTime: days(30) });
    const got = await get();
    expect(got.header?.status).toBe(GrpcStatus.OK);
    expect(got.token).toEqual(created.token);
  });

  it.each([
    [-1, 5 * 365],
    [7, 7],
    [5 * 365 + 1, 5 * 365],
    [1_000_000, 5 * 365],
  ])('maps token_lifetime_days %d to %d days', async (requested, lifetime) => {
    expect((await create(requested)).token?.expiryTime).toEqual(days(lifetime));
  });

  it('refuses token_lifetime_days below -1 and an empty tid with InvalidArgument', async () => {
    const negative = await create(-2);
    expect(negative.header).toMatchObject({
      status: GrpcStatus.INVALID_ARGUMENT,
      statusMessage: 'token_lifetime_days must be -1 (longest), 0 (default) or positive',
    });
    expect(negative.token).toBeUndefined();
    expect((await create(0, '')).header).toMatchObject({ status: GrpcStatus.INVALID_ARGUMENT, statusMessage: 'tid is required' });
  });

  it('keeps one token per tenant: a second create is AlreadyExists, also when racing', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => create()));
    const statuses = results.map((r) => r.header?.status).sort();

    expect(statuses).toEqual([GrpcStatus.OK, ...Array(4).fill(GrpcStatus.ALREADY_EXISTS)]);
    expect(results.find((r) => r.header?.status === GrpcStatus.ALREADY_EXISTS)?.header?.statusMessage).toBe(
      'tenant already has an enrollment token',
    );
    expect((await create()).header?.status).toBe(GrpcStatus.ALREADY_EXISTS);
  });

  it('replaces a token that has expired', async () => {
    await api.prisma.enrollmentToken.create({ data: { tenantId: tid, token: randomBytes(16).toString('hex'), issuedAt: days(-40), expiresAt: days(-10) } });

    const created = await create();

    expect(created.header?.status).toBe(GrpcStatus.OK);
    expect((await get()).token).toEqual(created.token);
  });

  it('draws different tokens from the CSPRNG', async () => {
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => create(0, `${tid}-${i}`)));
    expect(new Set(tokens.map((t) => t.token?.token)).size).toBe(20);
  });

  it('deletes the token; get and delete of a missing token are NotFound', async () => {
    await create();

    const deleted = await remove();

    expect(deleted.header?.status).toBe(GrpcStatus.OK);
    expect(deleted.deleteTime).toEqual(now);
    expect((await get()).header).toMatchObject({ status: GrpcStatus.NOT_FOUND, statusMessage: 'enrollment token not found' });
    expect((await remove()).header).toMatchObject({ status: GrpcStatus.NOT_FOUND, statusMessage: 'enrollment token not found' });
  });

  describe('ValidateEnrollmentToken', () => {
    it('answers a valid token with its tenant', async () => {
      const token = (await create()).token?.token as string;
      const response = await validate(token);
      expect(response).toMatchObject({ tid, isValid: true, header: { status: GrpcStatus.OK, requestId: 'validate-1' } });
    });

    it('refuses an empty token with InvalidArgument', async () => {
      expect(await validate('')).toMatchObject({
        tid: '',
        isValid: false,
        header: { status: GrpcStatus.INVALID_ARGUMENT, statusMessage: 'token is required' },
      });
    });

    it('answers unknown, over-long and expired tokens with Unauthenticated', async () => {
      const token = (await create()).token?.token as string;
      const expired = 'E'.repeat(32);
      await api.prisma.enrollmentToken.create({
        data: { tenantId: `${tid}-old`, token: expired, issuedAt: days(-31), expiresAt: days(-1) },
      });

      const answers = await Promise.all([validate('x'.repeat(32)), validate(`${token}x`), validate(expired)]);

      expect(answers.map((a) => [a.header?.status, a.header?.statusMessage, a.isValid, a.tid])).toEqual([
        [GrpcStatus.UNAUTHENTICATED, 'enrollment token is not valid', false, ''],
        [GrpcStatus.UNAUTHENTICATED, 'enrollment token is not valid', false, ''],
        [GrpcStatus.UNAUTHENTICATED, 'enrollment token has expired', false, ''],
      ]);
    });

    // Regression: a NUL reached Postgres and came back as Internal.
    it('answers tokens with characters a token never has with Unauthenticated, not Internal', async () => {
      const answers = await Promise.all([validate('a\u0000'), validate('abc def'), validate('ä'.repeat(32))]);

      expect(answers.map((a) => [a.header?.status, a.header?.statusMessage])).toEqual([
        [GrpcStatus.UNAUTHENTICATED, 'enrollment token is not valid'],
        [GrpcStatus.UNAUTHENTICATED, 'enrollment token is not valid'],
        [GrpcStatus.UNAUTHENTICATED, 'enrollment token is not valid'],
      ]);
    });
  });
});
