import { ApprovalPolicy } from './approval-policy';

/** The platform design's risk-tier table, as the default configuration. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = {
  roles: ['responder', 'team-lead', 'sre', 'manager', 'vp-eng'],
  tiers: {
    info: { autoApprove: true },
    low: {
      autoApprove: false,
      approvers: [['responder', 'team-lead', 'sre', 'manager', 'vp-eng']],
      timeout: '15m',
      escalation: [
        { level: 0, after: 0, notify: [{ role: 'responder', channel: 'slack' }, { role: 'responder', channel: 'log' }] },
        { level: 1, after: '15m', notify: [{ role: 'responder', channel: 'pagerduty' }, { role: 'responder', channel: 'log' }] },
        { level: 2, after: '30m', notify: [{ role: 'team-lead', channel: 'pagerduty' }, { role: 'team-lead', channel: 'log' }] },
      ],
    },
    medium: {
      autoApprove: false,
      approvers: [['team-lead']],
      timeout: '30m',
      escalation: [
        { level: 0, after: 0, notify: [{ role: 'team-lead', channel: 'slack' }, { role: 'team-lead', channel: 'log' }] },
        { level: 1, after: '30m', notify: [{ role: 'team-lead', channel: 'pagerduty' }, { role: 'team-lead', channel: 'log' }] },
        { level: 2, after: '1h', notify: [{ role: 'team-lead', channel: 'pagerduty' }, { role: 'manager', channel: 'slack' }, { role: 'team-lead', channel: 'log' }] },
      ],
    },
    high: {
      autoApprove: false,
      approvers: [['sre'], ['manager']],
      timeout: '1h',
      escalation: [
        { level: 0, after: 0, notify: [{ role: 'sre', channel: 'slack' }, { role: 'manager', channel: 'slack' }, { role: 'sre', channel: 'log' }] },
        { level: 1, after: '1h', notify: [{ role: 'sre', channel: 'pagerduty' }, { role: 'manager', channel: 'pagerduty' }, { role: 'sre', channel: 'log' }] },
        { level: 2, after: '2h', notify: [{ role: 'manager', channel: 'pagerduty' }, { role: 'vp-eng', channel: 'slack' }, { role: 'manager', channel: 'log' }] },
      ],
    },
    critical: {
      autoApprove: false,
      approvers: [['vp-eng']],
      timeout: '2h',
      escalation: [
        { level: 0, after: 0, notify: [{ role: 'vp-eng', channel: 'slack' }, { role: 'vp-eng', channel: 'pagerduty' }, { role: 'vp-eng', channel: 'log' }] },
        { level: 1, after: '2h', notify: [{ role: 'vp-eng', channel: 'pagerduty' }, { role: 'manager', channel: 'pagerduty' }, { role: 'vp-eng', channel: 'log' }] },
      ],
    },
  },
  actionTiers: {
    'ticket.create': 'info',
    notify: 'info',
    'k8s.scale': 'low',
    'k8s.uncordon-node': 'low',
    'argocd.rollback': 'medium',
    'k8s.rollback': 'medium',
    'k8s.rollout-restart': 'medium',
    'db.failover': 'high',
    'k8s.drain-node': 'high',
    'k8s.cordon-node': 'high',
    'region.failover': 'critical',
  },
};
