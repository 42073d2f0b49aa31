import type { Location } from '../reference/location.js';
import { collectLayers } from './collect.js';
import { buildLayersReport, type LayersReport } from './layer-report.js';
import { openImage, withSource, type ImageRequest } from './open-image.js';

/** `ferry layers`: per layer sizes, file counts, bytes added and wasted, history line. */
export async function inspectLayers(input: string | Location, request: ImageRequest = {}): Promise<LayersReport> {
  return withSource(input, request, async (source) => {
    const image = await openImage(source, request);
    const layers = await collectLayers(source, image.manifest.layers, { signal: request.signal });
    return buildLayersReport(source.description, image.digest, image.platform, image.config, layers).report;
  });
}
