import type { Rule } from '../finding.js';

export const manyLayers: Rule = {
  id: 'many-layers',
  severity: 'warning',
  summary: 'The image has more layers than the threshold (default 40): every layer costs a request and a mount, and overlay filesystems stop at 127.',
  fix: 'Chain related commands into one RUN (`RUN a && b && c`), copy whole folders with one COPY, or build in a multi-stage Dockerfile and copy the result into a small final stage.',
  check(ctx) {
    const n = ctx.layers.length;
    if (n <= ctx.thresholds.maxLayers) return [];
    return [{ message: `${n} layers, more than ${ctx.thresholds.maxLayers}`, location: { configKey: 'rootfs.diff_ids' } }];
  },
};
