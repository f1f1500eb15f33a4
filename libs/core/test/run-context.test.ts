import { describe, expect, it } from 'vitest';
import { applyOverrides, parseRunArgs, usageOfAliases, UsageError } from '../src/run-context.ts';

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
    const o = parseRunArgs(
      ['--profile', 'paper', '--seed', '3', '--backend', 'cpu', '--set', 'lr=0.5', '--set', 'nested.depth=7', '--set', 'levels=[1]'],
      'demo',
      profiles,
      '/r',
    );
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
    expect(() => parseRunArgs(['--set', 'lrr=1'], 'd', profiles, '/r')).toThrow(
      /Unknown config key 'lrr'. Known keys: trainSize, lr, model, levels, nested.depth/,
    );
    expect(() => parseRunArgs(['--set', 'lr=fast'], 'd', profiles, '/r')).toThrow(/expects a number/);
    expect(() => parseRunArgs(['--set', 'lr'], 'd', profiles, '/r')).toThrow(/key=value/);
    expect(() => parseRunArgs(['--seed=-1'], 'd', profiles, '/r')).toThrow(/--seed must be an integer >= 0/);
    expect(() => parseRunArgs(['--backend', 'gpu'], 'd', profiles, '/r')).toThrow(/Unknown backend 'gpu'/);
  });

  it('keeps string values as strings', () => {
    expect(applyOverrides(profiles.quick, ['model=123']).config.model).toBe('123');
  });
});

describe('option aliases', () => {
  const withImage = {
    quick: { image: 'boats', size: 64 },
    paper: { image: 'boats', size: 512 },
  };
  const aliases = { image: { key: 'image', description: 'PNG or JPEG file', valueName: 'PATH' } };

  it('--name VALUE is --set key=VALUE: same config, recorded as an override', () => {
    const a = parseRunArgs(['--image', 'photos/a=1.png', '--seed', '2'], 'd', withImage, '/r', aliases);
    const b = parseRunArgs(['--set', 'image=photos/a=1.png', '--seed', '2'], 'd', withImage, '/r', aliases);
    if (a === 'help' || b === 'help') throw new Error('unexpected help');
    expect(a.config).toEqual({ image: 'photos/a=1.png', size: 64 });
    expect(a.config).toEqual(b.config);
    expect(a.overrides).toEqual(['image']);
    // an explicit --set comes after the alias and wins
    const c = parseRunArgs(['--image', 'x.png', '--set', 'image=y.png'], 'd', withImage, '/r', aliases);
    if (c === 'help') throw new Error('unexpected help');
    expect(c.config.image).toBe('y.png');
  });

  it('is unknown to experiments that do not declare it, and is listed in the help', () => {
    expect(() => parseRunArgs(['--image', 'x.png'], 'd', withImage, '/r')).toThrow(UsageError);
    expect(() => parseRunArgs(['--image'], 'd', withImage, '/r', aliases)).toThrow(/--image/);
    expect(usageOfAliases(aliases)).toContain('--image PATH');
    expect(usageOfAliases(aliases)).toContain('same as --set image=PATH');
    expect(usageOfAliases({})).toBe('');
    expect(() => parseRunArgs([], 'd', withImage, '/r', { seed: { key: 'size', description: '' } })).toThrow(/clashes/);
    expect(() => parseRunArgs(['--size', '3'], 'd', withImage, '/r', { size: { key: 'sise', description: '' } })).toThrow(
      /Unknown config key 'sise'/,
    );
  });
});
