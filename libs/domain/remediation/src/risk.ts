/** Risk tiers, lowest first. Which actions fall in which tier, and who approves each tier, is configuration. */
export const RISK_TIERS = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type RiskTier = (typeof RISK_TIERS)[number];

export const isRiskTier = (value: unknown): value is RiskTier => RISK_TIERS.includes(value as RiskTier);

export const tierRank = (tier: RiskTier): number => RISK_TIERS.indexOf(tier);

/** True when `candidate` is a strictly higher tier than `reference`. */
export const isHigherTier = (candidate: RiskTier, reference: RiskTier): boolean => tierRank(candidate) > tierRank(reference);
