/**
 * The few server-made pages of administration: the first-run setup form and the sign-in link's answer. Every
 * value is escaped (text, never markup), no script runs, forms post to the same origin only.
 */
import type { Response } from 'express';

export const PAGE_CSP = ["default-src 'none'", "img-src 'self' data:", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"].join('; ');

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export function sendPage(res: Response, status: number, title: string, body: string, extraHead = ''): void {
  res
    .status(status)
    .set({ 'Content-Security-Policy': PAGE_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' })
    .type('html')
    .send(
      `<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">${extraHead}<title>${escapeHtml(title)} · Supervision Bot</title></head><body><main id="main" class="page"><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    );
}

export interface SetupFormState {
  action: string;
  values: Record<string, string>;
  /** Field → message, shown beside the field and summarised at the top. */
  errors: Record<string, string>;
  labels: Record<string, string>;
}

const DIVISIONS: Array<[string, string]> = [
  ['england-and-wales', 'England and Wales'],
  ['scotland', 'Scotland'],
  ['northern-ireland', 'Northern Ireland'],
];

export function setupForm(s: SetupFormState): string {
  const v = (k: string) => escapeHtml(s.values[k] ?? '');
  const err = (k: string) => (s.errors[k] ? `<p class="field-error" id="${k}-error">${escapeHtml(s.errors[k] as string)}</p>` : '');
  const described = (k: string) => (s.errors[k] ? ` aria-invalid="true" aria-describedby="${k}-error"` : '');
  const input = (k: string, type: string, extra = '') =>
    `<p><label for="${k}">${escapeHtml(s.labels[k] ?? k)}</label><br><input id="${k}" name="${k}" type="${type}" value="${v(k)}"${described(k)}${extra}>${err(k)}</p>`;
  const summary = Object.keys(s.errors).length
    ? `<div role="alert" class="error-summary"><h2>Please check the form</h2><ul>${Object.entries(s.errors)
        .map(([k, m]) => `<li><a href="#${escapeHtml(k)}">${escapeHtml(s.labels[k] ?? k)}: ${escapeHtml(m)}</a></li>`)
        .join('')}</ul></div>`
    : '';
  const division = s.values.bankHolidayDivision || 'england-and-wales';
  const kind = s.values.kind || 'school';
  return `${summary}<p>This link sets up Supervision Bot for your school or trust. It works once: afterwards you are signed in to the dashboard as its administrator, where you add your staff, term dates and contracts.</p>
<form method="post" action="${escapeHtml(s.action)}" novalidate>
${input('organisationName', 'text', ' required maxlength="120" autocomplete="organization"')}
<fieldset><legend>${escapeHtml(s.labels.kind ?? 'kind')}</legend>${[
    ['school', 'A school'],
    ['trust', 'A trust (several schools)'],
  ]
    .map(([val, label]) => `<label><input type="radio" name="kind" value="${val}"${kind === val ? ' checked' : ''}> ${label}</label> `)
    .join('')}${err('kind')}</fieldset>
<p><label for="bankHolidayDivision">${escapeHtml(s.labels.bankHolidayDivision ?? 'Bank holidays')}</label><br><select id="bankHolidayDivision" name="bankHolidayDivision"${described('bankHolidayDivision')}>${DIVISIONS.map(
    ([val, label]) => `<option value="${val}"${division === val ? ' selected' : ''}>${label}</option>`,
  ).join('')}</select>${err('bankHolidayDivision')}</p>
${input('timezone', 'text', ' maxlength="60"')}
<h2>You, its first administrator</h2>
${input('adminName', 'text', ' required maxlength="120" autocomplete="name"')}
${input('adminEmail', 'email', ' required maxlength="254" autocomplete="email"')}
<p><button type="submit">Create the organisation</button></p>
</form>`;
}
