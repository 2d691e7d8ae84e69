// What the safe pickle VM produces. Python dicts become Maps (so keys like "__proto__"
// are plain data), lists and tuples become arrays, ints become numbers (bigint when
// beyond 2^53), bytes become Uint8Array. Nothing is ever called or imported.

/** A reference to an allowed Python global; only the VM's own handlers give it behaviour. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A torch storage named by a checkpoint's persistent id; bytes are fetched later. */
export interface StorageRef {
  readonly kind: 'storage';
  /** safetensors dtype of the storage elements. */
  dtype: string;
  /** Key of the bytes: zip entry `data/<key>` or the legacy storage key. */
  key: string;
  /** Storage size in elements. */
  numel: number;
  /** Legacy view storages: element offset into the root storage `key`. */
  viewOffset: number;
}

/** A tensor as torch's `_rebuild_tensor_v2` describes it: a strided view of a storage. */
export interface TensorRef {
  readonly kind: 'tensor';
  storage: StorageRef;
  /** In elements, relative to the storage. */
  offset: number;
  shape: number[];
  stride: number[];
}

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | Map<PyValue, PyValue>
  | Set<PyValue>
  | PyGlobal
  | StorageRef
  | TensorRef;

export function isTensorRef(v: unknown): v is TensorRef {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'tensor' && !(v instanceof Map);
}

export function isStorageRef(v: unknown): v is StorageRef {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'storage' && !(v instanceof Map);
}
