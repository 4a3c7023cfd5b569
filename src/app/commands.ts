/**
 * Every state-changing interaction as a command. Channels build one from a platform payload and put it on
 * the `commands` queue; its `commandId` is derived from the interaction (platform + interaction id), so a
 * double click or a platform retry is one job, and ids written by the use case derive from it too.
 */
import { z } from 'zod';
import { parkItemForNextSession, submitAgendaItem } from './agenda.js';
import { agreeToContract, askAboutAgreement, startContractEarly } from './agreement.js';
import { reviewContract } from './review.js';
import { issueCalendarFeed, revokeCalendarFeed } from './calendar.js';
import { toFailure, type UseCaseResult } from './errors.js';
import { acknowledgeEscalation, completeAction, escalateRiskOfHarm, markCaseDecisionCopied } from './follow-up.js';
import type { AppDeps } from './ports.js';
import {
  arrangeDisputeMeeting,
  confirmRecord,
  correctSignedRecord,
  draftRecord,
  disputeRecord,
  referDispute,
  resolveDispute,
  submitRecordForConfirmation,
} from './records.js';
import { answerIncidentOffer, declareIncident } from './incidents.js';
import { submitHandover } from './handover.js';
import { recordKeptSession } from './external.js';
import { bookRequestedSession, recordSessionNotHeld, requestSession } from './session-outcomes.js';
import { markSessionHeld, rescheduleSession, scheduleReminders, scheduleSession } from './sessions.js';

export const COMMAND_HANDLERS = {
  submitAgendaItem,
  parkItemForNextSession,
  scheduleSession,
  rescheduleSession,
  markSessionHeld,
  draftRecord,
  submitRecordForConfirmation,
  confirmRecord,
  disputeRecord,
  referDispute,
  arrangeDisputeMeeting,
  resolveDispute,
  correctSignedRecord,
  completeAction,
  markCaseDecisionCopied,
  escalateRiskOfHarm,
  acknowledgeEscalation,
  scheduleReminders,
  issueCalendarFeed,
  revokeCalendarFeed,
  recordSessionNotHeld,
  recordKeptSession,
  requestSession,
  bookRequestedSession,
  declareIncident,
  answerIncidentOffer,
  submitHandover,
  agreeToContract,
  askAboutAgreement,
  startContractEarly,
  reviewContract,
} as const;

export type CommandType = keyof typeof COMMAND_HANDLERS;
const COMMAND_TYPES = Object.keys(COMMAND_HANDLERS) as [CommandType, ...CommandType[]];

/** BullMQ custom job ids may not contain ':'; keep them short and safe. */
export function commandIdFrom(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/[^A-Za-z0-9._-]/g, '_'))
    .join('.')
    .slice(0, 250);
}

export const commandSchema = z.object({
  commandId: z.string().regex(/^[A-Za-z0-9._-]{1,250}$/, 'letters, digits, dot, dash and underscore only'),
  type: z.enum(COMMAND_TYPES),
  actorId: z.string().min(1).max(200),
  input: z.record(z.string(), z.unknown()),
});

export type Command = z.infer<typeof commandSchema>;

/** Runs a command's use case; a person's mistake becomes a result, an outage is thrown (and retried). */
export async function runCommand(deps: AppDeps, command: Command): Promise<UseCaseResult> {
  const handler = COMMAND_HANDLERS[command.type];
  // agenda items are keyed by the command, so a retried reply adds each line once
  const input = command.type === 'submitAgendaItem' || command.type === 'parkItemForNextSession' ? { key: command.commandId, ...command.input } : command.input;
  try {
    return await handler(deps, command.actorId, input);
  } catch (error) {
    return toFailure(error);
  }
}
