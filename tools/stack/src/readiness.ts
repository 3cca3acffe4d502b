import { connect, isIP } from 'node:net';
import { ConfigError, loadConfig } from '@dsts/config';

const POLL_MS = 200;

/** Where this machine reaches a service bound to `host`: a wildcard bind answers on loopback. */
const localHost = (host: string) => (host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host);
const inAddress = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);

function acceptsConnections(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/**
 * Logs `ready — REST <url>, gRPC <address>` once the auth-gateway's /ready
 * answers 200 and the lifecycle-api accepts connections (it listens only once
 * it can serve). Each service says when it listens, but they start
 * independently, the lifecycle-api seconds after the gateway on a first start,
 * and a call in between fails with ECONNREFUSED: this is the line to wait for.
 * Says nothing once `gaveUp()` (a service exited or the stack is stopping:
 * said elsewhere), for a configuration the services will refuse (they say
 * why), or for port 0 (the port the system picks is known only to the service).
 */
export async function announceWhenReady(serviceEnv: NodeJS.ProcessEnv, log: (line: string) => void, gaveUp: () => boolean): Promise<void> {
  let config;
  try {
    config = loadConfig(serviceEnv);
  } catch (error) {
    if (error instanceof ConfigError) return;
    throw error;
  }
  const { rest, grpc } = config;
  if (rest.port === 0 || grpc.port === 0) return;
  const restUrl = `http://${inAddress(localHost(rest.host))}:${rest.port}`;
  const grpcHost = localHost(grpc.host);
  // The local server certificate names localhost, and an IP as TLS server name draws a Node deprecation warning in the tools.
  const grpcShown = ['127.0.0.1', '::1'].includes(grpcHost) ? 'localhost' : inAddress(grpcHost);
  while (!gaveUp()) {
    const gatewayReady = await fetch(`${restUrl}/ready`).then((response) => response.status === 200, () => false);
    if (gatewayReady && (await acceptsConnections(grpcHost, grpc.port))) {
      log(`ready — REST ${restUrl}, gRPC ${grpcShown}:${grpc.port}`);
      return;
    }
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
}
