/**
 * A real browser for end-to-end tests: Debian's Chromium driven by playwright-core (no downloaded browser),
 * with a fresh profile each launch and no background network traffic.
 * Screenshots go to `test-output/screenshots/` so a person can look at what each step showed.
 *
 *   const browser = await launchBrowser();
 *   const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
 *   await screenshot(page, '01-agenda-prompt');
 *   await expectAccessible(page, 'the agenda prompt');   // axe-core: no serious or critical violation
 *   await browser.close();
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve('test-output', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (.ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Saves a full-page PNG under test-output/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Waits for the page's finite animations and CSS transitions to end (a spinner's endless one is left running), so
 * colours are read as they rest: a button fading from its disabled grey back to its brand colour would otherwise
 * be measured half-way, at a contrast it never keeps.
 */
async function settled(target: Page | Frame): Promise<void> {
  await target.evaluate(async () => {
    const finite = document.getAnimations().filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Number.POSITIVE_INFINITY));
    const ended = Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  });
}

/**
 * Runs axe-core in the page (or a frame, such as the tab inside a Teams host page) and returns its serious and
 * critical violations, each with the selectors of the elements at fault. axe's script is evaluated through the
 * DevTools protocol, so the page's Content-Security-Policy stays as it is served.
 */
export async function axeViolations(target: Page | Frame): Promise<AxeViolation[]> {
  await settled(target);
  await target.evaluate(AXE_SOURCE);
  return target.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/** Fails the test with axe's findings when the page has a serious or critical accessibility violation. */
export async function expectAccessible(target: Page | Frame, what: string): Promise<void> {
  const violations = await axeViolations(target);
  if (violations.length > 0) {
    throw new Error(`${what}: ${violations.length} serious or critical accessibility violation(s):\n${violations.map((v) => `- ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 5).join(', ')}`).join('\n')}`);
  }
}
