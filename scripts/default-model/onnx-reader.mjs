// The few parts of an ONNX file a plain convolutional network needs: its nodes (op, inputs,
// outputs, attributes) and float initializers. Decoded straight from protobuf's wire format
// (field numbers from onnx.proto), so that converting a depth network needs no Python.

/** Decodes one protobuf message into { field: [values] }; length-delimited values stay bytes. */
function fields(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = {};
  let pos = 0;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length) throw new Error('onnx: truncated varint');
      const b = bytes[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (pos < bytes.length) {
    const key = Number(varint());
    const [field, wire] = [key >>> 3, key & 7];
    let value;
    if (wire === 0) value = varint();
    else if (wire === 1) {
      value = view.getFloat64(pos, true);
      pos += 8;
    } else if (wire === 2) {
      const n = Number(varint());
      if (pos + n > bytes.length) throw new Error(`onnx: field ${field} runs past the end of its message`);
      value = bytes.subarray(pos, pos + n);
      pos += n;
    } else if (wire === 5) {
      value = view.getFloat32(pos, true);
      pos += 4;
    } else throw new Error(`onnx: unsupported wire type ${wire} (field ${field})`);
    (out[field] ??= []).push(value);
  }
  return out;
}

const text = (b) => new TextDecoder().decode(b);

/** Reads a packed run of varints. */
function packedVarints(bytes) {
  const out = [];
  let pos = 0;
  while (pos < bytes.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = bytes[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7n;
    }
    out.push(Number(result));
  }
  return out;
}

/** A repeated int64 field, packed (bytes) or not (varints). */
function int64s(values = []) {
  return values.flatMap((v) => (typeof v === 'bigint' ? [Number(v)] : packedVarints(v)));
}

function floats(values = []) {
  return values.flatMap((v) => (typeof v === 'number' ? [v] : Array.from(new Float32Array(v.slice().buffer))));
}

const FLOAT = 1;

function tensor(bytes) {
  const f = fields(bytes);
  const dims = int64s(f[1]);
  const type = Number(f[2]?.[0] ?? 0);
  const name = text(f[8]?.[0] ?? new Uint8Array());
  // Other types (e.g. batch norm's int64 step counters) are kept without data: an error if used.
  if (type !== FLOAT) return { name, dims, type, data: null };
  const count = dims.reduce((a, b) => a * b, 1);
  const data = f[9] ? new Float32Array(f[9][0].slice().buffer) : Float32Array.from(floats(f[4]));
  if (data.length !== count) throw new Error(`onnx: initializer ${name} has ${data.length} values for shape [${dims}]`);
  return { name, dims, type, data };
}

function attribute(bytes) {
  const f = fields(bytes);
  const name = text(f[1][0]);
  if (f[8]) return [name, int64s(f[8])];
  if (f[7]) return [name, floats(f[7])];
  if (f[3]) return [name, Number(f[3][0])];
  if (f[2]) return [name, f[2][0]];
  if (f[4]) return [name, text(f[4][0])];
  return [name, null];
}

function node(bytes) {
  const f = fields(bytes);
  return {
    op: text(f[4][0]),
    inputs: (f[1] ?? []).map(text),
    outputs: (f[2] ?? []).map(text),
    attrs: Object.fromEntries((f[5] ?? []).map(attribute)),
  };
}

/** { nodes, initializers: Map(name → {dims, type, data: Float32Array | null}), inputs, outputs } of an ONNX model file's bytes. */
export function readOnnx(bytes) {
  const model = fields(bytes);
  if (!model[7]) throw new Error('onnx: no graph in this file (is it an ONNX model?)');
  const graph = fields(model[7][0]);
  const initializers = new Map((graph[5] ?? []).map(tensor).map((t) => [t.name, t]));
  const valueName = (b) => text(fields(b)[1][0]);
  return {
    nodes: (graph[1] ?? []).map(node),
    initializers,
    inputs: (graph[11] ?? []).map(valueName).filter((n) => !initializers.has(n)),
    outputs: (graph[12] ?? []).map(valueName),
  };
}
