/** Real time for production; a settable clock for tests and the playground's clock control. */
import type { Clock } from './ports.js';

export const systemClock: Clock = { now: () => new Date() };

export class AdjustableClock implements Clock {
  private offsetMs = 0;
  constructor(private readonly base: () => number = Date.now) {}
  now(): Date {
    return new Date(this.base() + this.offsetMs);
  }
  advance(ms: number): void {
    if (ms < 0) throw new Error('the clock only moves forward');
    this.offsetMs += ms;
  }
  set(to: Date): void {
    this.offsetMs = to.getTime() - this.base();
  }
  get offset(): number {
    return this.offsetMs;
  }
}
