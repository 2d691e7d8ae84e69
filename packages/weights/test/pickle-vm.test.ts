// The safe pickle VM decodes what CPython's pickle writes at every protocol (0–5) and
// refuses what it must. The hex strings are `pickle.dumps(V, protocol=p)` from CPython 3
// for V = {'a': [1, -2, 2**70, -(2**40)], 'f': 1.5, 's': 'héllo\n', 'b': b'\x00\xff',
//          't': (True, False, None), 'set': {3}, 'big': 300, 'neg': -5, 'n': 65536}.
import { unpickle } from '../src/pickle/vm';
import { UnsafePickleError, WeightsFormatError } from '../src/index';

const fromHex = (h: string) => Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
const PICKLES: [number, string][] = [
  [
    0,
    '286470300a56610a70310a286c70320a49310a61492d320a614c313138303539313632303731373431313330333432344c0a614c2d313039393531313632373737364c0a617356660a70330a46312e350a7356730a70340a5668e96c6c6f5c75303030610a70350a7356620a70360a635f636f646563730a656e636f64650a70370a28565c7530303030ff0a70380a566c6174696e310a70390a747031300a527031310a7356740a7031320a284930310a4930300a4e747031330a73567365740a7031340a635f5f6275696c74696e5f5f0a7365740a7031350a28286c7031360a49330a61747031370a527031380a73566269670a7031390a493330300a73566e65670a7032300a492d350a73566e0a7032310a4936353533360a732e',
  ],
  [
    1,
    '7d71002858010000006171015d7102284b014afeffffff4c313138303539313632303731373431313330333432344c0a4c2d313039393531313632373737364c0a655801000000667103473ff80000000000005801000000737104580700000068c3a96c6c6f0a71055801000000627106635f636f646563730a656e636f64650a710728580300000000c3bf710858060000006c6174696e31710974710a52710b580100000074710c284930310a4930300a4e74710d5803000000736574710e635f5f6275696c74696e5f5f0a7365740a710f285d71104b0361747111527112580300000062696771134d2c0158030000006e656771144afbffffff58010000006e71154a00000100752e',
  ],
  [
    2,
    '80027d71002858010000006171015d7102284b014afeffffff8a090000000000000000408a060000000000ff655801000000667103473ff80000000000005801000000737104580700000068c3a96c6c6f0a71055801000000627106635f636f646563730a656e636f64650a7107580300000000c3bf710858060000006c6174696e31710986710a52710b580100000074710c88894e87710d5803000000736574710e635f5f6275696c74696e5f5f0a7365740a710f5d71104b0361857111527112580300000062696771134d2c0158030000006e656771144afbffffff58010000006e71154a00000100752e',
  ],
  [
    3,
    '80037d71002858010000006171015d7102284b014afeffffff8a090000000000000000408a060000000000ff655801000000667103473ff80000000000005801000000737104580700000068c3a96c6c6f0a71055801000000627106430200ff7107580100000074710888894e8771095803000000736574710a636275696c74696e730a7365740a710b5d710c4b036185710d52710e5803000000626967710f4d2c0158030000006e656771104afbffffff58010000006e71114a00000100752e',
  ],
  [
    4,
    '8004957d000000000000007d94288c0161945d94284b014afeffffff8a090000000000000000408a060000000000ff658c016694473ff80000000000008c0173948c0768c3a96c6c6f0a948c016294430200ff948c01749488894e87948c03736574948f94284b03908c03626967944d2c018c036e6567944afbffffff8c016e944a00000100752e',
  ],
  [
    5,
    '8005957d000000000000007d94288c0161945d94284b014afeffffff8a090000000000000000408a060000000000ff658c016694473ff80000000000008c0173948c0768c3a96c6c6f0a948c016294430200ff948c01749488894e87948c03736574948f94284b03908c03626967944d2c018c036e6567944afbffffff8c016e944a00000100752e',
  ],
];

describe('pickle VM', () => {
  it.each(PICKLES)('decodes protocol %d', (_proto, hex) => {
    const { value, end } = unpickle(fromHex(hex));
    expect(end).toBe(hex.length / 2);
    expect(value).toBeInstanceOf(Map);
    const m = value as Map<string, unknown>;
    expect(m.get('a')).toEqual([1, -2, 2n ** 70n, -(2 ** 40)]);
    expect(m.get('f')).toBe(1.5);
    expect(m.get('s')).toBe('héllo\n');
    expect(m.get('b')).toEqual(new Uint8Array([0, 255]));
    expect(m.get('t')).toEqual([true, false, null]);
    expect(m.get('set')).toEqual(new Set([3]));
    expect([m.get('big'), m.get('neg'), m.get('n')]).toEqual([300, -5, 65536]);
    expect([...m.keys()]).toEqual(['a', 'f', 's', 'b', 't', 'set', 'big', 'neg', 'n']);
  });

  const bytes = (...parts: (number[] | string)[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

  it('refuses a global that is not allowed, naming it, before calling anything', () => {
    const p = bytes([0x80, 2], 'cos\nsystem\n', [0x58, 2, 0, 0, 0], 'ls', [0x85, 0x52, 0x2e]);
    expect(() => unpickle(p)).toThrow(UnsafePickleError);
    expect(() => unpickle(p)).toThrow(/os\.system/);
  });

  it('refuses calling a type marker and extension codes', () => {
    expect(() => unpickle(bytes('ctorch\nFloatStorage\n)R.'))).toThrow(UnsafePickleError);
    expect(() => unpickle(bytes([0x82, 1, 0x2e]))).toThrow(UnsafePickleError);
  });

  it('reports stack underflow, missing STOP, unknown opcodes and bad lengths as WeightsFormatError', () => {
    for (const p of [bytes('0.'), bytes('}'), bytes([0xff]), bytes([0x58, 0xff, 0xff, 0xff, 0x7f, 0x61]), bytes('(t'), bytes('h\x05.')]) {
      expect(() => unpickle(p)).toThrow(WeightsFormatError);
    }
  });

  it('keeps "__proto__" and "constructor" as plain Map keys', () => {
    const { value } = unpickle(bytes([0x80, 2], '}(', [0x58, 9, 0, 0, 0], '__proto__', 'K', [1], [0x58, 11, 0, 0, 0], 'constructor', 'K', [2], 'u.'));
    expect(value).toEqual(
      new Map<string, number>([
        ['__proto__', 1],
        ['constructor', 2],
      ]),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
