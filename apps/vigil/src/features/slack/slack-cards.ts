import { Pool } from 'pg';

export interface SlackCard {
  readonly approvalId: string;
  readonly channel: string | null;
  readonly ts: string | null;
}

/** Where each approval's card lives (`slack_cards`); claimed before posting so two notices post one card. */
export class SlackCards {
  constructor(private readonly pool: Pool) {}

  async get(approvalId: string): Promise<SlackCard | undefined> {
    const { rows } = await this.pool.query<{ approval_id: string; channel: string | null; ts: string | null }>(`SELECT approval_id, channel, ts FROM slack_cards WHERE approval_id = $1`, [approvalId]);
    return rows[0] ? { approvalId: rows[0].approval_id, channel: rows[0].channel, ts: rows[0].ts } : undefined;
  }

  /**
   * Whether this caller may post the card: nobody has, and nobody is (a claim older than `staleMs` is taken over).
   * `takenOver` says an earlier claimant gave up silently (it may have died after Slack accepted its post).
   */
  async claim(approvalId: string, now: string, staleMs = 60_000): Promise<{ readonly takenOver: boolean } | undefined> {
    const { rows } = await this.pool.query<{ inserted: boolean }>(
      `INSERT INTO slack_cards (approval_id, claimed_at) VALUES ($1, $2)
       ON CONFLICT (approval_id) DO UPDATE SET claimed_at = excluded.claimed_at
       WHERE slack_cards.ts IS NULL AND slack_cards.claimed_at < $2::timestamptz - make_interval(secs => $3)
       RETURNING (xmax = 0) AS inserted`,
      [approvalId, now, staleMs / 1000],
    );
    return rows[0] ? { takenOver: !rows[0].inserted } : undefined;
  }

  async posted(approvalId: string, channel: string, ts: string, now: string): Promise<void> {
    await this.pool.query(`UPDATE slack_cards SET channel = $2, ts = $3, posted_at = $4 WHERE approval_id = $1`, [approvalId, channel, ts, now]);
  }

  /**
   * Gives a claim back after a failed post, so the retry may claim again at once (as a take-over: the failed post
   * may have reached Slack). An update, not a delete: the app role may not delete from slack_cards.
   */
  async release(approvalId: string): Promise<void> {
    await this.pool.query(`UPDATE slack_cards SET claimed_at = '-infinity' WHERE approval_id = $1 AND ts IS NULL`, [approvalId]);
  }
}
