import { randomUUID } from 'node:crypto';
import { Metadata, status as GrpcStatus, type handleUnaryCall, type ServerErrorResponse } from '@grpc/grpc-js';
import { DstsError } from '@dsts/errors';
import type { DstsRequestHeader, DstsResponseHeader } from '@dsts/proto';
import type { LifecycleApiDeps } from './deps';
import { toGrpcStatus } from './header-status.mapper';

const PROTOCOL_VERSION = 'v1';

export interface CallContext {
  requestId: string;
  metadata: Metadata;
}

type Observe = (method: string, code: GrpcStatus, error?: unknown) => void;

function observer({ metrics, logger }: Pick<LifecycleApiDeps, 'metrics' | 'logger'>): (method: string) => Observe {
  return (method) => {
    const stop = metrics.requestDuration.startTimer();
    return (_m, code, error) => {
      const labels = { transport: 'grpc', method, code: GrpcStatus[code] ?? String(code) };
      metrics.requests.inc(labels);
      stop(labels);
      if (code === GrpcStatus.INTERNAL) logger.error({ err: error, method }, 'rpc failed');
    };
  };
}

/**
 * Wraps an RPC that follows the original's status convention (SPEC §6): the
 * call always succeeds at the gRPC level and the outcome travels in
 * `header.status`. Validates `protocol_version`, echoes or creates the request
 * id, never lets a rejection reach grpc-js, and answers exactly once.
 */
export function headerUnary<Req extends { header?: DstsRequestHeader }, Res extends { header?: DstsResponseHeader }>(
  deps: Pick<LifecycleApiDeps, 'metrics' | 'logger' | 'clock'>,
  method: string,
  handler: (request: Req, context: CallContext) => Promise<Omit<Res, 'header'>>,
  emptyResponse: () => Res,
  options: { requireHeader?: boolean } = {},
): handleUnaryCall<Req, Res> {
  const start = observer(deps);
  return (call, callback) => {
    const observe = start(method);
    const request = call.request;
    const requestId = request.header?.requestId || randomUUID();
    const header = (status: GrpcStatus, statusMessage: string): DstsResponseHeader => ({
      protocolVersion: PROTOCOL_VERSION,
      status,
      requestId,
      statusMessage,
      responseTime: deps.clock(),
    });
    const run = async (): Promise<Res> => {
      if ((options.requireHeader ?? true) && request.header?.protocolVersion !== PROTOCOL_VERSION) {
        throw new DstsError('INVALID_REQUEST', `protocol_version must be ${PROTOCOL_VERSION}`);
      }
      const body = await handler(request, { requestId, metadata: call.metadata });
      return { ...emptyResponse(), ...body, header: header(GrpcStatus.OK, 'OK') } as Res;
    };
    run().then(
      (response) => {
        observe(method, GrpcStatus.OK);
        callback(null, response);
      },
      (error: unknown) => {
        const mapped = toGrpcStatus(error);
        observe(method, mapped.code, error);
        callback(null, { ...emptyResponse(), header: header(mapped.code, mapped.message) });
      },
    );
  };
}

/**
 * Wraps an RPC without a response header (Ping): failures are real gRPC
 * status errors, with the same caller-safe messages.
 */
export function plainUnary<Req, Res>(
  deps: Pick<LifecycleApiDeps, 'metrics' | 'logger'>,
  method: string,
  handler: (request: Req) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  const start = observer(deps);
  return (call, callback) => {
    const observe = start(method);
    handler(call.request).then(
      (response) => {
        observe(method, GrpcStatus.OK);
        callback(null, response);
      },
      (error: unknown) => {
        const mapped = toGrpcStatus(error);
        observe(method, mapped.code, error);
        const failure: Partial<ServerErrorResponse> = { code: mapped.code, details: mapped.message };
        callback(failure);
      },
    );
  };
}
