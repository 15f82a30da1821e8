/**
 * What `npm run demo` promises a newcomer, in a real browser: a bad deploy's telemetry goes in over OTLP, and the
 * approval queue shows one proposal — an ArgoCD rollback of the deployed service — with its signal chart and the
 * investigation's BubbleUp and deployment evidence.
 */
import { committed, replayFault, SCENARIO_CHANGES_TOKEN } from '../support/fault-scenario';
import { ConsoleWorld, startConsoleWorld } from './support/console-world';

const MINUTE = 60_000;
// Bounds, not speed targets: on a loaded 2-core CI box the first proposal took over 3 minutes.
const QUEUE_TIMEOUT_MS = 5 * MINUTE;
jest.setTimeout(9 * MINUTE);

interface QueueItem {
  readonly id: string;
  readonly action: { readonly kind: string; readonly target: string } | null;
  readonly investigationId: string | null;
}

describe('from a fault to the approval queue in chromium', () => {
  let world: ConsoleWorld;

  beforeAll(async () => {
    world = await startConsoleWorld(
      { VIGIL_DETECTION_INTERVAL_MS: '2000', VIGIL_INVESTIGATION_GROUP_WAIT_MS: '15000', CHANGES_WEBHOOK_TOKEN: SCENARIO_CHANGES_TOKEN },
      { clickhouse: true },
    );
  });
  afterAll(() => world?.stop());

  it('a bad deploy ends as one rollback awaiting approval, with the signal chart and BubbleUp and deployment evidence on its card', async () => {
    const { vigil, origin, browser } = world;
    const { sent } = await replayFault('bad-deploy', vigil);
    await committed(vigil, sent.spans, Date.now() + 2 * MINUTE);
    let pending: QueueItem[] = [];
    for (const deadline = Date.now() + QUEUE_TIMEOUT_MS; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 2_000))) {
      pending = (await vigil.request('GET', '/api/approvals?status=pending', { token: vigil.tokens.lee })).body.items as QueueItem[];
      if (pending.length > 0) break;
    }
    expect(pending.map((item) => item.action)).toEqual([expect.objectContaining({ kind: 'argocd.rollback', target: 'argocd:payment' })]);
    const [rollback] = pending;

    const page = await world.signedIn(vigil.tokens.lee);
    await page.goto(`${origin.url}/#/approvals/${rollback.id}`);
    const card = page.locator(`article.approval-card[data-approval-id="${rollback.id}"]`);
    await card.waitFor();
    await card.getByText('argocd.rollback').first().waitFor();
    const evidence = card.locator('section.evidence');
    await evidence.locator('.evidence-chart svg').first().waitFor({ timeout: 30_000 });
    const findings = evidence.locator('.finding-list > li');
    await findings.first().waitFor({ timeout: 30_000 });
    const kinds = await findings.locator('.badge').allTextContents();
    expect(kinds).toEqual(expect.arrayContaining(['bubbleup', 'deployment']));
    await findings.filter({ has: page.locator('.badge', { hasText: 'deployment' }) }).getByText(/payment deployment v1\.9\.0/).first().waitFor();
    await browser.screenshot(page, '21-fault-to-queue-rollback-card');
  });
});
