import type { CorruptionSpec } from '@claimlab/datasets';
import type { PixelCondition, RethinkingConfig } from './config.ts';

/** One training run of the sweep: a condition (corruption) and a repeat. */
export interface Arm {
  condition: string;
  /** Label corruption probability; 0 for pixel conditions (they keep true labels). */
  labelCorruption: number;
  corruption: CorruptionSpec;
  repeat: number;
  seed: number;
  dataDir: string | null;
  config: RethinkingConfig;
}

export function conditionName(p: number): string {
  if (p === 0) return 'true-labels';
  if (p === 1) return 'random-labels';
  return `partial-labels-${p}`;
}

/** Every (condition, repeat) of the sweep, in a fixed order. */
export function armsOf(config: RethinkingConfig, seed: number, dataDir: string | undefined): Arm[] {
  const specs: { condition: string; p: number; corruption: CorruptionSpec }[] = [
    ...config.labelCorruption.map((p) => ({
      condition: conditionName(p),
      p,
      corruption: (p === 0 ? { kind: 'none' } : { kind: 'labels', p }) as CorruptionSpec,
    })),
    ...config.pixelConditions.map((k: PixelCondition) => ({ condition: k, p: 0, corruption: { kind: k } as CorruptionSpec })),
  ];
  const arms: Arm[] = [];
  for (let repeat = 0; repeat < config.repeats; repeat++) {
    for (const s of specs) {
      arms.push({ condition: s.condition, labelCorruption: s.p, corruption: s.corruption, repeat, seed, dataDir: dataDir ?? null, config });
    }
  }
  return arms;
}
