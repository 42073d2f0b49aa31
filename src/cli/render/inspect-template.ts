import { UsageError } from '../../errors.js';
import type { InspectLayer, InspectOutput } from '../../inspect/skopeo-json.js';
import { evaluate } from '../template/evaluate.js';
import { parseTemplate } from '../template/parser.js';
import { GoNil, GoStruct, GoTime } from '../template/values.js';

/** What skopeo (podman's report package) takes as "print JSON": json, {{json}}, {{ json. }}. */
export function isJsonFormat(format: string): boolean {
  return /^\s*(json|\{\{\s*json\.?\s*\}\})\s*$/.test(format);
}

/**
 * As skopeo: the escapes "\t" and "\n" typed on a command line become a tab and a
 * newline, and the output ends with a newline.
 */
export function normalizeFormat(format: string): string {
  const f = format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return f.endsWith('\n') ? f : `${f}\n`;
}

function slice<T>(v: T[] | null | undefined): T[] | GoNil {
  return v ?? new GoNil('slice');
}

function map(v: Record<string, string> | null | undefined): Record<string, string> | GoNil {
  return v ?? new GoNil('map');
}

function layer(l: InspectLayer): GoStruct {
  return new GoStruct('types.ImageInspectLayer', { MIMEType: l.MIMEType, Digest: l.Digest, Size: l.Size, Annotations: map(l.Annotations) });
}

/**
 * skopeo's inspect output as the Go struct its templates run on: the same field names,
 * typed nils (a nil Labels prints "map[]"), Created as a time.Time; ferry's artifact
 * fields (ArtifactType, Chart) are there when set.
 */
export function inspectTemplateData(out: InspectOutput): GoStruct {
  return new GoStruct('inspect.Output', {
    Name: out.Name ?? '',
    Tag: '',
    Digest: out.Digest,
    RepoTags: slice(out.RepoTags),
    Created: typeof out.Created === 'string' ? new GoTime(out.Created) : new GoNil('pointer'),
    DockerVersion: out.DockerVersion,
    Labels: map(out.Labels),
    Architecture: out.Architecture,
    Variant: out.Variant ?? '',
    Os: out.Os,
    Layers: slice(out.Layers),
    LayersData: out.LayersData ? out.LayersData.map(layer) : new GoNil('slice'),
    Env: slice(out.Env),
    ArtifactType: out.ArtifactType ?? '',
    Chart: out.Chart ? { ...out.Chart } : new GoNil('map'),
  });
}

/**
 * `inspect --format TEMPLATE`, parsed before anything is read (a bad template costs no
 * request); the function renders the text, ending with a newline.
 */
export function compileInspectTemplate(format: string): (out: InspectOutput) => string {
  if (/^table\s/.test(format)) {
    throw new UsageError('--format "table {{…}}" (a header row and tab-aligned columns) is not supported; use --format table for ferry\'s table, or a plain template');
  }
  const source = normalizeFormat(format);
  const nodes = parseTemplate(source);
  return (out) => evaluate(source, nodes, inspectTemplateData(out));
}
