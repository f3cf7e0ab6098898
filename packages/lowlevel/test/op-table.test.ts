// The op table is kept once per language: native/op_table.h (exported as constants.ops and
// constants.opArgs) and src/op-table.ts. These checks fail when the two disagree.
import { describe, expect, it } from 'vitest';
import { native } from '../src/native.js';
import { opTable } from '../src/op-table.js';
import type { Operations } from '../src/operations.js';
import type { Answers } from '../src/answers.js';
import type { RequestLifecycle } from '../src/lifecycle.js';

const { ops: names, opArgs } = native.constants;
// Not requests: no slot comes first.
const NOT_REQUESTS = new Set(['init', 'destroy', 'forget', 'retrieveReply', 'interrupt']);

// The parameter names of a handler, as written.
function parameters(fn: (...args: never[]) => unknown): string[] {
  const src = fn.toString();
  const list = src.startsWith('(') ? src.slice(1, src.indexOf(')')) : src.slice(0, src.indexOf('=>'));
  return list
    .split(',')
    .map((p) =>
      p
        .trim()
        .replace(/[?=:].*$/s, '')
        .trim(),
    )
    .filter((p) => p !== '');
}

describe('op table', () => {
  it('names the same ops on both sides', () => {
    expect(Object.keys(opTable).sort()).toEqual([...names].sort());
    expect(opArgs).toHaveLength(names.length);
  });

  for (const [code, name] of names.entries()) {
    it(`${name}: the native layout and the TS table declare the same arguments`, () => {
      const entry = opTable[name as keyof typeof opTable];
      expect(entry, `${name} is missing from src/op-table.ts`).toBeDefined();
      expect([...entry.args]).toEqual(opArgs[code]);
    });
  }

  it('binds each handler with the arguments it declares', () => {
    // Every handler implemented, so that every op binds.
    const ops = Object.fromEntries(names.map((n) => [n, () => undefined])) as unknown as Operations;
    const rt = { host: { lendWriteData: false } } as unknown as RequestLifecycle;
    const answers = new Proxy({}, { get: () => () => undefined }) as unknown as Answers;
    for (const [name, entry] of Object.entries(opTable)) {
      const handler = entry.bind(ops, rt, answers) as ((...args: never[]) => unknown) | undefined;
      expect(handler, name).toBeTypeOf('function');
      const declared = NOT_REQUESTS.has(name) ? [...entry.args] : ['slot', ...entry.args];
      expect(handler!.length, `${name}: parameter count`).toBe(declared.length);
      // A parameter the handler ignores is named with a leading underscore.
      expect(
        parameters(handler!).map((p) => p.replace(/^_/, '')),
        `${name}: parameter names`,
      ).toEqual(declared);
    }
  });
});
