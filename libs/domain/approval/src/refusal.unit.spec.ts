import { approvalDecider } from './decider';
import { refusalOf } from './refusal';
import { highRequested, vote } from './spec-fixtures';
import { fold } from '@vigil/domain/shared';

describe('refusalOf', () => {
  const state = fold(approvalDecider, [highRequested]);

  it('gives the code and kind of a refused vote, for the caller to report after appending the attempt', () => {
    const events = approvalDecider.decide(vote('ai:investigator', ['sre']), state);
    expect(events.map((e) => e.type)).toEqual(['VoteRefused']);
    expect(refusalOf(events)).toMatchObject({ code: 'APPROVAL.SELF_APPROVAL', kind: 'forbidden', details: { approvalId: 'appr-1', by: 'ai:investigator' } });
  });

  it.each([
    ['APPROVAL.ROLE_REQUIRED', 'forbidden', vote('rita', ['responder'])],
    ['APPROVAL.EXPIRED', 'gone', vote('sam', ['sre'], { now: '2025-03-01T12:00:00.000Z' })],
    ['APPROVAL.STALE_VERSION', 'conflict', vote('sam', ['sre'], { proposalVersion: 1 })],
  ] as const)('maps %s to the %s kind', (code, kind, command) => {
    expect(refusalOf(approvalDecider.decide(command, state))).toMatchObject({ code, kind });
  });

  it('is undefined when the vote was accepted', () => {
    expect(refusalOf(approvalDecider.decide(vote('sam', ['sre']), state))).toBeUndefined();
  });

  it('leaves the state unchanged: a refused vote is an attempt, not a vote', () => {
    const events = approvalDecider.decide(vote('rita', ['responder']), state);
    expect(fold(approvalDecider, [highRequested, ...events])).toEqual(state);
  });
});
