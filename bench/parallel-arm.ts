/**
 * Arm module for the parallel sweep measurement (runArmsParallel from @claimlab/core): each arm
 * trains one workload in its own process and counts the steps it completes inside a common
 * wall-clock window [startAt, endAt] (epoch ms), so arms running side by side are measured
 * over the same seconds and their rates add up to the aggregate throughput.
 */
import { performance } from 'node:perf_hooks';
import { tf } from '@claimlab/backend';
import { defineArm } from '@claimlab/core';
import { build, type WorkloadSpec } from './harness.ts';

export interface SweepArm {
  spec: WorkloadSpec;
  seed: number;
  warmupSteps: number;
  /** Epoch ms: start counting here (steps before it keep the core busy but are not counted). */
  startAt: number;
  /** Epoch ms: no step starts after this. */
  endAt: number;
}

export interface SweepArmResult {
  pid: number;
  steps: number;
  seconds: number;
  samplesPerS: number;
  /** ms between startAt and the first counted step (about one step when the arm was ready in time). */
  lateMs: number;
  /** CPU seconds per wall second of this process over the counted window. */
  cpuPerWall: number;
  leakedTensors: number;
}

export async function runArm(arm: SweepArm, onProgress: (status: string) => void): Promise<SweepArmResult> {
  const b = build(arm.spec, arm.seed);
  try {
    const step = () => b.step().dispose();
    for (let i = 0; i < arm.warmupSteps; i++) step();
    onProgress('warm');
    const before = tf.memory().numTensors;
    while (Date.now() < arm.startAt) step();
    const lateMs = Math.max(0, Date.now() - arm.startAt);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let steps = 0;
    let last: tf.Scalar | null = null;
    while (Date.now() < arm.endAt) {
      last?.dispose();
      last = b.step();
      steps++;
    }
    last?.dataSync();
    last?.dispose();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      cpuPerWall: (cpu.user + cpu.system) / 1e6 / seconds,
      pid: process.pid,
      steps,
      seconds,
      samplesPerS: (steps * arm.spec.batch) / seconds,
      lateMs,
      leakedTensors: tf.memory().numTensors - before,
    };
  } finally {
    b.dispose();
  }
}

/** The sweep's arm runner, imported by main.ts. */
export const sweepWorkload = defineArm(import.meta.url, runArm);
