/** Errors a use case reports to the person, as opposed to infrastructure failures (which are retried). */
import { z } from 'zod';
import { DomainError } from '../domain/errors.js';
import type { ErrorView, NotificationView, RefusalView } from './views.js';

export class ValidationError extends Error {
  /**
   * `field` is the input's path, for a form to put the message on; the message a person reads is `words` when
   * given (the field as the form labels it, "Action 2: …"), else `<field>: <message>`.
   */
  constructor(
    readonly field: string,
    message: string,
    words?: string,
  ) {
    super(words ?? `${field}: ${message}`);
    this.name = 'ValidationError';
  }
}

/** A polite refusal that reveals nothing about what exists. */
export class Refusal extends Error {
  constructor(message = 'Sorry — that is not something you can do here.') {
    super(message);
    this.name = 'Refusal';
  }
}

export type UseCaseResult<T = unknown> =
  | { ok: true; view?: NotificationView; data?: T }
  | { ok: false; error: ErrorView | RefusalView };

/** Parses a use case's input; with `label`, the refusal names the field as the form labels it. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, label?: (path: ReadonlyArray<string | number>) => string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  // a field the schema does not have is named by its key, not by the object holding it
  const unknown = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  // a key with no name (a body of `{"": …}`) is still named, so that the refusal says which field it was
  const path = [...(issue?.path ?? []), ...(unknown !== undefined ? [unknown] : [])].map((k) => (k === '' ? '(a field with no name)' : k)) as Array<string | number>;
  const field = path.length > 0 ? path.join('.') : 'input';
  const message = unknown !== undefined ? 'is not a field of this form' : (issue?.message ?? 'is not valid');
  throw new ValidationError(field, message, label && path.length > 0 ? `${label(path)}: ${message}` : undefined);
}

export function isUserError(error: unknown): boolean {
  return error instanceof ValidationError || error instanceof Refusal || error instanceof DomainError;
}

/** Turns the errors a person should see into a result; anything else propagates (and is retried). */
export function toFailure(error: unknown): UseCaseResult<never> {
  if (error instanceof ValidationError) return { ok: false, error: { type: 'error', field: error.field, message: error.message } };
  if (error instanceof Refusal) return { ok: false, error: { type: 'refusal', text: error.message } };
  if (error instanceof DomainError) {
    if (error.code === 'forbidden' || error.code === 'not-found') return { ok: false, error: { type: 'refusal', text: 'Sorry — that is not something you can do here.' } };
    return { ok: false, error: { type: 'error', field: error.field, message: error.field ? `${error.field}: ${error.message}` : error.message } };
  }
  throw error;
}

type UseCaseFn<R> = (deps: import('./ports.js').AppDeps, actorId: string, input: unknown) => Promise<UseCaseResult<R>>;

/** A use case as channels call it: a person's mistake comes back as a result, an outage is thrown. */
export function useCase<R>(fn: UseCaseFn<R>): UseCaseFn<R> {
  return async (deps, actorId, input) => {
    try {
      return await fn(deps, actorId, input);
    } catch (error) {
      return toFailure(error);
    }
  };
}
