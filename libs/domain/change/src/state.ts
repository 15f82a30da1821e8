import { ChangeFacts } from './events';

export type ChangeState = { readonly status: 'Unknown' } | { readonly status: 'Observed'; readonly change: ChangeFacts };

export const initialChangeState = (): ChangeState => ({ status: 'Unknown' });
