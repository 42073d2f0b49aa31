import type { Rule, RuleResult } from '../finding.js';

export const wastedSpace: Rule = {
  id: 'wasted-space',
  severity: 'warning',
  summary: 'Later layers overwrite or delete files that earlier layers added; those bytes are still downloaded and stored with every pull.',
  fix: 'Remove temporary files in the same RUN that creates them (`RUN curl -o /tmp/x.tgz … && tar xf /tmp/x.tgz && rm /tmp/x.tgz`), avoid `chown -R`/`chmod -R` in a later layer (use `COPY --chown`), and copy build outputs from a multi-stage build instead of deleting build tools afterwards.',
  check(ctx) {
    const { wastedBytes, addedBytes } = ctx.report.total;
    const t = ctx.thresholds;
    const triggered = wastedBytes >= t.wastedBytes || (wastedBytes >= t.wastedMinBytes && addedBytes > 0 && wastedBytes / addedBytes >= t.wastedRatio);
    if (!triggered) return [];
    const out: RuleResult[] = [];
    const share = addedBytes > 0 ? ` (${((wastedBytes / addedBytes) * 100).toFixed(1)} % of ${addedBytes})` : '';
    ctx.tree.wasted.forEach((bytes, layer) => {
      if (bytes === 0) return;
      const largest = ctx.tree.largestWaste[layer];
      const location = { layer, ...(largest ? { path: `/${largest.path}` } : {}) };
      out.push({
        message: `layer ${layer} adds ${bytes} bytes that later layers overwrite or delete${largest ? ` (largest: /${largest.path}, ${largest.size} bytes)` : ''}; image total ${wastedBytes} bytes wasted${share}`,
        location,
      });
    });
    return out;
  },
};
