import { assertNever } from '@vigil/domain/shared';
import { ChangeEvent } from './events';
import { ChangeState } from './state';

export function evolve(state: ChangeState, event: ChangeEvent): ChangeState {
  switch (event.type) {
    case 'DeploymentObserved': {
      const { observedBy: _by, observedAt: _at, ...change } = event.data;
      return { status: 'Observed', change };
    }
    default:
      return assertNever(event.type, 'change event');
  }
}
