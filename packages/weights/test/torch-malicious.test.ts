// Every file in golden/torch/malicious is handled as its README says: refused with this
// package's typed error (naming the global where one is at fault), never executed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTorchCheckpoint, UnsafePickleError, WeightsFormatError } from '../src/index';
import { readShared, sharedPath } from '../../../test-support/shared';

const load = (name: string) => readTorchCheckpoint(readShared('golden', 'torch', 'malicious', name));

describe('malicious checkpoints', () => {
  const pwned = path.resolve('diffli2d-pwned');
  afterAll(() => expect(fs.existsSync(pwned)).toBe(false));

  it('covers every file in the folder', () => {
    const files = fs
      .readdirSync(sharedPath('golden', 'torch', 'malicious'))
      .filter((f) => f.endsWith('.pt'))
      .sort();
    expect(files).toEqual([
      'builtins_eval.pt',
      'huge_shape.pt',
      'inst_popen.pt',
      'legacy_reduce.pt',
      'os_system.pt',
      'proto_keys.pt',
      'stack_global_getattr.pt',
      'truncated_storage.pt',
    ]);
  });

  it.each([
    ['os_system.pt', /refused global posix\.system/],
    ['builtins_eval.pt', /refused global __builtin__\.eval/],
    ['stack_global_getattr.pt', /refused global builtins\.getattr/],
    ['inst_popen.pt', /refused global subprocess\.Popen/],
    ['legacy_reduce.pt', /refused global posix\.system/],
  ])('%s is refused, naming the global', (file, message) => {
    expect(() => load(file)).toThrow(UnsafePickleError);
    expect(() => load(file)).toThrow(message);
  });

  it('proto_keys.pt loads as data without touching any prototype', () => {
    const { tensors, metadata } = load('proto_keys.pt');
    expect(tensors.size).toBe(0);
    expect(Object.getPrototypeOf(metadata)).toBeNull();
    expect(Object.keys(metadata).sort()).toEqual(['__proto__.polluted', 'constructor.prototype.polluted', 'ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('huge_shape.pt ([10^12] over 4 elements) is refused before any allocation', () => {
    expect(() => load('huge_shape.pt')).toThrow(WeightsFormatError);
    expect(() => load('huge_shape.pt')).toThrow(/storage "0" holds 4 elements/);
  });

  it('truncated_storage.pt is refused', () => {
    expect(() => load('truncated_storage.pt')).toThrow(WeightsFormatError);
    expect(() => load('truncated_storage.pt')).toThrow(/holds 5 bytes; storage of 4 F32 elements needs 16/);
  });
});
