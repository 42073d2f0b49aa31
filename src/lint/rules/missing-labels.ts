import type { Rule } from '../finding.js';

/** The OCI annotations that tie an image to its source (image-spec annotations.md). */
export const REQUIRED_LABELS = ['org.opencontainers.image.source', 'org.opencontainers.image.version', 'org.opencontainers.image.revision'];

export const missingLabels: Rule = {
  id: 'missing-labels',
  severity: 'info',
  summary: 'The image does not say where it comes from: one of the OCI labels org.opencontainers.image.source, .version or .revision is missing.',
  fix: 'Add them at build time: `LABEL org.opencontainers.image.source="https://github.com/org/repo"` and, from CI, `--label org.opencontainers.image.version=$VERSION --label org.opencontainers.image.revision=$GIT_SHA` (docker buildx and most CI actions can set them).',
  check(ctx) {
    const labels = (ctx.runConfig['Labels'] ?? {}) as Record<string, unknown>;
    const missing = REQUIRED_LABELS.filter((l) => typeof labels[l] !== 'string' || labels[l] === '');
    if (missing.length === 0) return [];
    return [{ message: `missing label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, location: { configKey: 'config.Labels' } }];
  },
};
