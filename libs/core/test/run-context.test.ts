import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    expect(() => parseRunArgs(['--profile', 'huge'], 'd', profiles, '/r')).toThrow(
      /Unknown profile 'huge'. Use one of: quick, extended, paper/,
    );
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

describe('list values and --config files', () => {
  const withLists = {
    quick: {
      conditions: ['gaussian', 'shuffled-pixels'],
      xis: [0.1, 0.2],
      flags: [true],
      models: [{ kind: 'mlp', width: 8 }],
      nested: { depth: 2, names: ['a'] },
      lr: 0.1,
    },
    paper: {
      conditions: ['gaussian'],
      xis: [0.1],
      flags: [true],
      models: [{ kind: 'mlp', width: 8 }],
      nested: { depth: 2, names: ['a'] },
      lr: 0.1,
    },
  };
  const configOf = (argv: string[]) => {
    const o = parseRunArgs(argv, 'd', withLists, '/r');
    if (o === 'help') throw new Error('unexpected help');
    return o;
  };

  it('takes a comma-separated list of strings or numbers, the bracketed form nx leaves of a JSON list, and JSON', () => {
    expect(configOf(['--set', 'conditions=gaussian,shuffled-pixels']).config.conditions).toEqual(['gaussian', 'shuffled-pixels']);
    expect(configOf(['--set', 'conditions=gaussian']).config.conditions).toEqual(['gaussian']);
    // what nx passes for --set 'conditions=["gaussian"]': it re-joins the arguments into a shell string and the quotes are lost
    expect(configOf(['--set', 'conditions=[gaussian]']).config.conditions).toEqual(['gaussian']);
    expect(configOf(['--set', 'conditions=["gaussian"]']).config.conditions).toEqual(['gaussian']);
    expect(configOf(['--set', 'xis=0.1,0.2,1e-3']).config.xis).toEqual([0.1, 0.2, 0.001]);
    expect(configOf(['--set', 'xis=0.5']).config.xis).toEqual([0.5]);
    expect(configOf(['--set', 'xis=[0.3, 0.4]']).config.xis).toEqual([0.3, 0.4]);
    expect(configOf(['--set', 'flags=false,true']).config.flags).toEqual([false, true]);
    expect(configOf(['--set', 'nested.names=b,c']).config.nested).toEqual({ depth: 2, names: ['b', 'c'] });
    expect(configOf(['--set', 'models=[{"kind":"cnn","width":4}]']).config.models).toEqual([{ kind: 'cnn', width: 4 }]);
  });

  it('names the accepted forms for a malformed list, and says a list of objects takes JSON or --config only', () => {
    expect(() => configOf(['--set', 'xis=0.1,abc'])).toThrow(/'abc', which is not a number. A list is given as a comma-separated list/);
    expect(() => configOf(['--set', 'xis=0.1,,0.2'])).toThrow(/empty item.*--config FILE.json/);
    expect(() => configOf(['--set', 'conditions=[gaussian'])).toThrow(/unbalanced brackets/);
    expect(() => configOf(['--set', 'flags=yes'])).toThrow(/not true or false/);
    expect(() => configOf(['--set', 'models=[{kind:cnn}]'])).toThrow(
      /a list of objects can only be given as JSON: --set 'models=\[\.\.\.\]' from a shell that keeps the quotes, or in a JSON file with --config FILE.json/,
    );
  });

  it('--config FILE.json applies an object of overrides (nested or dotted keys) before --set, recorded as overrides', () => {
    const dir = mkdtempSync(join(tmpdir(), 'claimlab-config-'));
    const file = join(dir, 'tiny.json');
    writeFileSync(file, JSON.stringify({ lr: 0.5, models: [{ kind: 'cnn', width: 2 }], nested: { names: ['x', 'y'] }, 'nested.depth': 4 }));
    const o = configOf(['--config', file]);
    expect(o.config).toMatchObject({ lr: 0.5, models: [{ kind: 'cnn', width: 2 }], nested: { depth: 4, names: ['x', 'y'] } });
    expect(o.overrides).toEqual(['lr', 'models', 'nested.names', 'nested.depth']);
    // --set comes after the file and wins
    const p = configOf(['--set', 'lr=0.01', '--config', file]);
    expect(p.config.lr).toBe(0.01);
    expect(p.config.models).toEqual([{ kind: 'cnn', width: 2 }]);
    expect(p.overrides).toEqual(['lr', 'models', 'nested.names', 'nested.depth']);

    writeFileSync(file, JSON.stringify({ lr: '0.5' }));
    expect(() => configOf(['--config', file])).toThrow(/config key 'lr' expects a number, got "0.5"/);
    writeFileSync(file, JSON.stringify({ lrr: 1 }));
    expect(() => configOf(['--config', file])).toThrow(/Unknown config key 'lrr' in --config .*tiny.json. Known keys:/);
    writeFileSync(file, '[1, 2]');
    expect(() => configOf(['--config', file])).toThrow(/must hold a JSON object of config overrides/);
    writeFileSync(file, '{lr: 1}');
    expect(() => configOf(['--config', file])).toThrow(/is not valid JSON/);
    expect(() => configOf(['--config', join(dir, 'missing.json')])).toThrow(/cannot read it \(ENOENT\)/);
  });
});

describe('--verbose', () => {
  it('is off by default, on with --verbose or CLAIMLAB_VERBOSE=1', () => {
    const verboseOf = (argv: string[]) => {
      const o = parseRunArgs(argv, 'd', profiles, '/r');
      if (o === 'help') throw new Error('unexpected help');
      return o.verbose;
    };
    const saved = process.env.CLAIMLAB_VERBOSE;
    try {
      delete process.env.CLAIMLAB_VERBOSE;
      expect(verboseOf([])).toBe(false);
      expect(verboseOf(['--verbose'])).toBe(true);
      process.env.CLAIMLAB_VERBOSE = '1';
      expect(verboseOf([])).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.CLAIMLAB_VERBOSE;
      else process.env.CLAIMLAB_VERBOSE = saved;
    }
  });
});
