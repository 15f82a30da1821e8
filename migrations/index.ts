import { EventStore1763700000000 } from './1763700000000-event-store';
import { AuditIndex1763700000001 } from './1763700000001-audit-index';
import { ApprovalQueue1763700000002 } from './1763700000002-approval-queue';
import { Incidents1763700000003 } from './1763700000003-incidents';
import { Executions1763700000004 } from './1763700000004-executions';
import { Users1763700000010 } from './1763700000010-users';
import { AnomalyKeys1763700000011 } from './1763700000011-anomaly-keys';
import { SetBasedAppend1763700000012 } from './1763700000012-set-based-append';
import { Deliveries1763700000020 } from './1763700000020-deliveries';
import { Slack1763700000021 } from './1763700000021-slack';
import { PagerDuty1763700000022 } from './1763700000022-pagerduty';
import { Silences1763700000023 } from './1763700000023-silences';
import { IncidentLead1763700000024 } from './1763700000024-incident-lead';
import { ProposalActionClaims1763700000025 } from './1763700000025-proposal-action-claims';

/** Every migration in order. Listed explicitly so no glob loading depends on the runtime (ts vs js). */
export const migrations = [
  EventStore1763700000000,
  AuditIndex1763700000001,
  ApprovalQueue1763700000002,
  Incidents1763700000003,
  Executions1763700000004,
  Users1763700000010,
  AnomalyKeys1763700000011,
  SetBasedAppend1763700000012,
  Deliveries1763700000020,
  Slack1763700000021,
  PagerDuty1763700000022,
  Silences1763700000023,
  IncidentLead1763700000024,
  ProposalActionClaims1763700000025,
];
