/** Whether an anomaly is under a silence or maintenance window right now: its pages and notices are not sent. */
export interface Suppressions {
  silenceFor(anomalyId: string, now: string): Promise<{ readonly silenceId: string; readonly comment: string } | undefined>;
}

export const noSuppressions: Suppressions = { silenceFor: async () => undefined };
