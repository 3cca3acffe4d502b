import type { Device } from '@dsts/proto';
import { type Command, type OptionValues, integerOption, stringOption, UsageError } from '../command';
import { readCertificateDer } from '../certificate-file';
import { fields, formatTime, table } from '../format';

const tid = { type: 'string', description: 'tenant id', required: true, value: 'T' } as const;
const deviceId = { type: 'string', description: 'device id (the certificate CN)', required: true, value: 'D' } as const;
const device = (values: OptionValues) => ({ tid: stringOption(values, 'tid'), deviceId: stringOption(values, 'device-id') });

const deviceFields = (d: Device) =>
  fields([
    ['tid', d.tid],
    ['device id', d.deviceId],
    ['enabled', d.isEnabled],
    ['lost', d.isLost],
    ['thumbprint', d.certificateThumbprint],
    ['issued', d.issuedTime],
    ['expires', d.expiryTime],
    ['management service', d.managementService],
    ['hardware hash', d.hardwareHash || '-'],
  ]);

function updateOf(values: OptionValues) {
  if (values['enable'] && values['disable']) throw new UsageError('--enable and --disable exclude each other');
  if (values['lost'] && values['found']) throw new UsageError('--lost and --found exclude each other');
  const paths: string[] = [];
  if (values['enable'] || values['disable']) paths.push('enabled');
  if (values['lost'] || values['found']) paths.push('lost');
  if (values['cert']) paths.push('cert');
  if (paths.length === 0) throw new UsageError('nothing to update: give --enable, --disable, --lost, --found or --cert');
  return { paths, isEnabled: values['enable'] === true, isLost: values['lost'] === true };
}

export const deviceCommands: Command[] = [
  {
    group: 'devices',
    name: 'create',
    summary: 'register a device with its certificate (PEM or DER file)',
    options: {
      tid,
      'device-id': deviceId,
      cert: { type: 'string', description: 'device certificate file, PEM or DER', required: true, value: 'FILE' },
      'management-service': { type: 'string', description: 'management service id (default: none)', value: 'X' },
      'hardware-hash': { type: 'string', description: 'hardware hash', value: 'H' },
    },
    async run(client, values) {
      const { createTime } = await client.call('createDevice', {
        ...device(values),
        deviceCertificate: await readCertificateDer(stringOption(values, 'cert')),
        managementService: stringOption(values, 'management-service'),
        hardwareHash: stringOption(values, 'hardware-hash'),
      });
      return { json: { ...device(values), createTime }, text: `created device ${stringOption(values, 'device-id')} at ${formatTime(createTime)}` };
    },
  },
  {
    group: 'devices',
    name: 'get',
    summary: 'show one device',
    options: { tid, 'device-id': deviceId },
    async run(client, values) {
      const response = await client.call('getDevice', device(values));
      return { json: response.device, text: response.device ? deviceFields(response.device) : '' };
    },
  },
  {
    group: 'devices',
    name: 'list',
    summary: "list a tenant's devices, in creation order",
    options: {
      tid,
      page: { type: 'string', description: 'page number, from 1 (default 1)', value: 'N' },
      'page-size': { type: 'string', description: 'devices per page (default 10, at most 100)', value: 'N' },
      filter: { type: 'string', description: 'enabled=true or enabled=false', value: 'F' },
    },
    async run(client, values) {
      const { devices, nextPage } = await client.call('listDevices', {
        tid: stringOption(values, 'tid'),
        pageNumber: integerOption(values, 'page', 1),
        pageSize: integerOption(values, 'page-size', 10),
        filter: stringOption(values, 'filter'),
      });
      const rows = devices.map((d) => [d.deviceId, String(d.isEnabled), String(d.isLost), d.certificateThumbprint, formatTime(d.expiryTime), d.managementService]);
      const footer = nextPage ? `next page: ${nextPage}` : 'last page';
      return { json: { devices, nextPage }, text: `${table(['DEVICE ID', 'ENABLED', 'LOST', 'THUMBPRINT', 'EXPIRES', 'MANAGEMENT SERVICE'], rows)}\n${footer}` };
    },
  },
  {
    group: 'devices',
    name: 'update',
    summary: 'enable/disable, mark lost/found, or replace the certificate',
    options: {
      tid,
      'device-id': deviceId,
      enable: { type: 'boolean', description: 'allow the device to authenticate' },
      disable: { type: 'boolean', description: 'block the device' },
      lost: { type: 'boolean', description: 'mark the device lost (blocked)' },
      found: { type: 'boolean', description: 'clear the lost mark' },
      cert: { type: 'string', description: 'new certificate file, PEM or DER (the old one stays valid until first use of the new)', value: 'FILE' },
    },
    async run(client, values) {
      const { paths, isEnabled, isLost } = updateOf(values);
      const certificate = values['cert'] ? await readCertificateDer(stringOption(values, 'cert')) : Buffer.alloc(0);
      const { updateTime } = await client.call('updateDevice', {
        ...device(values),
        updateMask: paths,
        update: { isEnabled, isLost, deviceCertificate: certificate },
      });
      return { json: { ...device(values), updated: paths, updateTime }, text: `updated ${paths.join(', ')} of device ${stringOption(values, 'device-id')}` };
    },
  },
  {
    group: 'devices',
    name: 'delete',
    summary: 'delete a device (tombstoned: its certificate gets 410 until the id is registered again)',
    options: { tid, 'device-id': deviceId },
    async run(client, values) {
      const { deleteTime } = await client.call('deleteDevice', device(values));
      return { json: { ...device(values), deleteTime }, text: `deleted device ${stringOption(values, 'device-id')}` };
    },
  },
];
