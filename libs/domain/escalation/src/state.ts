import { EscalationStopReason } from './events';
import { EscalationLevel } from './levels';

export interface EscalationRecord {
  readonly escalationId: string;
  readonly approvalId: string;
  readonly levels: readonly EscalationLevel[];
  /** The highest level reached so far. */
  readonly currentLevel: number;
}

export type EscalationState =
  | { readonly status: 'Initial' }
  | ({ readonly status: 'Active' } & EscalationRecord)
  | ({ readonly status: 'Stopped'; readonly why: EscalationStopReason } & EscalationRecord)
  | ({ readonly status: 'Exhausted' } & EscalationRecord);

export const initialEscalationState = (): EscalationState => ({ status: 'Initial' });
