import type { Rule, RuleResult } from '../finding.js';

export const largeLayer: Rule = {
  id: 'large-layer',
  severity: 'warning',
  summary: 'A layer is larger (compressed) than the threshold (default 500 MB): slow pulls, and any change to it re-sends all of it.',
  fix: 'Split rarely-changing dependencies from often-changing code into separate layers, drop build tools with a multi-stage build, and keep data sets and models out of the image (mount or download them at run time).',
  check(ctx) {
    const out: RuleResult[] = [];
    for (const layer of ctx.layers) {
      if (layer.descriptor.size > ctx.thresholds.largeLayerBytes) {
        out.push({ message: `layer ${layer.index} is ${layer.descriptor.size} bytes compressed (${layer.uncompressedSize} uncompressed), over ${ctx.thresholds.largeLayerBytes}`, location: { layer: layer.index } });
      }
    }
    return out;
  },
};
