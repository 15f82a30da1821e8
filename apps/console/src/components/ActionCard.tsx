import { paramText } from '../lib/format';
import { Approval } from '../lib/types';
import { Hash } from './common';

/** Exactly what will run: kind, target, parameters, the action hash's prefix and the dry run's output. */
export function ActionCard({ approval }: { approval: Approval }) {
  const { action, dryRun } = approval;
  const params = Object.entries(action?.params ?? {});
  return (
    <div class="action-card" aria-label="What will run">
      <h3>What will run</h3>
      {action ? (
        <dl class="facts">
          <dt>Action</dt>
          <dd>
            <code class="action-kind">{action.kind}</code>
          </dd>
          <dt>Target</dt>
          <dd>
            <code class="action-target">{action.target}</code>
          </dd>
          <dt>Parameters</dt>
          <dd>
            {params.length === 0 ? (
              <span class="muted">none</span>
            ) : (
              <table class="params">
                <tbody>
                  {params.map(([name, value]) => (
                    <tr key={name}>
                      <th scope="row">{name}</th>
                      <td>
                        <code>{paramText(value)}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </dd>
          <dt>Version</dt>
          <dd>v{approval.proposalVersion}</dd>
          <dt>Action hash</dt>
          <dd>
            <Hash hash={approval.actionHash} /> <span class="muted small">(the vote authorises exactly this hash)</span>
          </dd>
          <dt>Dry run</dt>
          <dd>
            {dryRun ? (
              <div class={`dry-run ${dryRun.ok ? 'ok' : 'failed'}`}>
                <strong>{dryRun.ok ? 'Dry run passed' : 'Dry run failed'}</strong>
                {dryRun.summary && <pre class="dry-run-output">{dryRun.summary}</pre>}
              </div>
            ) : (
              <span class="muted">no dry run for this action</span>
            )}
          </dd>
        </dl>
      ) : (
        <p class="muted">
          The action is not in the queue's read model yet; its hash is <Hash hash={approval.actionHash} />.
        </p>
      )}
    </div>
  );
}
