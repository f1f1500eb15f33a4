import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '@claimlab/core';

/**
 * Training checkpoints: a model's weights (trainable and not, e.g. batch-norm
 * statistics), its optimizer's slots and a JSON state, in one file written
 * atomically, so a run killed at any moment leaves either the previous
 * checkpoint or the new one.
 *
 * Layout: the magic line, a uint32 (little-endian) header length, the JSON
 * header, then every tensor's float32 values in header order.
 */
const MAGIC = 'claimlab-checkpoint-v1\n';

interface TensorEntry {
  shape: number[];
}

interface Header<S> {
  /** What run the checkpoint belongs to (e.g. the sweep arm and backend); a mismatch refuses to load. */
  identity: string;
  weights: TensorEntry[];
  slots: TensorEntry[];
  state: S;
}

/**
 * The optimizer's per-variable slots (momentum accumulators), in the order of
 * the variables it updates. tfjs's getWeights/setWeights are async; training
 * here is synchronous, so the slots are read and written through the same
 * field those methods use (tfjs 4.22 `accumulations`). The resume test checks
 * that a resumed run is identical to an uninterrupted one.
 */
type SlotOwner = { accumulations?: { originalName: string; variable: tf.Variable }[] };

function slotsOf(optimizer: tf.Optimizer): { originalName: string; variable: tf.Variable }[] {
  const owner = optimizer as unknown as SlotOwner;
  if (!Array.isArray(owner.accumulations)) {
    throw new Error(`checkpoints support optimizers with per-variable accumulators (momentum); ${optimizer.getClassName()} has none`);
  }
  return owner.accumulations;
}

/** Concatenates tensors' float32 values (in order) with their shapes: the payload of checkpoints and stored weights. */
export function packTensors(tensors: tf.Tensor[]): { shapes: number[][]; values: Float32Array } {
  const values = new Float32Array(tensors.reduce((s, t) => s + t.size, 0));
  let offset = 0;
  for (const t of tensors) {
    values.set(t.dataSync() as Float32Array, offset);
    offset += t.size;
  }
  return { shapes: tensors.map((t) => t.shape), values };
}

/** The tensors of packTensors' output (the caller disposes them). Throws if the sizes do not add up. */
export function unpackTensors(shapes: number[][], values: Float32Array): tf.Tensor[] {
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== values.length) throw new Error(`packed tensors: ${values.length} values for shapes that hold ${total}`);
  let offset = 0;
  return shapes.map((shape, i) => {
    const t = tf.tensor(values.subarray(offset, offset + sizes[i]), shape, 'float32');
    offset += sizes[i];
    return t;
  });
}

export function saveCheckpoint<S>(file: string, p: { identity: string; model: tf.LayersModel; optimizer: tf.Optimizer; state: S }): void {
  const weights = p.model.weights.map((w) => w.read());
  const slots = slotsOf(p.optimizer).map((s) => s.variable as tf.Tensor);
  const header: Header<S> = {
    identity: p.identity,
    weights: weights.map((t) => ({ shape: t.shape })),
    slots: slots.map((t) => ({ shape: t.shape })),
    state: p.state,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const { values: data } = packTensors([...weights, ...slots]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(headerBytes.length);
  writeFileAtomic(file, Buffer.concat([Buffer.from(MAGIC), len, headerBytes, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

/**
 * Restores a checkpoint into `model` and `optimizer` (whose slots are created
 * here) and returns its state. Refuses a file of another run or a model of
 * another shape, with the reason.
 */
export function loadCheckpoint<S>(file: string, p: { identity: string; model: tf.LayersModel; optimizer: tf.Optimizer }): S {
  const buf = readFileSync(file);
  const bad = (why: string) => new Error(`checkpoint ${file} ${why}; delete it (or run without --resume) to start this run afresh`);
  if (buf.length < MAGIC.length + 4 || buf.subarray(0, MAGIC.length).toString('utf8') !== MAGIC) throw bad('is not a claimlab checkpoint');
  const headerLength = buf.readUInt32LE(MAGIC.length);
  const dataStart = MAGIC.length + 4 + headerLength;
  if (dataStart > buf.length) throw bad('is truncated (header)');
  const header = JSON.parse(buf.subarray(MAGIC.length + 4, dataStart).toString('utf8')) as Header<S>;
  if (header.identity !== p.identity) throw bad('belongs to a different run (its config, seed or backend differ)');
  const modelWeights = p.model.weights;
  const shapesMatch =
    header.weights.length === modelWeights.length && header.weights.every((e, i) => e.shape.join('x') === modelWeights[i].shape.join('x'));
  if (!shapesMatch) throw bad('holds weights of a different model');
  const entries = [...header.weights, ...header.slots];
  const total = entries.reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0);
  if (buf.length - dataStart !== total * 4)
    throw bad(`is truncated (expected ${total * 4} bytes of values, found ${buf.length - dataStart})`);
  // Copy: the Buffer's offset need not be 4-byte aligned.
  const tensors = unpackTensors(
    entries.map((e) => e.shape),
    new Float32Array(new Uint8Array(buf.subarray(dataStart)).buffer),
  );
  const nWeights = header.weights.length;
  tensors.slice(0, nWeights).forEach((t, i) => modelWeights[i].write(t));
  const owner = p.optimizer as unknown as SlotOwner;
  for (const s of slotsOf(p.optimizer)) s.variable.dispose();
  owner.accumulations = tensors.slice(nWeights).map((t, i) => ({ originalName: `slot${i}/momentum`, variable: t.variable(false) }));
  tf.dispose(tensors);
  return header.state;
}

/**
 * Where and as what run a training loop checkpoints itself: the state after
 * every epoch is saved to `file`, and with `resume` a run continues from that
 * file when it exists. `identity` names the run (e.g. its config, seed and
 * backend): a checkpoint of another run is refused.
 */
export interface CheckpointOptions {
  file: string;
  identity: string;
  resume: boolean;
}

/** The checkpoint of an epoch loop (see epochCheckpointer). */
export interface EpochCheckpointer<S> {
  /** The state saved by an interrupted run (its weights and optimizer slots are already restored), or undefined to start afresh. */
  readonly resumed: S | undefined;
  /** Saves the model, the optimizer's slots and `state` after an epoch. */
  save(state: S): void;
  /** Training has ended: removes the file. */
  done(): void;
}

/**
 * The checkpoint of an epoch loop over `model` trained by `optimizer`: without
 * `resume` a stale file is removed; with it, an existing file is restored into
 * the model and the optimizer and its state returned as `resumed`. Without
 * options it does nothing (`resumed` undefined, save and done no-ops).
 * Call it where the optimizer is disposed on failure (a refused file throws).
 */
export function epochCheckpointer<S>(
  options: CheckpointOptions | undefined,
  target: { model: tf.LayersModel; optimizer: tf.Optimizer },
): EpochCheckpointer<S> {
  if (!options) return { resumed: undefined, save: () => {}, done: () => {} };
  const { file, identity } = options;
  let resumed: S | undefined;
  if (!options.resume) rmSync(file, { force: true });
  else if (existsSync(file)) resumed = loadCheckpoint<S>(file, { identity, ...target });
  return {
    resumed,
    save: (state) => saveCheckpoint<S>(file, { identity, ...target, state }),
    done: () => rmSync(file, { force: true }),
  };
}
