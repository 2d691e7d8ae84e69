// The only Python globals a checkpoint may name, and what "calling" them means here.
// Everything else is refused when the pickle names it, before any argument is built.
import { UnsafePickleError, WeightsFormatError } from '../errors';
import { PyGlobal, type PyValue, type StorageRef, type TensorRef, isStorageRef, isTensorRef } from './values';

/** torch storage classes → safetensors dtypes. */
export const STORAGE_DTYPES: Record<string, string> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

const TORCH_DTYPES = new Set([
  'float32',
  'float',
  'float64',
  'double',
  'float16',
  'half',
  'bfloat16',
  'int64',
  'long',
  'int32',
  'int',
  'int16',
  'short',
  'int8',
  'uint8',
  'bool',
]);

type Callable = (args: PyValue[], where: string) => PyValue;

const CALLABLE: Record<string, Callable> = {
  'collections.OrderedDict': (args, where) => makeDict(args, where),
  'builtins.dict': (args, where) => makeDict(args, where),
  'builtins.set': (args) => new Set(iterable(args[0])),
  'builtins.frozenset': (args) => new Set(iterable(args[0])),
  'builtins.list': (args) => [...iterable(args[0])],
  'builtins.tuple': (args) => [...iterable(args[0])],
  'builtins.bytearray': (args, where) => toBytes(args, where),
  'builtins.bytes': (args, where) => toBytes(args, where),
  '_codecs.encode': (args, where) => toBytes(args, where),
  'torch.Size': (args) => [...iterable(args[0])],
  'torch.device': (args) => args.map(String).join(':'),
  'torch._utils._rebuild_tensor': (args, where) => rebuildTensor(args, where),
  'torch._utils._rebuild_tensor_v2': (args, where) => rebuildTensor(args, where),
  'torch._utils._rebuild_parameter': (args, where) => expectTensor(args[0], where),
  'torch._utils._rebuild_parameter_with_state': (args, where) => expectTensor(args[0], where),
  'torch._tensor._rebuild_from_type_v2': (args, where) => rebuildFromType(args, where),
};

/** Names that may appear as values (type markers, dtypes) but are never called. */
function isMarker(qualified: string): boolean {
  const [mod, name] = splitName(qualified);
  if (mod === 'torch' && (name in STORAGE_DTYPES || TORCH_DTYPES.has(name))) return true;
  return qualified === 'torch._tensor.Tensor' || qualified === 'torch.Tensor' || qualified === 'torch.nn.parameter.Parameter';
}

function splitName(q: string): [string, string] {
  const i = q.lastIndexOf('.');
  return [q.slice(0, i), q.slice(i + 1)];
}

/** Python 2 module names as protocol ≤ 2 pickles spell them. */
function normaliseModule(module: string): string {
  if (module === '__builtin__') return 'builtins';
  if (module === 'copy_reg') return 'copyreg';
  return module;
}

/** Resolves GLOBAL / STACK_GLOBAL / INST: allowed names only. */
export function lookupGlobal(module: string, name: string, where: string): PyGlobal {
  const g = new PyGlobal(normaliseModule(module), name);
  const q = g.qualifiedName;
  if (!Object.hasOwn(CALLABLE, q) && !isMarker(q)) {
    throw new UnsafePickleError(`refused global ${module}.${name}: only the globals of plain state_dicts are allowed`, where);
  }
  return g;
}

/** REDUCE / NEWOBJ / INST / OBJ on an allowed global. */
export function callGlobal(fn: PyValue, args: PyValue[], where: string): PyValue {
  if (!(fn instanceof PyGlobal)) throw new UnsafePickleError(`refused call of a ${describe(fn)} (only allowed globals can be called)`, where);
  const impl = Object.hasOwn(CALLABLE, fn.qualifiedName) ? CALLABLE[fn.qualifiedName] : undefined;
  if (!impl) throw new UnsafePickleError(`refused call of ${fn.qualifiedName}: it is a type marker, not a constructor this reader allows`, where);
  return impl(args, `${where} (${fn.qualifiedName})`);
}

