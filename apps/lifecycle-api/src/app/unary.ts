import {
  Metadata,
  status as GrpcStatus,
  type handleUnaryCall,
  type sendUnaryData,
  type ServerErrorResponse,
} from '@grpc/grpc-js';
import { DstsError, isDstsError } from '@dsts/errors';
import { optionalText } from '@dsts/validation';
import type { DstsRequestHeader, DstsResponseHeader } from '@dsts/proto';
import type { AuditEventRecord } from '@dsts/db';
import { type AuditDescriptor, auditCall, peerAddress } from './audit';
import type { LifecycleApiDeps, RpcDeps } from './deps';
import { type MappedStatus, toGrpcStatus } from './header-status.mapper';
import { isMalformedRequest } from './malformed-request';
import { MAX_REQUEST_ID_LENGTH, requestIdOf } from './request-id';

const PROTOCOL_VERSION = 'v1';

export interface CallContext {
  requestId: string;
  metadata: Metadata;
  /** The caller's address (the TCP peer), as rate limits and audit lines name it. */
  clientAddress: string;
  /** Of an audited change: the audit row its repository call writes in the change's transaction. */
  audit?: AuditEventRecord;
}

type WrapperDeps = Pick<LifecycleApiDeps, 'metrics' | 'logger'>;
type Failure<Res> = [Partial<ServerErrorResponse> | null, Res?];

function assertDecoded(request: unknown): void {
  if (isMalformedRequest(request)) throw new DstsError('INVALID_REQUEST', 'request is not a valid protobuf message');
}

/**
 * Runs `work` and calls back exactly once: grpc-js never sees a rejection.
 * Every outcome is counted and logged at debug level; unexpected failures are
 * logged with their cause but answered with a caller-safe message only.
 */
function settle<Res>(
  { metrics, logger }: WrapperDeps,
  method: string,
  work: () => Promise<Res>,
  callback: sendUnaryData<Res>,
  fail: (mapped: MappedStatus) => Failure<Res>,
): void {
  const stop = metrics.requestDuration.startTimer();
  const observe = (code: GrpcStatus) => {
    const labels = { transport: 'grpc', method, code: GrpcStatus[code] ?? String(code) };
    metrics.requests.inc(labels);
    logger.debug({ method, code: labels.code, durationSeconds: stop(labels) }, 'rpc completed');
  };
  Promise.resolve()
    .then(work)
    .then(
      (response) => {
        observe(GrpcStatus.OK);
        callback(null, response);
      },
      (error: unknown) => {
        const mapped = toGrpcStatus(error);
        observe(mapped.code);
        if (mapped.code === GrpcStatus.INTERNAL) logger.error({ err: error, method }, 'rpc failed');
        // A dependency outage is the operator's business even though the caller gets a clean status.
        if (isDstsError(error) && error.kind === 'overloaded') {
          logger.warn({ code: error.code, method, cause: (error.cause as Error | undefined)?.message }, 'dependency unavailable');
        }
        const [failure, response] = fail(mapped);
        callback(failure, response);
      },
    );
}

/**
 * Wraps an RPC that follows the original's status convention (SPEC §6): the
 * outcome travels in `header.status` with gRPC status OK. Validates
 * `protocol_version`, echoes or creates the request id, audits the call when
 * `options.audit` says how, and answers exactly once. With
 * `options.perAddressBudget` the call first spends its client address's
 * RATE_LIMIT_PER_MINUTE budget (the open app authentication RPCs, as their
 * REST endpoints do); a refusal by it is not audited, as on REST (a flood
 * would flood the audit log). With
 * `config.grpc.realStatusCodes` a failure is also a real gRPC status (same
 * code and message; the request id in the `request_id` trailer).
 */
export function headerUnary<Req extends { header?: DstsRequestHeader }, Res extends { header?: DstsResponseHeader }>(
  deps: Pick<RpcDeps, 'metrics' | 'logger' | 'clock' | 'config' | 'audit' | 'auditEvents' | 'budgets'>,
  method: string,
  handler: (request: Req, context: CallContext) => Promise<Omit<Res, 'header'>>,
  emptyResponse: () => Res,
  options: { requireHeader?: boolean; audit?: AuditDescriptor<Req>; perAddressBudget?: boolean } = {},
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const request = call.request;
    const givenRequestId = request.header?.requestId ?? '';
    // Echoed only when it would pass the field rules below; otherwise a fresh one labels the refusal.
    const requestId = requestIdOf(request.header);
    const header = (status: GrpcStatus, statusMessage: string): DstsResponseHeader => ({
      protocolVersion: PROTOCOL_VERSION,
      status,
      requestId,
      statusMessage,
      responseTime: deps.clock(),
    });
    const clientAddress = peerAddress(call.getPeer());
    const audited = options.audit && auditCall(deps, method, options.audit, call, requestId);
    const work = async (): Promise<Res> => {
      assertDecoded(request);
      if ((options.requireHeader ?? true) && request.header?.protocolVersion !== PROTOCOL_VERSION) {
        throw new DstsError('INVALID_REQUEST', `protocol_version must be ${PROTOCOL_VERSION}`);
      }
      if (givenRequestId) optionalText(givenRequestId, 'request_id', MAX_REQUEST_ID_LENGTH);
      const body = await handler(request, { requestId, metadata: call.metadata, clientAddress, audit: audited?.row });
      return { ...emptyResponse(), ...body, header: header(GrpcStatus.OK, 'OK') } as Res;
    };
    // The request id goes on every log line of the call, as in the auth-gateway.
    const recorded = audited ? () => audited.around(work) : work;
    const budgeted = options.perAddressBudget ? () => deps.budgets.spendRequest(clientAddress).then(recorded) : recorded;
    settle({ metrics: deps.metrics, logger: deps.logger.child({ requestId }) }, method, budgeted, callback, (mapped): Failure<Res> => {
      if (deps.config.grpc.realStatusCodes) {
        const metadata = new Metadata();
        metadata.set('request_id', requestId);
        return [{ code: mapped.code, details: mapped.message, metadata }];
      }
      return [null, { ...emptyResponse(), header: header(mapped.code, mapped.message) }];
    });
  };
}

/**
 * Wraps an RPC without a response header (Ping): failures are real gRPC
 * status errors, with the same caller-safe messages.
 */
export function plainUnary<Req, Res>(
  deps: WrapperDeps,
  method: string,
  handler: (request: Req) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) =>
    settle(
      deps,
      method,
      () => {
        assertDecoded(call.request);
        return handler(call.request);
      },
      callback,
      (mapped) => [{ code: mapped.code, details: mapped.message }],
    );
}
