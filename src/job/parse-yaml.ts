import { isUtf8 } from 'node:buffer';
import {
  isCollection,
  isPair,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
} from 'yaml';

/** A problem of the YAML text itself, at its 1-based place. */
export interface YamlProblem {
  line: number;
  col: number;
  message: string;
}

/** A parsed job file, with what is needed to place problems at a line and column. */
export interface ParsedYaml {
  document: Document;
  lineCounter: LineCounter;
  /** Syntax errors, duplicate keys and nesting past the limit, each with its 1-based place. */
  errors: YamlProblem[];
}

/**
 * The deepest nesting of lists and mappings a job file may have. Far beyond any real job, and far
 * below the depth at which a recursive reader (the YAML parser, JSON, a validator) runs out of
 * stack.
 */
export const MAX_NESTING_DEPTH = 100;

/**
 * How many nodes aliases may add when a job file is read (yaml's count). A few aliases of a
 * shared block are fine; an alias bomb ("billion laughs") grows exponentially and stops here.
 */
export const MAX_ALIAS_COUNT = 1000;

const TOO_DEEP = `nested too deeply: more than ${MAX_NESTING_DEPTH} levels of lists and mappings; flatten the data or read it from a file (map: { lines })`;

/**
 * The text of a job file. Only UTF-8 is read: a byte sequence that is not UTF-8 is a problem at
 * its place, never replaced, so that no command runs with other bytes than the file has.
 */
export function decodeJobText(bytes: Buffer): { text: string } | { problem: YamlProblem } {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8') };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      problem: {
        line: 1,
        col: 1,
        message: 'the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8',
      },
    };
  }
  const offset = firstInvalidUtf8(bytes);
  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let at = bytes.indexOf(0x0a); at !== -1 && at < lineStart; at = bytes.indexOf(0x0a, at + 1))
    line++;
  return {
    problem: {
      line,
      col: bytes.subarray(lineStart, offset).toString('utf8').length + 1,
      message: `not valid UTF-8: byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')} is not part of a UTF-8 character; jobrun reads job files as UTF-8 only: save the file as UTF-8`,
    },
  };
}

/**
 * Parses YAML keeping source positions. Duplicate keys are errors (a silently dropped
 * `retries:` is worse than a refusal), and so is nesting deeper than `MAX_NESTING_DEPTH`.
 */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  let document: Document;
  try {
    document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    // yaml's parser recurses once per level: thousands of levels exhaust the stack.
    if (!(error instanceof RangeError)) throw error;
    const place = positionAt(text, deepPlace(text));
    return {
      document: parseDocument(''),
      lineCounter,
      errors: [{ ...place, message: TOO_DEEP }],
    };
  }
  const errors = document.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return {
      line,
      col,
      // The error's range covers only the key's first character: read the key up to its colon.
      message: describeYamlError(
        error.code,
        error.message,
        /^[^:\n]*/.exec(text.slice(error.pos[0]))?.[0] ?? '',
      ),
    };
  });
  if (errors.length === 0) {
    const deep = tooDeepNode(document);
    if (deep !== undefined) {
      errors.push({ ...lineCounter.linePos(deep.range?.[0] ?? 0), message: TOO_DEEP });
    }
  }
  return { document, lineCounter, errors };
}

/**
 * The plain data of a parsed job file, or the problem that stops it: aliases that expand past
 * `MAX_ALIAS_COUNT` (an alias bomb), that nest data past `MAX_NESTING_DEPTH`, or that hold
 * themselves (a cycle, which no JSON can record). Placed at the alias where it starts.
 */
export function documentData(parsed: ParsedYaml): { data: unknown } | { problem: YamlProblem } {
  let data: unknown;
  let message: string | undefined;
  try {
    data = parsed.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    const shape = shapeOf(data);
    if (shape === 'cycle') {
      message = 'an alias refers to a value that holds it (a cycle): a job file must be a tree';
    } else if (shape === 'deep') {
      message = TOO_DEEP;
    }
  } catch (error) {
    if (error instanceof ReferenceError) {
      message = `aliases expand to too many values (more than ${MAX_ALIAS_COUNT}; an alias bomb?): write the values out, or use fewer aliases of aliases`;
    } else if (error instanceof RangeError) {
      message = TOO_DEEP;
    } else {
      throw error;
    }
  }
  if (message === undefined) return { data };
  const alias = nestedAlias(parsed.document);
  return { problem: { ...parsed.lineCounter.linePos(alias?.range?.[0] ?? 0), message } };
}