export function describe(v: PyValue | undefined): string {
  if (v === null) return 'None';
  if (v === undefined) return 'missing value';
  if (Array.isArray(v)) return 'list/tuple';
  if (v instanceof Map) return 'dict';
  if (v instanceof Set) return 'set';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof PyGlobal) return `global ${v.qualifiedName}`;
  if (isTensorRef(v)) return 'tensor';
  if (isStorageRef(v)) return 'storage';
  return typeof v;
}

function iterable(v: PyValue | undefined): Iterable<PyValue> {
  if (v === undefined) return [];
  if (Array.isArray(v) || v instanceof Set) return v;
  if (v instanceof Map) return v.keys();
  throw new WeightsFormatError(`expected an iterable, got ${describe(v)}`);
}

function makeDict(args: PyValue[], where: string): Map<PyValue, PyValue> {
  const out = new Map<PyValue, PyValue>();
  const src = args[0];
  if (src === undefined || src === null) return out;
  if (src instanceof Map) return new Map(src);
  for (const pair of iterable(src)) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new WeightsFormatError(`dict item is ${describe(pair)}, expected a (key, value) pair`, where);
    out.set(pair[0]!, pair[1]!);
  }
  return out;
}

function toBytes(args: PyValue[], where: string): Uint8Array {
  const [src, encoding] = args;
  if (src === undefined) return new Uint8Array(0);
  if (src instanceof Uint8Array) return src.slice();
  if (typeof src === 'string') {
    if (encoding !== undefined && encoding !== 'latin1' && encoding !== 'latin-1')
      throw new WeightsFormatError(`unsupported text encoding ${String(encoding)}`, where);
    const out = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const c = src.charCodeAt(i);
      if (c > 255) throw new WeightsFormatError('latin-1 text holds a character above U+00FF', where);
      out[i] = c;
    }
    return out;
  }
  if (Array.isArray(src)) return Uint8Array.from(src.map((x) => Number(x)));
  throw new WeightsFormatError(`cannot make bytes from ${describe(src)}`, where);
}

function expectTensor(v: PyValue | undefined, where: string): TensorRef {
  if (!isTensorRef(v)) throw new WeightsFormatError(`expected a tensor, got ${describe(v)}`, where);
  return v;
}

/** Converts a pickled int to a safe non-negative JS number or fails. */
export function toIndex(v: PyValue | undefined, what: string, where: string): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw new WeightsFormatError(`${what} is ${String(v)}; expected a non-negative integer below 2^53`, where);
  return n;
}

function intTuple(v: PyValue | undefined, what: string, where: string): number[] {
  if (!Array.isArray(v)) throw new WeightsFormatError(`${what} is ${describe(v)}; expected a tuple of ints`, where);
  return v.map((x, i) => toIndex(x, `${what}[${i}]`, where));
}

/** _rebuild_tensor(_v2)(storage, storage_offset, size, stride, ...). */
function rebuildTensor(args: PyValue[], where: string): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!isStorageRef(storage)) throw new WeightsFormatError(`first argument is ${describe(storage)}; expected a storage`, where);
  const shape = intTuple(size, 'size', where);
  const strides = intTuple(stride, 'stride', where);
  if (shape.length !== strides.length)
    throw new WeightsFormatError(`size ${JSON.stringify(shape)} and stride ${JSON.stringify(strides)} differ in length`, where);
  return { kind: 'tensor', storage: storage as StorageRef, offset: toIndex(offset, 'storage_offset', where), shape, stride: strides };
}

/** torch._tensor._rebuild_from_type_v2(func, new_type, args, state): plain Tensor/Parameter only. */
function rebuildFromType(args: PyValue[], where: string): PyValue {
  const [func, newType, inner] = args;
  if (!(newType instanceof PyGlobal) || !isMarker(newType.qualifiedName) || newType.name in STORAGE_DTYPES) {
    throw new UnsafePickleError(`refused tensor subclass ${describe(newType)}`, where);
  }
  if (!Array.isArray(inner)) throw new WeightsFormatError(`args are ${describe(inner)}; expected a tuple`, where);
  return callGlobal(func!, inner, where);
}
