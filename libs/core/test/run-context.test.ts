import { describe, expect, it } from 'vitest';
import { applyOverrides, parseRunArgs, UsageError } from '../src/run-context.ts';

const profiles = {
  quick: { trainSize: 100, lr: 0.1, model: 'mlp', levels: [0, 0.5], nested: { depth: 2 } },
  paper: { trainSize: 50000, lr: 0.1, model: 'inception', levels: [0, 0.5, 1], nested: { depth: 5 } },
};

describe('parseRunArgs', () => {
  it('defaults to the quick profile, seed 0 and results/<experiment>/<profile>', () => {
    const o = parseRunArgs([], 'demo', profiles, '/repo');
    if (o === 'help') throw new Error('unexpected help');
    expect(o.profile).toBe('quick');
    expect(o.seed).toBe(0);
    expect(o.config).toEqual(profiles.quick);
    expect(o.outDir).toBe('/repo/results/demo/quick');
  });

  it('applies profile, seed, backend and typed overrides without touching the profile object', () => {
    const o = parseRunArgs(['--profile', 'paper', '--seed', '3', '--backend', 'cpu', '--set', 'lr=0.5', '--set', 'nested.depth=7', '--set', 'levels=[1]'], 'demo', profiles, '/r');
    if (o === 'help') throw new Error('unexpected help');
    expect(o.config).toMatchObject({ lr: 0.5, nested: { depth: 7 }, levels: [1], model: 'inception' });
    expect(o.overrides).toEqual(['lr', 'nested.depth', 'levels']);
    expect(o.backend).toBe('cpu');
    expect(o.seed).toBe(3);
    expect(profiles.paper.lr).toBe(0.1);
  });

  it('rejects unknown profiles, options, keys, wrong types and bad seeds with clear messages', () => {
    expect(() => parseRunArgs(['--profile', 'huge'], 'd', profiles, '/r')).toThrow(/Unknown profile 'huge'. Use one of: quick, paper/);
    expect(() => parseRunArgs(['--epochs', '3'], 'd', profiles, '/r')).toThrow(UsageError);
    expect(() => parseRunArgs(['--set', 'lrr=1'], 'd', profiles, '/r')).toThrow(/Unknown config key 'lrr'. Known keys: trainSize, lr, model, levels, nested.depth/);
    expect(() => parseRunArgs(['--set', 'lr=fast'], 'd', profiles, '/r')).toThrow(/expects a number/);
    expect(() => parseRunArgs(['--set', 'lr'], 'd', profiles, '/r')).toThrow(/key=value/);
    expect(() => parseRunArgs(['--seed=-1'], 'd', profiles, '/r')).toThrow(/--seed must be an integer >= 0/);
    expect(() => parseRunArgs(['--backend', 'gpu'], 'd', profiles, '/r')).toThrow(/Unknown backend 'gpu'/);
  });

  it('keeps string values as strings', () => {
    expect(applyOverrides(profiles.quick, ['model=123']).config.model).toBe('123');
  });
});
