import { RollingWindow } from './rolling-window';

/** 1.4826 · MAD estimates σ for Gaussian data. */
export const MAD_TO_SIGMA = 1.4826;

/**
 * A robust spread (σ units) of a window: 1.4826 · MAD, floored by the inter-quartile and 5–95% spreads (so a series
 * that is constant most of the time, where MAD = 0, still gets a sensible scale) and by a tiny fraction of the level.
 */
export function robustScale(window: RollingWindow): number {
  const mad = MAD_TO_SIGMA * window.mad();
  const iqr = (window.quantile(0.75) - window.quantile(0.25)) / 1.349;
  const wide = (window.quantile(0.95) - window.quantile(0.05)) / 3.29;
  return Math.max(mad, iqr, 0.1 * wide, 1e-6 * Math.abs(window.median()), 1e-9);
}
