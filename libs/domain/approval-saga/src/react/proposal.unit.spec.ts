import { DEFAULT_APPROVAL_POLICY, HumanApprovedTier } from '@vigil/domain/approval';
import { actionHashInput, RemediationProposed } from '@vigil/domain/remediation';
import { RiskAssessmentInput, RiskAssessor } from '../context';
import {
  ACTION_HASH,
  APPROVAL_ID,
  CORRELATION,
  ESCALATION_ID,
  MEDIUM_L0_DEADLINE,
  ROLLBACK,
  T0,
  T1,
  assessed,
  commandTypes,
  fakeHash,
  proposed,
  recorded,
  sagaSpecification,
} from '../spec-fixtures';

const saga = sagaSpecification();
const meta = (eventId: string, purpose: string, now = T0) => ({ now, actor: 'system:saga', causationId: eventId, correlationId: CORRELATION, idempotencyKey: `saga:${eventId}:${purpose}` });

describe('approval saga: proposals and risk', () => {
  it('given a new proposal, assesses version 1 with the tier the policy gives its action kind', () => {
    expect(saga.given([]).when(proposed)).toEqual([
      {
        type: 'Send',
        aggregate: 'proposal',
        id: 'prop-1',
        command: {
          type: 'AssessRisk',
          data: { proposalId: 'prop-1', version: 1, tier: 'medium', factors: [{ name: 'action-tier', detail: 'argocd.rollback is medium' }] },
          metadata: meta('e-proposed', 'AssessRisk'),
        },
      },
    ]);
  });

  it('given a modified proposal, assesses the new version with the action kind of the proposal', () => {
    const modified = recorded(
      'proposal-prop-1',
      { type: 'ProposalModified', data: { proposalId: 'prop-1', by: 'system:saga', changes: { revision: 'v40' }, params: { revision: 'v40' }, previousVersion: 1, newVersion: 2, approvalId: APPROVAL_ID, at: T1 } },
      'e-modified',
    );
    expect(saga.given([proposed, assessed()]).when(modified)).toEqual([
      {
        type: 'Send',
        aggregate: 'proposal',
        id: 'prop-1',
        command: {
          type: 'AssessRisk',
          data: { proposalId: 'prop-1', version: 2, tier: 'medium', factors: [{ name: 'action-tier', detail: 'argocd.rollback is medium' }] },
          metadata: meta('e-modified', 'AssessRisk', T1),
        },
      },
    ]);
  });

  it('given a medium-tier assessment, requests an approval by a team lead, starts the escalation and arms the level-0 timer', () => {
    const medium = DEFAULT_APPROVAL_POLICY.tiers.medium as HumanApprovedTier;
    expect(saga.given([proposed]).when(assessed('medium'))).toEqual([
      {
        type: 'Send',
        aggregate: 'approval',
        id: APPROVAL_ID,
        command: {
          type: 'RequestApproval',
          data: {
            approvalId: APPROVAL_ID,
            proposalId: 'prop-1',
            proposalVersion: 1,
            actionHash: fakeHash(actionHashInput(ROLLBACK, 1)),
            tier: 'medium',
            requiredRoles: [['team-lead']],
            proposer: 'ai:investigator',
            deadline: MEDIUM_L0_DEADLINE,
          },
          metadata: meta('e-assessed', 'RequestApproval'),
        },
      },
      {
        type: 'Send',
        aggregate: 'escalation',
        id: ESCALATION_ID,
        command: { type: 'StartEscalation', data: { escalationId: ESCALATION_ID, approvalId: APPROVAL_ID, levels: medium.escalation }, metadata: meta('e-assessed', 'StartEscalation') },
      },
      {
        type: 'Schedule',
        timerId: `approval-timeout:${APPROVAL_ID}:0`,
        at: MEDIUM_L0_DEADLINE,
        work: {
          type: 'Send',
          send: {
            type: 'Send',
            aggregate: 'approval',
            id: APPROVAL_ID,
            command: {
              type: 'TimeOutApproval',
              data: { approvalId: APPROVAL_ID },
              metadata: { now: MEDIUM_L0_DEADLINE, actor: 'system:saga', causationId: 'e-assessed', correlationId: CORRELATION, idempotencyKey: `timer:approval-timeout:${APPROVAL_ID}:0` },
            },
          },
        },
      },
    ]);
  });

  it('given a high-tier assessment, asks for an SRE and a manager and escalates on the high tier\'s levels and timeout', () => {
    const high = DEFAULT_APPROVAL_POLICY.tiers.high as HumanApprovedTier;
    const [request, start, timer] = saga.given([proposed]).when(assessed('high'));
    expect(request).toMatchObject({ command: { data: { tier: 'high', requiredRoles: [['sre'], ['manager']], deadline: '2025-03-01T11:00:00.000Z' } } });
    expect(start).toMatchObject({ command: { type: 'StartEscalation', data: { levels: high.escalation } } });
    expect(timer).toMatchObject({ type: 'Schedule', at: '2025-03-01T11:00:00.000Z' });
  });

  it('takes tiers, approvers and timeouts from the policy it is given, not from code', () => {
    const policy = JSON.parse(JSON.stringify(DEFAULT_APPROVAL_POLICY));
    policy.tiers.medium.timeout = '10s';
    policy.tiers.medium.approvers = [['sre'], ['team-lead']];
    policy.tiers.medium.escalation[1].after = '10s';
    policy.tiers.medium.escalation[2].after = '20s';
    const [request, , timer] = sagaSpecification({ policy }).given([proposed]).when(assessed('medium'));
    expect(request).toMatchObject({ command: { data: { requiredRoles: [['sre'], ['team-lead']], deadline: '2025-03-01T10:00:10.000Z' } } });
    expect(timer).toMatchObject({ at: '2025-03-01T10:00:10.000Z' });
  });

  it('given an info-tier (auto-approved) assessment, requests the execution without an approval', () => {
    const ticket = recorded(
      'proposal-prop-1',
      { type: 'RemediationProposed', data: { proposalId: 'prop-1', action: { kind: 'ticket.create', target: 'jira:OPS', params: {} }, rationale: 'track it', proposer: 'alice', version: 1, at: T0 } },
      'e-proposed',
    );
    expect(saga.given([ticket]).when(assessed('info'))).toEqual([
      {
        type: 'Send',
        aggregate: 'execution',
        id: 'execution:auto:e-assessed',
        command: {
          type: 'RequestExecution',
          data: {
            executionId: 'execution:auto:e-assessed',
            proposalId: 'prop-1',
            approvalId: null,
            action: { kind: 'ticket.create', target: 'jira:OPS', params: {} },
            actionHash: fakeHash(actionHashInput({ kind: 'ticket.create', target: 'jira:OPS', params: {} }, 1)),
            idempotencyKey: 'execution:auto:e-assessed',
            maxAttempts: 3,
          },
          metadata: meta('e-assessed', 'RequestExecution'),
        },
      },
    ]);
  });

  it('does nothing for an assessment of a version that is no longer current, or of a withdrawn proposal', () => {
    const modified = recorded(
      'proposal-prop-1',
      { type: 'ProposalModified', data: { proposalId: 'prop-1', by: 'carol', changes: { revision: 'v40' }, params: { revision: 'v40' }, previousVersion: 1, newVersion: 2, at: T1 } },
      'e-modified',
    );
    expect(saga.given([proposed, modified]).when(assessed('medium', 1))).toEqual([]);
    const withdrawn = recorded('proposal-prop-1', { type: 'ProposalWithdrawn', data: { proposalId: 'prop-1', by: 'alice', reason: 'recovered', at: T0 } }, 'e-withdrawn');
    expect(saga.given([proposed, withdrawn]).when(assessed('medium', 1))).toEqual([]);
  });

  it('given a withdrawn proposal awaiting approval, cancels that approval', () => {
    const withdrawn = recorded('proposal-prop-1', { type: 'ProposalWithdrawn', data: { proposalId: 'prop-1', by: 'alice', reason: 'recovered on its own', at: T1 } }, 'e-withdrawn');
    expect(saga.given([proposed, assessed()]).when(withdrawn)).toEqual([
      {
        type: 'Send',
        aggregate: 'approval',
        id: APPROVAL_ID,
        command: {
          type: 'CancelApproval',
          data: { approvalId: APPROVAL_ID, reason: 'withdrawn', note: 'withdrawn by alice: recovered on its own' },
          metadata: meta('e-withdrawn', 'CancelApproval', T1),
        },
      },
    ]);
  });

  it('given a superseded proposal that never needed an approval, sends nothing', () => {
    const ticket = recorded(
      'proposal-prop-1',
      { type: 'RemediationProposed', data: { proposalId: 'prop-1', action: { kind: 'notify', target: 'slack:#ops', params: {} }, rationale: 'tell', proposer: 'alice', version: 1, at: T0 } },
      'e-proposed',
    );
    const superseded = recorded('proposal-prop-1', { type: 'ProposalSuperseded', data: { proposalId: 'prop-1', supersededBy: 'prop-2', by: 'alice', at: T1 } }, 'e-superseded');
    expect(saga.given([ticket, assessed('info')]).when(superseded)).toEqual([]);
  });

  it('given a new assessment of a version modified outside an approval, cancels the earlier version\'s approval as superseded', () => {
    const modified = recorded(
      'proposal-prop-1',
      { type: 'ProposalModified', data: { proposalId: 'prop-1', by: 'carol', changes: { revision: 'v40' }, params: { revision: 'v40' }, previousVersion: 1, newVersion: 2, at: T1 } },
      'e-modified',
    );
    const outputs = saga.given([proposed, assessed('medium', 1), modified]).when(assessed('medium', 2, 'e-assessed-2', T1));
    expect(commandTypes(outputs)).toEqual([
      `Send approval/CancelApproval`,
      'Send approval/RequestApproval',
      'Send escalation/StartEscalation',
      'Schedule approval-timeout:approval:e-assessed-2:0',
    ]);
    expect(outputs[0]).toMatchObject({ id: APPROVAL_ID, command: { data: { reason: 'superseded', note: 'version 2 replaces version 1' } } });
    expect(outputs[1]).toMatchObject({ id: 'approval:e-assessed-2', command: { data: { proposalVersion: 2, actionHash: fakeHash(actionHashInput({ ...ROLLBACK, params: { revision: 'v40' } }, 2)) } } });
    expect(ACTION_HASH).not.toBe((outputs[1] as { command: { data: { actionHash: string } } }).command.data.actionHash);
  });

  describe('blast radius', () => {
    const riskContext = { environment: 'prod', service: 'payments-api', replicas: 6, trafficShare: 0.4, dependents: ['checkout', 'web'] };
    const dryRun = { ok: true, summary: 'would sync payments-api to v41' };
    const proposedWithContext = recorded(
      'proposal-prop-1',
      { type: 'RemediationProposed', data: { ...(proposed.data as RemediationProposed['data']), riskContext, dryRun } } satisfies RemediationProposed,
      'e-proposed',
    );
    /** Raises to high in prod and reports what it was given, so the specs see exactly what reached it. */
    const recordingAssessor = () => {
      const inputs: (RiskAssessmentInput | undefined)[] = [];
      const assess: RiskAssessor = (action, _policy, input) => {
        inputs.push(input);
        const production = input?.riskContext?.environment === 'prod';
        return {
          tier: production ? 'high' : 'medium',
          factors: [{ name: 'action-tier', detail: `${action.kind} is medium` }, ...(production ? [{ name: 'traffic-share' }] : [])],
          ...(input?.riskContext ? { blastRadius: { service: input.riskContext.service ?? 'unknown', trafficShare: input.riskContext.trafficShare ?? 0 } } : {}),
        };
      };
      return { inputs, assess };
    };

    it('given a proposal with a risk context and a dry run, the assessor weighs the context at the event\'s instant and AssessRisk carries the blast radius and the dry run', () => {
      const { inputs, assess } = recordingAssessor();
      const outputs = sagaSpecification({ options: { assess } }).given([]).when(proposedWithContext);
      expect(inputs).toEqual([{ now: T0, riskContext }]);
      expect(outputs).toEqual([
        {
          type: 'Send',
          aggregate: 'proposal',
          id: 'prop-1',
          command: {
            type: 'AssessRisk',
            data: {
              proposalId: 'prop-1',
              version: 1,
              tier: 'high',
              factors: [{ name: 'action-tier', detail: 'argocd.rollback is medium' }, { name: 'traffic-share' }],
              blastRadius: { service: 'payments-api', trafficShare: 0.4 },
              dryRun,
            },
            metadata: meta('e-proposed', 'AssessRisk'),
          },
        },
      ]);
    });

    it('given a modified proposal, assesses the new version with the proposal\'s risk context but without the dry run of version 1', () => {
      const { inputs, assess } = recordingAssessor();
      const modified = recorded(
        'proposal-prop-1',
        { type: 'ProposalModified', data: { proposalId: 'prop-1', by: 'carol', changes: { revision: 'v40' }, params: { revision: 'v40' }, previousVersion: 1, newVersion: 2, at: T1 } },
        'e-modified',
      );
      const [output] = sagaSpecification({ options: { assess } }).given([proposedWithContext, assessed('high')]).when(modified);
      expect(inputs).toEqual([{ now: T1, riskContext }]);
      expect(output).toMatchObject({ command: { type: 'AssessRisk', data: { version: 2, tier: 'high', blastRadius: { service: 'payments-api' } } } });
      expect((output as { command: { data: object } }).command.data).not.toHaveProperty('dryRun');
    });

    it('given a proposal recorded before risk contexts existed, the assessor gets only the instant and AssessRisk has no blast radius', () => {
      const { inputs, assess } = recordingAssessor();
      const [output] = sagaSpecification({ options: { assess } }).given([]).when(proposed);
      expect(inputs).toEqual([{ now: T0 }]);
      expect((output as { command: { data: object } }).command.data).toEqual({ proposalId: 'prop-1', version: 1, tier: 'medium', factors: [{ name: 'action-tier', detail: 'argocd.rollback is medium' }] });
    });
  });
});
