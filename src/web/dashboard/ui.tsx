/** Small shared pieces: icons, chips, notices, the loading state. */
import { Badge, Button, Spinner } from '@fluentui/react-components';
import type { ReactNode } from 'react';

const ICONS = {
  download: ['M12 3v12', 'm7 10 5 5 5-5', 'M5 21h14'],
  print: ['M6 9V3h12v6', 'M6 18H4a2 2 0 0 1-2-2v-5a2 2 0 0 1 2-2h16a2 2 0 0 1 2 2v5a2 2 0 0 1-2 2h-2', 'M6 14h12v7H6z'],
  shield: ['M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Z', 'M12 8v4', 'M12 16h.01'],
  lock: ['M5 11h14v10H5z', 'M8 11V7a4 4 0 0 1 8 0v4'],
  user: ['M20 21a8 8 0 0 0-16 0', 'M12 13a5 5 0 1 0 0-10 5 5 0 0 0 0 10Z'],
  check: ['M20 6 9 17l-5-5'],
} as const;
export type IconName = keyof typeof ICONS;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg className="icon-svg" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      {ICONS[name].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral';
const BADGE: Record<Tone, 'success' | 'warning' | 'danger' | 'informative'> = { ok: 'success', warn: 'warning', bad: 'danger', neutral: 'informative' };

/** A state as a Fluent badge; `chip` and the tone stay as classes for print and for finding it. */
export function Chip({ tone, children, className }: { tone: Tone; children: ReactNode; className?: string }) {
  return (
    <Badge appearance="tint" shape="rounded" color={BADGE[tone]} className={`chip ${tone}${className ? ` ${className}` : ''}`}>
      {children}
    </Badge>
  );
}

export function Loading() {
  return (
    <div className="loading" role="status">
      <Spinner size="tiny" label="Loading…" />
    </div>
  );
}

export function Notice({ icon = 'shield', title, lines, detail, actions }: { icon?: IconName; title: string; lines: string[]; detail?: string; actions?: ReactNode }) {
  return (
    <section className="card notice" aria-labelledby="notice-title">
      <div className="icon">
        <Icon name={icon} />
      </div>
      <h1 id="notice-title">{title}</h1>
      {lines.map((l) => (
        <p key={l}>{l}</p>
      ))}
      {detail ? <p className="small">Details: {detail}</p> : null}
      {actions ? <div className="toolbar">{actions}</div> : null}
    </section>
  );
}

export function LinkButton({ href, children, primary }: { href: string; children: ReactNode; primary?: boolean }) {
  return (
    <Button as="a" href={href} appearance={primary ? 'primary' : 'secondary'}>
      {children}
    </Button>
  );
}

export const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]?.toUpperCase() ?? '')
    .join('');
export const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${Math.round(r * 100)}%`);
export const plural = (n: number, one: string, many?: string) => `${n} ${n === 1 ? one : many || `${one}s`}`;
/** `2026-12-01` → `Tue 1 Dec 2026`, as the bot writes dates in chat. */
export const dayText = (day: string) =>
  new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).replace(/,/g, '');
export function recordTone(state: string): Tone {
  return state === 'signed' ? 'ok' : state === 'disputed' ? 'bad' : state === 'awaiting-confirmation' ? 'warn' : 'neutral';
}
