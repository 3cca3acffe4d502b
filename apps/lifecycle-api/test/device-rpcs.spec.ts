import { createHash, randomBytes } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { createDeviceCache } from '@dsts/cache';
import { createTestCa, KEY_USAGE, type TestCa, type TestDeviceOptions } from '@dsts/testing';
import { type RunningLifecycleApi, startLifecycleApi, v1 } from './lifecycle-api.harness';

const DAY_MS = 86_400_000;

describe('DeviceSTS device RPCs (real gRPC, Postgres, Redis)', () => {
  let api: RunningLifecycleApi;
  let ca: TestCa;
  let tid: string;

  beforeAll(async () => {
    [api, ca] = await Promise.all([startLifecycleApi(), createTestCa()]);
  });
  afterAll(() => api.close());
  beforeEach(() => {
    tid = `tenant-${randomBytes(4).toString('hex')}`;
  });

  const certificate = async (deviceId: string, options: Partial<TestDeviceOptions> = {}) =>
    (await ca.issueDevice({ deviceId, tenantId: tid, ...options })).certificateDer;
  const create = async (deviceId: string, extra: { managementService?: string; hardwareHash?: string } = {}) =>
    api.call('createDevice', { header: v1(), tid, deviceId, deviceCertificate: await certificate(deviceId), ...extra });
  const get = (deviceId: string, tenant = tid) => api.call('getDevice', { header: v1(), tid: tenant, deviceId });
  const cachedDevices = () => createDeviceCache<{ snapshot: string }>(api.cache, 60);

  describe('CreateDevice and GetDevice', () => {
    it('registers a device and returns every field, issued/expiry from the certificate', async () => {
      const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - DAY_MS);
      const notAfter = new Date(notBefore.getTime() + 90 * DAY_MS);
      const der = await certificate('dev-1', { notBefore, notAfter });

      const created = await api.call('createDevice', {
        header: v1('create-1'),
        tid,
        deviceId: 'dev-1',
        deviceCertificate: der,
        managementService: 'hpconnect',
        hardwareHash: 'hw-123',
      });

      expect(created.header).toMatchObject({ protocolVersion: 'v1', status: GrpcStatus.OK, statusMessage: 'OK', requestId: 'create-1' });
      expect(created.createTime).toBeInstanceOf(Date);
      const got = await get('dev-1');
      expect(got.header?.status).toBe(GrpcStatus.OK);
      expect(got.device).toEqual({
        tid,
        deviceId: 'dev-1',
        isEnabled: true,
        isLost: false,
        certificateThumbprint: createHash('sha256').update(der).digest('hex'),
        issuedTime: notBefore,
        expiryTime: notAfter,
        managementService: 'hpconnect',
        hardwareHash: 'hw-123',
      });
    });

    it('defaults to the unmanaged service and an empty hardware hash', async () => {
      await create('dev-1');
      expect((await get('dev-1')).device).toMatchObject({ managementService: 'none', hardwareHash: '' });
    });

    it('answers a duplicate with AlreadyExists and an unknown management service with InvalidArgument', async () => {
      await create('dev-1');
      const duplicate = await create('dev-1');
      const unknownService = await create('dev-2', { managementService: 'acme' });

      expect(duplicate.header).toMatchObject({ status: GrpcStatus.ALREADY_EXISTS, statusMessage: 'device already exists' });
      expect(duplicate.createTime).toBeUndefined();
      expect(unknownService.header).toMatchObject({ status: GrpcStatus.INVALID_ARGUMENT, statusMessage: 'unknown management service' });
    });

    it.each<[string, (id: string) => Promise<Buffer>, string]>([
      ['a CN other than device_id', () => certificate('someone-else'), 'subject common name must equal device_id'],
      // Regression: the device would be registered but could never authenticate (the gateway reads the tenant from O).
      ['an O other than tid', async (id) => (await ca.issueDevice({ deviceId: id, tenantId: `${tid}-other` })).certificateDer, 'subject organization must equal tid'],
      ['no O at all', async (id) => (await ca.issueDevice({ deviceId: id })).certificateDer, 'subject organization must equal tid'],
      ['an expired certificate', (id) => certificate(id, { notBefore: new Date(Date.now() - 9 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) }), 'certificate has expired'],
      ['a not yet valid certificate', (id) => certificate(id, { notBefore: new Date(Date.now() + DAY_MS) }), 'certificate is not yet valid'],
      ['a SHA-1 signature', (id) => certificate(id, { signatureHash: 'SHA-1' }), 'signature must be sha256WithRSA'],
      ['a 1024-bit RSA key', (id) => certificate(id, { rsaBits: 1024 }), 'RSA key must be at least 2048 bits'],
      ['key usage other than digitalSignature', (id) => certificate(id, { keyUsage: KEY_USAGE.keyEncipherment }), 'key usage must be exactly digitalSignature'],
      ['no key usage', (id) => certificate(id, { keyUsage: null }), 'key usage extension is missing'],
      ['an EC P-256 key (off by default)', (id) => certificate(id, { keyType: 'ec-p256' }), 'public key must be RSA'],
      ['garbage bytes', async () => randomBytes(300), 'not a DER-encoded X.509 certificate'],
    ])('refuses %s with InvalidArgument', async (_label, makeCertificate, reason) => {
      const response = await api.call('createDevice', { header: v1(), tid, deviceId: 'dev-1', deviceCertificate: await makeCertificate('dev-1') });

      expect(response.header?.status).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(response.header?.statusMessage).toContain(reason);
      expect((await get('dev-1')).header?.status).toBe(GrpcStatus.NOT_FOUND);
    });

    it('accepts an EC P-256 certificate when DEVICE_CERT_ALLOW_EC_P256 is on', async () => {
      const ecApi = await startLifecycleApi({ env: { DEVICE_CERT_ALLOW_EC_P256: 'true' } });
      try {
        const der = await certificate('ec-1', { keyType: 'ec-p256' });
        const response = await ecApi.call('createDevice', { header: v1(), tid, deviceId: 'ec-1', deviceCertificate: der });
        expect(response.header?.status).toBe(GrpcStatus.OK);
      } finally {
        await ecApi.close();
      }
    });

    it.each([
      ['empty tid', { tid: '' }, 'tid is required'],
      ['empty device_id', { deviceId: '' }, 'device_id is required'],
      ['no certificate', { deviceCertificate: Buffer.alloc(0) }, 'device_certificate is required'],
      ['a 129-character tid', { tid: 't'.repeat(129) }, 'tid must be at most 128 characters'],
      ['a 1 MB device_id', { deviceId: 'd'.repeat(1_000_000) }, 'device_id must be at most 128 characters'],
      ['a 257-character hardware hash', { hardwareHash: 'h'.repeat(257) }, 'hardware_hash must be at most 256 characters'],
      ['a NUL in tid', { tid: 'bad\u0000tenant' }, 'tid must be valid UTF-8 text without control characters'],
    ])('refuses %s with InvalidArgument', async (_label, override, message) => {
      const request = { header: v1(), tid, deviceId: 'dev-1', deviceCertificate: await certificate('dev-1'), ...override };
      const response = await api.call('createDevice', request);
      expect(response.header).toMatchObject({ status: GrpcStatus.INVALID_ARGUMENT, statusMessage: message });
    });

    it('answers a missing device with NotFound, scoped by tenant', async () => {
      await create('dev-1');
      const other = await get('dev-1', `${tid}-other`);
      expect(other.header).toMatchObject({ status: GrpcStatus.NOT_FOUND, statusMessage: 'device not found' });
      expect(other.device).toBeUndefined();
    });
  });

  describe('ListDevices', () => {
    const seed = async (count: number, tenantId = tid) => {
      const base = Date.UTC(2026, 0, 1);
      // Ids run against creation order, so sorting by id would show.
      await api.prisma.device.createMany({
        data: Array.from({ length: count }, (_, i) => ({
          tenantId,
          deviceId: `dev-${String(count - i).padStart(3, '0')}`,
          certificateThumbprint: createHash('sha256').update(`${tenantId}${i}`).digest('hex'),
          certificateIssuedAt: new Date(base),
          certificateExpiresAt: new Date(base + 365 * DAY_MS),
          isEnabled: i % 3 !== 0,
          managementServiceId: i % 2 ? 'hpcem' : 'none',
          hardwareHash: `hw-${i}`,
          createdAt: new Date(base + i * 1000),
        })),
      });
    };
    const list = (request: { filter?: string; pageSize?: number; pageNumber?: number; tid?: string }) =>
      api.call('listDevices', { header: v1(), tid, ...request });
    const ids = (count: number) => Array.from({ length: count }, (_, i) => `dev-${String(count - i).padStart(3, '0')}`);

    it('pages in creation order with the default size 10 and next_page 0 on the last page', async () => {
      await seed(12);

      const first = await list({});
      const zero = await list({ pageNumber: 0, pageSize: -5 });
      const second = await list({ pageNumber: 2 });

      expect(first.header?.status).toBe(GrpcStatus.OK);
      expect(first.devices.map((d) => d.deviceId)).toEqual(ids(12).slice(0, 10));
      expect(first.nextPage).toBe(2);
      expect(zero).toEqual({ ...first, header: { ...first.header, responseTime: zero.header?.responseTime } });
      expect(second.devices.map((d) => d.deviceId)).toEqual(ids(12).slice(10));
      expect(second.nextPage).toBe(0);
      expect((await list({ pageNumber: 3 })).devices).toEqual([]);
    });

    it('fills management_service and hardware_hash', async () => {
      await seed(2);
      const { devices } = await list({});
      expect(devices.map((d) => [d.managementService, d.hardwareHash, d.isEnabled])).toEqual([
        ['none', 'hw-0', false],
        ['hpcem', 'hw-1', true],
      ]);
    });

    it('caps the page size at 100', async () => {
      await seed(105);
      const page = await list({ pageSize: 1000 });
      expect(page.devices).toHaveLength(100);
      expect(page.nextPage).toBe(2);
    });

    it.each([
      ['enabled=true', true],
      ['enabled=false', false],
      [' enabled = "false" ', false],
      ["enabled='true'", true],
      ['ENABLED=TRUE', true],
    ])('filter %j returns only devices with is_enabled=%s', async (filter, enabled) => {
      await seed(9);
      const { devices } = await list({ filter });
      expect(devices.length).toBe(enabled ? 6 : 3);
      expect(devices.every((d) => d.isEnabled === enabled)).toBe(true);
    });

    it.each([
      [{ filter: 'enabled=maybe' }, 'filter must be empty, enabled=true or enabled=false'],
      [{ filter: 'lost=true' }, 'filter must be empty, enabled=true or enabled=false'],
      [{ filter: 'enabled="true\'' }, 'filter must be empty, enabled=true or enabled=false'],
      [{ pageNumber: -1 }, 'page_number must not be negative'],
      [{ pageNumber: 2_000_000_000, pageSize: 100 }, 'page_number may start at most 1000000 devices deep'],
      [{ tid: '' }, 'tid is required'],
    ])('refuses %j with InvalidArgument', async (request, message) => {
      const response = await list(request);
      expect(response.header).toMatchObject({ status: GrpcStatus.INVALID_ARGUMENT, statusMessage: message });
      expect(response.devices).toEqual([]);
    });
  });

  describe('UpdateDevice', () => {
    const update = (mask: string[], changes: { isEnabled?: boolean; isLost?: boolean; deviceCertificate?: Buffer }, deviceId = 'dev-1') =>
      api.call('updateDevice', { header: v1(), tid, deviceId, updateMask: mask, update: changes });

    it('disables a device and drops its cached snapshot, leaving other tenants alone', async () => {
      await create('dev-1');
      await cachedDevices().put(tid, 'dev-1', { snapshot: 'enabled' });
      await cachedDevices().put(`${tid}-other`, 'dev-1', { snapshot: 'other tenant' });

      const response = await update(['is_enabled'], { isEnabled: false });

      expect(response.header?.status).toBe(GrpcStatus.OK);
      expect(response.updateTime).toBeInstanceOf(Date);
      expect((await get('dev-1')).device).toMatchObject({ isEnabled: false, isLost: false });
      expect(await cachedDevices().get(tid, 'dev-1')).toBeNull();
      expect(await cachedDevices().get(`${tid}-other`, 'dev-1')).toEqual({ snapshot: 'other tenant' });
    });

    it('reads mask paths case-insensitively and changes only the masked fields', async () => {
      await create('dev-1');

      await update(['LOST'], { isLost: true, isEnabled: false });
      expect((await get('dev-1')).device).toMatchObject({ isEnabled: true, isLost: true });
      await update(['Enabled', 'is_lost', 'unknown'], { isLost: false, isEnabled: false });
      expect((await get('dev-1')).device).toMatchObject({ isEnabled: false, isLost: false });
    });

    it('replaces the certificate and keeps the old thumbprint as previous (rollover)', async () => {
      await create('dev-1');
      const before = (await get('dev-1')).device?.certificateThumbprint;
      const next = await certificate('dev-1');

      const response = await update(['device_certificate'], { deviceCertificate: next });

      expect(response.header?.status).toBe(GrpcStatus.OK);
      expect((await get('dev-1')).device?.certificateThumbprint).toBe(createHash('sha256').update(next).digest('hex'));
      const stored = await api.prisma.device.findUniqueOrThrow({ where: { tenantId_deviceId: { tenantId: tid, deviceId: 'dev-1' } } });
      expect(stored.previousCertificateThumbprint).toBe(before);
    });

    it('refuses a replacement certificate for another device id and keeps the old one', async () => {
      await create('dev-1');
      const before = (await get('dev-1')).device?.certificateThumbprint;

      const response = await update(['cert'], { deviceCertificate: await certificate('dev-2') });

      expect(response.header?.status).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(response.header?.statusMessage).toContain('subject common name must equal device_id');
      expect((await get('dev-1')).device?.certificateThumbprint).toBe(before);
    });

    it('refuses a mask without a known path, and answers an unknown device with NotFound', async () => {
      await create('dev-1');
      expect((await update([], { isEnabled: false })).header).toMatchObject({
        status: GrpcStatus.INVALID_ARGUMENT,
        statusMessage: 'update_mask must name enabled, lost or certificate',
      });
      expect((await update(['name'], { isEnabled: false })).header?.status).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect((await update(['enabled'], { isEnabled: false }, 'nobody')).header).toMatchObject({
        status: GrpcStatus.NOT_FOUND,
        statusMessage: 'device not found',
      });
    });
  });

  describe('DeleteDevice', () => {
    it('deletes the device, writes its tombstone and drops its cached snapshot', async () => {
      await create('dev-1');
      await cachedDevices().put(tid, 'dev-1', { snapshot: 'live' });

      const response = await api.call('deleteDevice', { header: v1(), tid, deviceId: 'dev-1' });

      expect(response.header?.status).toBe(GrpcStatus.OK);
      expect(response.deleteTime).toBeInstanceOf(Date);
      expect((await get('dev-1')).header?.status).toBe(GrpcStatus.NOT_FOUND);
      const tombstone = await api.prisma.tombstonedDevice.findUniqueOrThrow({
        where: { tenantId_deviceId: { tenantId: tid, deviceId: 'dev-1' } },
      });
      expect(tombstone.deletedAt).toEqual(response.deleteTime);
      expect(await cachedDevices().get(tid, 'dev-1')).toBeNull();
    });

    it('answers a missing device with NotFound', async () => {
      const response = await api.call('deleteDevice', { header: v1(), tid, deviceId: 'nobody' });
      expect(response.header).toMatchObject({ status: GrpcStatus.NOT_FOUND, statusMessage: 'device not found' });
      expect(response.deleteTime).toBeUndefined();
    });
  });
});
