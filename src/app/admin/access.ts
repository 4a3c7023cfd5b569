/**
 * Loading an administrator for an administration use case. The admin role, the DSL and the headteacher
 * administer (src/domain/permissions.ts); anyone else is refused politely, with nothing revealed.
 */
import { type AdminPermission, canAdminister } from '../../domain/permissions.js';
import { type ActorContext, loadActor } from '../context.js';
import { Refusal } from '../errors.js';
import type { AppDeps } from '../ports.js';

export const NOT_ADMIN = 'Sorry — only your school’s administrator, DSL or headteacher can change its set-up.';

export async function loadAdministrator(deps: AppDeps, actorId: string, permission: AdminPermission): Promise<ActorContext> {
  const ctx = await loadActor(deps, actorId);
  if (!canAdminister(ctx.actor, ctx.org, permission)) throw new Refusal(NOT_ADMIN);
  return ctx;
}
