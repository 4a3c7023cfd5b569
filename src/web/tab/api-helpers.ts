/** The tab API's answers: 400 naming the field, 403 for a refusal, the data otherwise. */
import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import type { UseCaseResult } from '../../app/errors.js';

export function badRequest(res: Response, field: string, message: string): void {
  res.status(400).json({ error: `${field}: ${message}`, field });
}

/** A body that is not JSON, or too large, is named as the body (400), not taken for an outage. */
export function bodyErrors(error: Error & { type?: string }, _req: Request, res: Response, next: NextFunction): void {
  if (error.type === 'entity.parse.failed' || error.type === 'entity.too.large') {
    badRequest(res, 'body', error.type === 'entity.too.large' ? 'is too large' : 'must be JSON');
    return;
  }
  next(error);
}

/** Parses with zod; on failure answers 400 naming the field (`query.filter`, `params.personId`) and returns undefined. */
export function parse<S extends z.ZodType>(res: Response, where: 'query' | 'params', schema: S, value: unknown): z.infer<S> | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys : issue?.path;
  const field = [where, ...(keys && keys.length > 0 ? [keys.join(',')] : [])].join('.');
  badRequest(res, field, issue?.code === 'unrecognized_keys' ? 'is not a parameter here' : (issue?.message ?? 'is not valid'));
  return undefined;
}

/** A use case's refusal is 403; its validation error 400 with the field; success the data. */
export function answer<T>(res: Response, result: UseCaseResult<T>, send: (data: T) => void): void {
  if (result.ok) send(result.data as T);
  else if (result.error.type === 'error') badRequest(res, result.error.field ?? 'input', result.error.message.replace(/^[^:]+: /, ''));
  else res.status(403).json({ error: result.error.text });
}

