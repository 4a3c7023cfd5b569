/**
 * Support for staff beyond supervision (loughton "Support"): "the DSL holds details of further support that may
 * be available to individuals" — Education Support Partnership 08000 562 561, and Samaritans 116 123
 * ("you do not have to feel suicidal to call them"). A new organisation starts with these two; the admin edits
 * the list. They are shown in `help`, on the agenda prompt, after a risk of harm is flagged and in the offer of
 * extra supervision after a major incident.
 */
import type { SupportContact } from './types.js';

export const DEFAULT_SUPPORT_CONTACTS: readonly SupportContact[] = [
  { name: 'Education Support', phone: '08000 562 561', description: 'the charity for the wellbeing and mental health of education staff' },
  { name: 'Samaritans', phone: '116 123', description: 'you do not have to feel suicidal to call them' },
];

export const SUPPORT_LIMITS = { contacts: 10, name: 80, phone: 20, description: 200 } as const;

/** A telephone number as staff would dial it: digits, spaces, +, brackets and dashes. */
export const PHONE_PATTERN = /^\+?[0-9][0-9 ()-]{1,18}[0-9]$/;
