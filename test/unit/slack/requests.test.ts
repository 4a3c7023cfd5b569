import { describe, expect, it } from 'vitest';
import { bodyProblem } from '../../../src/channels/slack/requests.js';

describe('the shape of a signed Slack request', () => {
  it('accepts what Slack sends', () => {
    expect(bodyProblem({ type: 'event_callback', event: { type: 'message', user: 'U1', text: 'hi', channel: 'D1', channel_type: 'im' } })).toBeNull();
    expect(bodyProblem({ command: '/overdue', text: '', user_id: 'U1', trigger_id: 't', response_url: 'https://hooks.slack.com/x' })).toBeNull();
    expect(bodyProblem({ type: 'block_actions', user: { id: 'U1' }, team: { id: 'T1' }, actions: [{ action_id: 'record_confirm', value: 'r@1' }] })).toBeNull();
    expect(bodyProblem({ type: 'view_submission', user: { id: 'U1' }, view: { id: 'V1', callback_id: 'dispute_modal', private_metadata: 'r@1', state: { values: {} } } })).toBeNull();
    expect(bodyProblem({ type: 'url_verification', challenge: 'c' })).toBeNull();
  });

  it('names the field of anything else', () => {
    expect(bodyProblem(null)?.field).toBe('body');
    expect(bodyProblem([1])?.field).toBe('body');
    expect(bodyProblem({ event: 5 })?.field).toBe('event');
    expect(bodyProblem({ event: { type: 7 } })?.field).toBe('event.type');
    expect(bodyProblem({ event: { type: 'message', text: {} } })?.field).toBe('event.text');
    expect(bodyProblem({ event: { type: 'message' }, authorizations: [null] })?.field).toBe('authorizations.0');
    expect(bodyProblem({ command: '/overdue', user_id: 5 })?.field).toBe('user_id');
    expect(bodyProblem({ type: 'block_actions', user: { id: 'U1' }, actions: 5 })?.field).toBe('actions');
    expect(bodyProblem({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 3 }] })?.field).toBe('actions.0.action_id');
    expect(bodyProblem({ type: 'view_submission', user: { id: 'U1' }, view: { callback_id: 'x', private_metadata: null, state: { values: {} } } })?.field).toBe('view.private_metadata');
    expect(bodyProblem({ type: 'view_submission', user: { id: 'U1' }, view: { callback_id: 'x' } })?.message).toMatch(/^view\.state: /);
  });
});
