/** The dashboard session cookie: HttpOnly, Secure, SameSite=Strict; sent to the dashboard and the admin API (`/tab`, `/api/admin`). */
import type { Response } from 'express';
import { SESSION_COOKIE, SESSION_HOURS } from '../../app/admin/links.js';

export function setSessionCookie(res: Response, secret: string): void {
  res.cookie(SESSION_COOKIE, secret, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: SESSION_HOURS * 3_600_000 });
}

export function clearSessionCookie(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
}
