// Load generator for device-auth.bench.ts, run as a separate process so the
// server process's throughput is measured, not the client's. Reads
// {baseUrl, seconds, devices: [{deviceId, certificateDerBase64, privateKeyPem}]}
// as JSON on stdin; prints {flows, failures} as JSON.
import { createPrivateKey, randomUUID, sign } from 'node:crypto';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => (text += chunk)).on('end', () => resolve(text));
}));
const segment = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');

async function flow(device) {
  const challenge = await fetch(`${input.baseUrl}/api/v1/deviceauth/challenge?device_id=${device.deviceId}`).then((r) => r.json());
  const iat = Math.floor(Date.now() / 1000);
  const signingInput = `${segment({ alg: 'RS512', typ: 'JWT', x5c: [device.certificateDerBase64] })}.${segment({
    iss: device.deviceId, sub: device.deviceId, nonce: challenge.challenge, exp: iat + 600, nbf: iat, iat, jti: randomUUID(),
  })}`;
  const assertion = `${signingInput}.${sign('sha512', Buffer.from(signingInput), device.key).toString('base64url')}`;
  const res = await fetch(`${input.baseUrl}/api/v1/deviceauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    body: new URLSearchParams({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
  });
  await res.arrayBuffer();
  return res.status === 200;
}

const deadline = Date.now() + input.seconds * 1000;
let flows = 0;
let failures = 0;
await Promise.all(input.devices.map(async (device) => {
  device.key = createPrivateKey(device.privateKeyPem);
  while (Date.now() < deadline) (await flow(device)) ? flows++ : failures++;
}));
process.stdout.write(JSON.stringify({ flows, failures }));
