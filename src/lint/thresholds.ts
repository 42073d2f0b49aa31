import type { Thresholds } from './finding.js';

/**
 * Defaults chosen from what the tools people use already flag: dive's CI mode fails at
 * 20 MB or 10 % wasted; overlay filesystems stop at 127 layers, and images past a few
 * dozen layers usually come from one RUN per command.
 */
export const defaultThresholds: Thresholds = {
  wastedBytes: 20 * 1000 * 1000,
  wastedRatio: 0.1,
  wastedMinBytes: 1000 * 1000,
  maxLayers: 40,
  largeLayerBytes: 500 * 1000 * 1000,
};
