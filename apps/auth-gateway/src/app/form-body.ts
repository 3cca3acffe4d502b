import express, { type RequestHandler } from 'express';
import { DstsError } from '@dsts/errors';

/** Far above any real assertion (a 16 KiB certificate in x5c is ~22 KiB of base64). */
export const MAX_BODY_BYTES = 64 * 1024;

const FORM = 'application/x-www-form-urlencoded';
const parse = express.urlencoded({ extended: false, limit: MAX_BODY_BYTES, parameterLimit: 16 });

/**
 * Accepts only form-encoded bodies (parameters such as `charset=UTF-8` are
 * fine): anything else is 415, a larger body 413 (SPEC §3).
 */
export const formBody: RequestHandler = (req, res, next) => {
  if (!req.is(FORM)) throw new DstsError('UNSUPPORTED_MEDIA_TYPE', `content type must be ${FORM}`);
  parse(req, res, next);
};

/** A single string form or query parameter; repeated or missing parameters are undefined. */
export function stringParameter(source: unknown, name: string): string | undefined {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
