import type { Rule, RuleResult } from '../finding.js';

const SETUID = 0o4000;
const SETGID = 0o2000;

export const setuidFile: Rule = {
  id: 'setuid-file',
  severity: 'info',
  summary: 'A file in the final filesystem has the setuid or setgid bit: a way for a process in the container to gain the file owner\'s rights.',
  fix: 'Remove the bits you do not need in the last layer that installs software: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`; run the container with `--security-opt no-new-privileges`.',
  check(ctx) {
    const out: RuleResult[] = [];
    for (const [path, node] of ctx.tree.walk()) {
      const e = node.entry;
      if (!e || e.type !== 'file' || (e.mode & (SETUID | SETGID)) === 0) continue;
      const bits = [(e.mode & SETUID) !== 0 ? 'setuid' : '', (e.mode & SETGID) !== 0 ? 'setgid' : ''].filter(Boolean).join('+');
      out.push({ message: `/${path} is ${bits} (mode ${e.mode.toString(8).padStart(4, '0')}, owner ${e.uid})`, location: { layer: node.layer, path: `/${path}` } });
    }
    return out;
  },
};