/** Whether data nests past `MAX_NESTING_DEPTH` or holds itself, found without recursion. */
function shapeOf(data: unknown): 'tree' | 'deep' | 'cycle' {
  const onPath = new Set<object>();
  const stack: Array<{ value: unknown; depth: number; isLeaving?: true }> = [
    { value: data, depth: 0 },
  ];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { value, depth } = entry;
    if (typeof value !== 'object' || value === null) continue;
    if (entry.isLeaving) {
      onPath.delete(value);
      continue;
    }
    if (onPath.has(value)) return 'cycle';
    if (depth + 1 > MAX_NESTING_DEPTH) return 'deep';
    onPath.add(value);
    stack.push({ value, depth, isLeaving: true });
    for (const child of Object.values(value)) stack.push({ value: child, depth: depth + 1 });
  }
  return 'tree';
}

function describeYamlError(code: string, message: string, source: string): string {
  if (code === 'DUPLICATE_KEY') {
    return `duplicate key ${JSON.stringify(source.trim())}: a key may appear only once in a mapping; remove or rename one`;
  }
  // yaml reports the stack it ran out of on deep nesting as an error of the document.
  if (message.includes('call stack')) return TOO_DEEP;
  // yaml's own messages are precise; make them one line and say what kind of error it is.
  return `YAML syntax error: ${message.split('\n')[0] ?? message}`;
}

/** The first list or mapping past `MAX_NESTING_DEPTH`, found without recursion. */
function tooDeepNode(document: Document): Node | undefined {
  const stack: Array<[unknown, number]> = [[document.contents, 0]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [node, depth] = entry;
    if (!isCollection(node)) continue;
    if (depth + 1 > MAX_NESTING_DEPTH) return node;
    for (const item of [...node.items].reverse()) {
      if (isPair(item)) stack.push([item.value, depth + 1], [item.key, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

/** The first alias whose anchor holds aliases itself: where an alias bomb starts to grow. */
function nestedAlias(document: Document): Node | undefined {
  let found: Node | undefined;
  let first: Node | undefined;
  visit(document, {
    Alias(_, alias) {
      first ??= alias;
      const target = alias.resolve(document);
      let holdsAlias = false;
      if (target !== undefined) {
        visit(target, {
          Alias() {
            holdsAlias = true;
            return visit.BREAK;
          },
        });
      }
      if (!holdsAlias) return undefined;
      found = alias;
      return visit.BREAK;
    },
  });
  return found ?? first;
}

/**
 * Where text nests past the limit, read line by line without a parser (which is what failed):
 * block indentation levels plus open flow brackets. Used only to place the problem; falls back
 * to the deepest place seen.
 */
function deepPlace(text: string): number {
  const indents: number[] = [];
  let flow = 0;
  let deepest = { depth: -1, offset: 0 };
  let lineStart = 0;
  for (const line of text.split('\n')) {
    const content = line.trimStart();
    const indent = line.length - content.length;
    if (content !== '' && !content.startsWith('#')) {
      if (flow === 0) {
        while ((indents.at(-1) ?? -1) >= indent) indents.pop();
        indents.push(indent);
      }
      for (let at = indent; at < line.length; at++) {
        const char = line[at];
        let depth = indents.length + flow;
        if (char === '-' && flow === 0) depth++;
        if (char === '[' || char === '{') depth = indents.length + ++flow;
        if (char === ']' || char === '}') flow = Math.max(0, flow - 1);
        if (depth > deepest.depth) deepest = { depth, offset: lineStart + at };
        if (depth > MAX_NESTING_DEPTH) return lineStart + at;
      }
    }
    lineStart += line.length + 1;
  }
  return deepest.offset;
}

function positionAt(text: string, offset: number): { line: number; col: number } {
  const counter = new LineCounter();
  let at = text.indexOf('\n');
  while (at !== -1 && at < offset) {
    counter.addNewLine(at + 1);
    at = text.indexOf('\n', at + 1);
  }
  return counter.linePos(offset);
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 character. */
function firstInvalidUtf8(bytes: Buffer): number {
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at] as number;
    let length: number;
    let min: number;
    if (lead < 0x80) {
      at++;
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      [length, min] = [2, 0x80];
    } else if (lead >= 0xe0 && lead <= 0xef) {
      [length, min] = [3, 0x800];
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      [length, min] = [4, 0x10000];
    } else {
      return at;
    }
    let code = lead & (0xff >> (length + 1));
    for (let next = 1; next < length; next++) {
      const byte = bytes[at + next];
      if (byte === undefined || (byte & 0xc0) !== 0x80) return at;
      code = (code << 6) | (byte & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return at;
    at += length;
  }
  return bytes.length;
}
