// Load generator for device-auth.bench.ts, run as a separate process so the
// gateway process's throughput is measured, not the client's. Stays up for the
// whole benchmark so each round starts warm (JIT, keep-alive connections):
// first stdin line {baseUrl, devices: [{deviceId, certificateDerBase64, privateKeyPem}]},
// then one line per round {seconds}; answers each round with one stdout line
// {flows, failures, elapsedMs, cpuMs} (cpuMs: this process's user+system CPU,
// i.e. what the generator itself took from the shared cores).
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { createInterface } from 'node:readline';

const segment = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');

async function flow(baseUrl, device) {
  const challenge = await fetch(`${baseUrl}/api/v1/deviceauth/challenge?device_id=${device.deviceId}`).then((r) => r.json());
  const iat = Math.floor(Date.now() / 1000);
  const signingInput = `${segment({ alg: 'RS512', typ: 'JWT', x5c: [device.certificateDerBase64] })}.${segment({
    iss: device.deviceId, sub: device.deviceId, nonce: challenge.challenge, exp: iat + 600, nbf: iat, iat, jti: randomUUID(),
  })}`;
  const assertion = `${signingInput}.${sign('sha512', Buffer.from(signingInput), device.key).toString('base64url')}`;
  const res = await fetch(`${baseUrl}/api/v1/deviceauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    body: new URLSearchParams({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
  });
  await res.arrayBuffer();
  return res.status === 200;
}

async function round(setup, seconds) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let flows = 0;
  let failures = 0;
  await Promise.all(setup.devices.map(async (device) => {
    while (performance.now() < deadline) (await flow(setup.baseUrl, device)) ? flows++ : failures++;
  }));
  const { user, system } = process.cpuUsage(cpu);
  return { flows, failures, elapsedMs: performance.now() - started, cpuMs: (user + system) / 1000 };
}

let setup;
for await (const line of createInterface({ input: process.stdin })) {
  const message = JSON.parse(line);
  if (!setup) {
    setup = { baseUrl: message.baseUrl, devices: message.devices.map((d) => ({ ...d, key: createPrivateKey(d.privateKeyPem) })) };
    process.stdout.write('{"ready":true}\n');
  } else {
    process.stdout.write(`${JSON.stringify(await round(setup, message.seconds))}\n`);
  }
}
