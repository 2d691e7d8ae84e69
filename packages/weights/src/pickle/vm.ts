// A pickle virtual machine for protocols 0–5 that builds plain data only. Globals go
// through the allowlist in ./globals; extension codes, out-of-band buffers and calls on
// anything but allowed globals are refused. Input length bounds every allocation.
import { UnsafePickleError } from '../errors';
import { ByteCursor, decodeLong, narrowInt } from './bytes';
import { callGlobal, describe, lookupGlobal } from './globals';
import type { PyValue } from './values';

/** Resolves a persistent id (torch: storages) to a value; absent → PERSID is refused. */
export type PersistentLoad = (pid: PyValue, where: string) => PyValue;

const MARK = Symbol('mark');
/** No checkpoint needs integers this long; the cap keeps bigint parsing cheap. */
const MAX_LONG_BYTES = 4096;
type Slot = PyValue | typeof MARK;

export interface UnpickleResult {
  value: PyValue;
  /** Offset just after STOP (legacy torch files hold several pickles back to back). */
  end: number;
}

export function unpickle(bytes: Uint8Array, start = 0, persistentLoad?: PersistentLoad, where = 'pickle'): UnpickleResult {
  const c = new ByteCursor(bytes, start, where);
  const stack: Slot[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let opAt = start;

  const here = () => `${where} offset ${opAt}`;
  const fail = (msg: string): never => c.fail(msg, opAt);
  const pop = (): PyValue => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]! + 1)) fail('stack underflow');
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]! + 1)) fail('stack underflow');
    return stack[stack.length - 1] as PyValue;
  };
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) fail('no MARK on the stack');
    const items = stack.splice(m! + 1) as PyValue[];
    stack.pop(); // the MARK itself
    return items;
  };
  const push = (v: PyValue) => stack.push(v);
  const memoGet = (i: number): PyValue => {
    if (!memo.has(i)) fail(`memo entry ${i} was never stored`);
    return memo.get(i)!;
  };
  const setItems = (d: PyValue, items: PyValue[]) => {
    if (!(d instanceof Map)) fail(`SETITEM(S) on a ${describe(d)}; expected a dict`);
    if (items.length % 2) fail('SETITEMS needs key/value pairs');
    for (let i = 0; i < items.length; i += 2) (d as Map<PyValue, PyValue>).set(items[i]!, items[i + 1]!);
  };
  const appendItems = (l: PyValue, items: PyValue[]) => {
    if (l instanceof Set) for (const x of items) l.add(x);
    else if (Array.isArray(l))
      for (const x of items) l.push(x); // no spread: lists may be huge
    else fail(`APPEND(S) on a ${describe(l)}; expected a list`);
  };
  const call = (fn: PyValue, args: PyValue) => {
    if (!Array.isArray(args)) fail(`call arguments are a ${describe(args)}; expected a tuple`);
    return callGlobal(fn, args as PyValue[], here());
  };
  const persistent = (pid: PyValue) => {
    if (!persistentLoad) throw new UnsafePickleError('persistent id without a storage context', here());
    return persistentLoad(pid, here());
  };

  for (;;) {
    opAt = c.pos;
    const op = c.byte();
    switch (op) {
      case 0x80: {
        // PROTO
        const p = c.byte();
        if (p > 5) fail(`unsupported pickle protocol ${p}`);
        break;
      }
      case 0x95:
        c.take(8);
        break; // FRAME: framing is only a read-ahead hint
      case 0x2e: {
        // STOP
        if (stack.length !== 1 || marks.length) fail(`STOP with ${stack.length} values on the stack; expected exactly 1`);
        return { value: stack[0] as PyValue, end: c.pos };
      }
      case 0x28:
        marks.push(stack.length);
        stack.push(MARK);
        break; // MARK
      case 0x30:
        pop();
        break; // POP
      case 0x31:
        popMark();
        break; // POP_MARK
      case 0x32:
        push(top());
        break; // DUP
      case 0x4e:
        push(null);
        break; // NONE
      case 0x88:
        push(true);
        break; // NEWTRUE
      case 0x89:
        push(false);
        break; // NEWFALSE
      case 0x49: {
        // INT (text); "00"/"01" are protocol 0 booleans
        const s = c.line();
        if (s === '00') push(false);
        else if (s === '01') push(true);
        else push(parseIntText(s, fail));
        break;
      }
      case 0x4a:
        push(c.int32());
        break; // BININT
      case 0x4b:
        push(c.byte());
        break; // BININT1
      case 0x4d:
        push(c.uint(2));
        break; // BININT2
      case 0x4c:
        push(parseIntText(c.line().replace(/L$/, ''), fail));
        break; // LONG (text)
      case 0x8a:
        push(decodeLong(c.take(c.byte())));
        break; // LONG1
      case 0x8b: {
        // LONG4
        const n = c.int32();
        if (n < 0 || n > MAX_LONG_BYTES) fail(`LONG4 of ${n} bytes; at most ${MAX_LONG_BYTES} are accepted`);
        push(decodeLong(c.take(n)));
        break;
      }
      case 0x46: {
        // FLOAT (text)
        const s = c.line();
        const v = Number(s);
        if (Number.isNaN(v) && !/^[-+]?nan$/i.test(s.trim())) fail(`bad FLOAT ${JSON.stringify(s)}`);
        push(v);
        break;
      }
      case 0x47:
        push(c.float64be());
        break; // BINFLOAT
      case 0x53:
        push(parseQuotedString(c.line(), fail));
        break; // STRING (protocol 0, repr)
      case 0x54: {
        // BINSTRING
        const n = c.int32();
        if (n < 0) fail('negative BINSTRING length');
        push(c.latin1(n));
        break;
      }
      case 0x55:
        push(c.latin1(c.byte()));
        break; // SHORT_BINSTRING
      case 0x56:
        push(decodeRawUnicodeEscape(c.line(), fail));
        break; // UNICODE (raw-unicode-escape)
      case 0x58:
        push(c.utf8(c.uint(4)));
        break; // BINUNICODE
      case 0x8c:
        push(c.utf8(c.byte()));
        break; // SHORT_BINUNICODE
      case 0x8d:
        push(c.utf8(c.uint(8)));
        break; // BINUNICODE8
      case 0x42:
        push(c.take(c.uint(4)).slice());
        break; // BINBYTES
      case 0x43:
        push(c.take(c.byte()).slice());
        break; // SHORT_BINBYTES
      case 0x8e:
        push(c.take(c.uint(8)).slice());
        break; // BINBYTES8
      case 0x96:
        push(c.take(c.uint(8)).slice());
        break; // BYTEARRAY8
      case 0x97:
      case 0x98: // NEXT_BUFFER, READONLY_BUFFER
        throw new UnsafePickleError('out-of-band buffers are not supported', here());
      case 0x29:
        push([]);
        break; // EMPTY_TUPLE
      case 0x74:
        push(popMark());
        break; // TUPLE
      case 0x85:
        push([pop()]);
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        push([a, b]);
        break;
      } // TUPLE2
      case 0x87: {
        const z = pop();
        const b = pop();
        const a = pop();
        push([a, b, z]);
        break;
      } // TUPLE3
      case 0x5d:
        push([]);
        break; // EMPTY_LIST
      case 0x6c:
        push(popMark());
        break; // LIST
      case 0x61: {
        const v = pop();
        appendItems(top(), [v]);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        appendItems(top(), items);
        break;
      } // APPENDS
      case 0x7d:
        push(new Map());
        break; // EMPTY_DICT
      case 0x64: {
        const d = new Map<PyValue, PyValue>();
        setItems(d, popMark());
        push(d);
        break;
      } // DICT
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      case 0x8f:
        push(new Set());
        break; // EMPTY_SET
      case 0x90: {
        const items = popMark();
        appendItems(top(), items);
        break;
      } // ADDITEMS
      case 0x91:
        push(new Set(popMark()));
        break; // FROZENSET
      case 0x70:
        memo.set(parseIndex(c.line(), fail), top());
        break; // PUT
      case 0x71:
        memo.set(c.byte(), top());
        break; // BINPUT
      case 0x72:
        memo.set(c.uint(4), top());
        break; // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x67:
        push(memoGet(parseIndex(c.line(), fail)));
        break; // GET
      case 0x68:
        push(memoGet(c.byte()));
        break; // BINGET
      case 0x6a:
        push(memoGet(c.uint(4)));
        break; // LONG_BINGET
      case 0x63: {
        // GLOBAL
        const module = c.line();
        const name = c.line();
        push(lookupGlobal(module, name, here()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        push(lookupGlobal(module as string, name as string, here()));
        break;
      }
      case 0x69: {
        // INST module\nname\n: class called with the marked items
        const module = c.line();
        const name = c.line();
        const cls = lookupGlobal(module, name, here());
        push(call(cls, popMark()));
        break;
      }
      case 0x6f: {
        // OBJ: class and args after the mark
        const items = popMark();
        if (items.length === 0) fail('OBJ without a class');
        push(call(items[0]!, items.slice(1)));
        break;
      }
      case 0x52: {
        const args = pop();
        const fn = pop();
        push(call(fn, args));
        break;
      } // REDUCE
      case 0x81: {
        const args = pop();
        const cls = pop();
        push(call(cls, args));
        break;
      } // NEWOBJ
      case 0x92: {
        // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!(kwargs instanceof Map) || kwargs.size) fail('NEWOBJ_EX with keyword arguments is not supported');
        push(call(cls, args));
        break;
      }
      case 0x62: {
        // BUILD: object state (e.g. a state_dict's _metadata) is not data we return
        pop();
        top();
        break;
      }
      case 0x50:
        push(persistent(c.line()));
        break; // PERSID
      case 0x51:
        push(persistent(pop()));
        break; // BINPERSID
      case 0x82:
      case 0x83:
      case 0x84: // EXT1/2/4
        throw new UnsafePickleError('extension-registry globals (EXT opcodes) are refused', here());
      default:
        fail(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

function parseIntText(s: string, fail: (m: string) => never): number | bigint {
  if (s.length > 2 * MAX_LONG_BYTES || !/^[-+]?\d+$/.test(s.trim())) fail(`bad integer ${JSON.stringify(s)}`);
  return narrowInt(BigInt(s.trim()));
}

function parseIndex(s: string, fail: (m: string) => never): number {
  if (!/^\d+$/.test(s)) fail(`bad memo index ${JSON.stringify(s)}`);
  return Number(s);
}

/** Python 2 `repr(str)` as protocol 0 STRING writes it: quotes and backslash escapes. */
function parseQuotedString(line: string, fail: (m: string) => never): string {
  const q = line[0];
  if ((q !== "'" && q !== '"') || line.length < 2 || line[line.length - 1] !== q) fail('STRING argument is not quoted');
  const body = line.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
    if (e === 'x') {
      const hex = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail('bad \\x escape in STRING');
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else if (e !== undefined && e in simple) out += simple[e];
    else fail(`unsupported escape \\${e ?? ''} in STRING`);
  }
  return out;
}

function decodeRawUnicodeEscape(line: string, fail: (m: string) => never): string {
  return line.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u4: string | undefined, u8: string | undefined) => {
    const cp = parseInt((u4 ?? u8)!, 16);
    if (cp > 0x10ffff) fail('code point above U+10FFFF in UNICODE');
    return String.fromCodePoint(cp);
  });
}
