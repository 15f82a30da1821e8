import { DomainCommand } from '@vigil/domain/shared';
import { ChangeFacts } from './events';

/** Observing the same change twice appends nothing: webhooks are redelivered. */
export type ObserveDeployment = DomainCommand<'ObserveDeployment', ChangeFacts>;

export type ChangeCommand = ObserveDeployment;
