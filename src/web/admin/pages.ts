/**
 * The few server-made pages of administration: the first-run setup form and the sign-in link's answer. Every
 * value is escaped (text, never markup), no script runs, forms post to the same origin only.
 */
import { createHash } from 'node:crypto';
import type { Response } from 'express';

/** The pages' one stylesheet, inline and allowed by its hash (no other style, and no script, runs). */
const STYLE = [
  'body{margin:0;background:#f4f6f9;color:#1b1f24;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}',
  '.page{max-width:40rem;margin:2rem auto;padding:1.5rem 2rem 2rem;background:#fff;border:1px solid #d8dde4;border-radius:12px}',
  'h1{font-size:1.6rem;margin:0 0 .75rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}',
  'label{font-weight:600}fieldset{border:1px solid #d8dde4;border-radius:8px;padding:.5rem 1rem;margin:1rem 0}fieldset label{font-weight:400;margin-right:1rem}legend{font-weight:600;padding:0 .25rem}',
  'input[type=text],input[type=email],select{box-sizing:border-box;width:100%;max-width:28rem;margin-top:.25rem;padding:.5rem .6rem;font:inherit;border:1px solid #8a94a3;border-radius:6px}',
  'button{font:inherit;font-weight:600;padding:.55rem 1.2rem;border:0;border-radius:6px;background:#1f5c99;color:#fff;cursor:pointer}button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f0a500;outline-offset:2px}',
  'a{color:#1f5c99}.field-error{color:#a4262c;margin:.25rem 0 0;font-weight:600}',
  '.error-summary{border:2px solid #a4262c;border-radius:8px;padding:.5rem 1rem;margin-bottom:1rem}.error-summary h2{margin-top:.25rem;color:#a4262c}',
].join('');
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

export const PAGE_CSP = ["default-src 'none'", `style-src 'sha256-${STYLE_HASH}'`, "img-src 'self' data:", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"].join('; ');

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export function sendPage(res: Response, status: number, title: string, body: string, extraHead = ''): void {
  res
    .status(status)
    .set({ 'Content-Security-Policy': PAGE_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' })
    .type('html')
    .send(
      `<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><style>${STYLE}</style>${extraHead}<title>${escapeHtml(title)} · Supervision Bot</title></head><body><main id="main" class="page"><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
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
