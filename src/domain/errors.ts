/** A rule of the domain was broken. `field` names the input at fault, when there is one. */
export class DomainError extends Error {
  constructor(
    readonly code: 'forbidden' | 'invalid-transition' | 'new-time-required' | 'record-locked' | 'not-found' | 'invalid',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
