import type { Rule } from '../finding.js';
import { largeLayer } from './large-layer.js';
import { manyLayers } from './many-layers.js';
import { missingLabels } from './missing-labels.js';
import { packageCache } from './package-cache.js';
import { rootUser } from './root-user.js';
import { secretEnv } from './secret-env.js';
import { secretFile } from './secret-file.js';
import { setuidFile } from './setuid-file.js';
import { shellEntrypoint } from './shell-entrypoint.js';
import { wastedSpace } from './wasted-space.js';

/** Every rule `ferry lint` runs, in the order findings are reported within a severity. */
export const rules: readonly Rule[] = [secretFile, secretEnv, rootUser, shellEntrypoint, packageCache, wastedSpace, largeLayer, manyLayers, setuidFile, missingLabels];

export function ruleById(id: string): Rule | undefined {
  return rules.find((r) => r.id === id);
}
