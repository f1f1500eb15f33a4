/**
 * Feature / label networks for IS and FID.
 *
 * Inception-v3 weights cannot be downloaded by this project; a user who has
 * them as a TensorFlow.js graph model (model.json plus weight shards, e.g.
 * from `tensorflowjs_converter` on the pytorch-fid / TF-GAN Inception) passes
 * its directory: `loadGraphModelFromDir` reads it from disk on any backend
 * (tfjs' file:// loader needs tfjs-node), and `runGraphModel` feeds images in
 * batches and returns the requested output nodes (pool3 features for FID,
 * softmax for IS). For MNIST the experiments use a classifier trained by the
 * project instead.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tf } from '@claimlab/backend';

interface ModelJson {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
}

/** Loads a tfjs graph model (model.json and its weight shards) from a local path. */
export async function loadGraphModelFromDir(modelJsonPath: string): Promise<tf.GraphModel> {
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as ModelJson;
  } catch (e) {
    throw new Error(
      `Cannot read a tfjs graph model at ${modelJsonPath}: ${(e as Error).message}. Pass the model.json written by tensorflowjs_converter (--output_format=tfjs_graph_model).`,
    );
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(
      `${modelJsonPath} is not a tfjs graph model: it needs modelTopology and weightsManifest (convert with tensorflowjs_converter --output_format=tfjs_graph_model).`,
    );
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) buffers.push(readFileSync(join(dirname(modelJsonPath), p)));
    specs.push(...group.weights);
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: specs,
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy ?? undefined,
      signature: json.signature as tf.io.ModelArtifacts['signature'],
      userDefinedMetadata: json.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
    }),
  );
}

export interface GraphModelRun {
  /** Input shape of one sample, e.g. [299, 299, 3]. Samples are row-major in `inputs`. */
  sampleShape: number[];
  /** Output node names to fetch, e.g. ['pool_3', 'softmax']. */
  outputs: string[];
  batchSize?: number;
}

/** Runs the graph model on n samples in batches; returns each output as a flat float64 array (n x width) and its width. */
export function runGraphModel(
  model: tf.GraphModel,
  inputs: Float32Array,
  n: number,
  o: GraphModelRun,
): { data: Float64Array; width: number }[] {
  const size = o.sampleShape.reduce((a, b) => a * b, 1);
  if (inputs.length !== n * size) throw new RangeError(`runGraphModel: got ${inputs.length} values, expected ${n} x ${size}`);
  const B = o.batchSize ?? 50;
  const out: { data: Float64Array; width: number }[] = [];
  for (let s = 0; s < n; s += B) {
    const m = Math.min(B, n - s);
    const results = tf.tidy(() => {
      const x = tf.tensor(inputs.subarray(s * size, (s + m) * size), [m, ...o.sampleShape]);
      const r = model.execute(x, o.outputs);
      return (Array.isArray(r) ? r : [r]).map((t) => t.reshape([m, -1]));
    });
    results.forEach((t, k) => {
      const width = t.shape[1] as number;
      if (!out[k]) out[k] = { data: new Float64Array(n * width), width };
      out[k].data.set(t.dataSync(), s * width);
      t.dispose();
    });
  }
  return out;
}
