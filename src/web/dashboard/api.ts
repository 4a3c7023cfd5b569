/**
 * Calls to /tab/api. Inside Teams every call carries the Teams SSO token; in the local try-out the chosen demo
 * person travels in a cookie. Types come from the API's own schemas (src/web/tab/api-types.ts).
 */
import type { app as TeamsApp, authentication as TeamsAuthentication } from '@microsoft/teams-js';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorResponse } from '../tab/api-types.js';
import { applyTheme } from './theme.js';

const API = '/tab/api';
const COOKIE = 'playground_person';

interface TeamsGlobal {
  app: Pick<typeof TeamsApp, 'initialize' | 'getContext' | 'registerOnThemeChangeHandler'> & { notifySuccess?: () => void };
  authentication: Pick<typeof TeamsAuthentication, 'getAuthToken'>;
}
declare global {
  interface Window {
    microsoftTeams?: TeamsGlobal;
    nativeInterface?: unknown;
  }
}

export const session = { teams: false };

export class SignInError extends Error {}

/**
 * A deep link's page (`record/<id>`, handed over as the sub-entity): shown instead of the tab's home, when the tab
 * was opened without one of its own. Only a page's address is taken, never anything that could run.
 */
function openSubPage(sub: string | undefined): void {
  if (!sub || location.hash || !/^[a-z]+(\/[A-Za-z0-9._~%:-]+)*$/.test(sub)) return;
  history.replaceState(null, '', `${location.pathname}${location.search}#${sub}`);
}

/** Teams hosts tabs in a frame (web, desktop) or a webview with a native bridge (mobile). */
export async function connectTeams(): Promise<boolean> {
  const teams = window.microsoftTeams;
  const framed = window.parent !== window || Boolean(window.nativeInterface);
  if (!teams || !framed) return false;
  try {
    await Promise.race([teams.app.initialize(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 4000))]);
    const context = await teams.app.getContext();
    openSubPage(context?.page?.subPageId);
    applyTheme(context?.app?.theme);
    teams.app.registerOnThemeChangeHandler(applyTheme);
    teams.app.notifySuccess?.();
    return true;
  } catch {
    return false;
  }
}

export function getCookie(name = COOKIE): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}
export function setPerson(id: string): void {
  // biome-ignore lint/suspicious/noDocumentCookie: cookieStore is not available in every Teams webview
  document.cookie = `${COOKIE}=${encodeURIComponent(id)}; path=/; SameSite=Lax`;
}
export function clearPerson(): void {
  // biome-ignore lint/suspicious/noDocumentCookie: cookieStore is not available in every Teams webview
  document.cookie = `${COOKIE}=; path=/; max-age=0; SameSite=Lax`;
}

/** Inside Teams, the SSO token (teams-js caches it and renews it before it expires). */
async function signIn(headers: Record<string, string>): Promise<void> {
  if (!session.teams || !window.microsoftTeams) return;
  try {
    headers.authorization = `Bearer ${await window.microsoftTeams.authentication.getAuthToken()}`;
  } catch (error) {
    throw new SignInError(String((error as Error)?.message || error || 'Teams did not give a sign-in token'));
  }
}

export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...(init.headers as Record<string, string> | undefined) };
  await signIn(headers);
  return fetch(urlOf(path), { credentials: 'same-origin', ...init, headers });
}

/** `/tab/api` routes by their path there; the administration imports' API (`/api/admin/…`) by its own. */
const urlOf = (path: string) => (path.startsWith('/api/') ? path : `${API}${path}`);

/**
 * Sends a body (a file, or JSON) with XMLHttpRequest, which reports how much of it has gone (fetch does not):
 * `onProgress` gets 0…1 while it uploads, then the answer is awaited.
 */
export async function send<T>(method: 'POST' | 'PUT' | 'PATCH', path: string, body: Blob | string, contentType: string, onProgress?: (sent: number) => void): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': contentType };
  await signIn(headers);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, urlOf(path));
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress?.(e.lengthComputable && e.total > 0 ? e.loaded / e.total : 0);
    xhr.onload = () => {
      let parsed: unknown = {};
      try {
        parsed = JSON.parse(xhr.responseText || '{}');
      } catch {
        parsed = {};
      }
      onProgress?.(1);
      resolve({ status: xhr.status, body: parsed } as Answer<T>);
    };
    xhr.onerror = () => reject(new Error('the upload did not reach the server'));
    xhr.send(body);
  });
}

export type Answer<T> = { status: 200; body: T } | { status: number; body: ErrorResponse };

export async function getJson<T>(path: string): Promise<Answer<T>> {
  const res = await apiFetch(path);
  const body = (await res.json().catch(() => ({}))) as T & ErrorResponse;
  return res.status === 200 ? { status: 200, body } : { status: res.status, body };
}

export type Load<T> = { state: 'loading' } | { state: 'ok'; data: T } | { state: 'problem'; status: number; body: ErrorResponse } | { state: 'failed'; error: unknown };

/**
 * Loads every path; the first answer that is not 200 is the page's problem. `reload` asks again, and the page
 * keeps what it shows (a form, an import's result) until the new answer replaces it.
 */
export function useApi<T extends unknown[]>(paths: { [K in keyof T]: string }, deps: unknown[] = []): [Load<T>, () => void] {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const key = paths.join('\n');
  const shown = useRef<string | undefined>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the paths' text is the key
  useEffect(() => {
    let live = true;
    const reloading = shown.current === key;
    setLoad((l) => (reloading && l.state === 'ok' ? l : { state: 'loading' }));
    Promise.all(paths.map((p) => getJson<unknown>(p)))
      .then((answers) => {
        if (!live) return;
        const bad = answers.find((a) => a.status !== 200);
        shown.current = bad ? undefined : key;
        if (bad) setLoad({ state: 'problem', status: bad.status, body: bad.body as ErrorResponse });
        else setLoad({ state: 'ok', data: answers.map((a) => a.body) as T });
      })
      .catch((error) => live && setLoad({ state: 'failed', error }));
    return () => {
      live = false;
    };
  }, [key, tick, ...deps]);
  return [load, useCallback(() => setTick((t) => t + 1), [])];
}

/** Fetches a CSV export and hands it to the browser as a download. Returns the status when it was not 200. */
export async function download(path: string, fallbackName: string): Promise<{ status: number; body: ErrorResponse } | undefined> {
  const res = await apiFetch(path, { headers: {} });
  if (res.status !== 200) return { status: res.status, body: await res.json().catch(() => ({})) };
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '')?.[1] || fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.className = 'visually-hidden';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return undefined;
}
