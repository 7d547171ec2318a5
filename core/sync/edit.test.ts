import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createRedactor, REDACTED } from '../capture/redact';
import { createExperimentDoc, createRun, getRunMap, noteText, readRun } from './doc';
import { RunEditError, applyNoteEdit, deleteRunTag, setRunTag, textSplice } from './edit';

const RUN = 'run-1';
const redactor = createRedactor();

function docWithRun(note = ''): Y.Doc {
  const doc = createExperimentDoc();
  createRun(doc, { id: RUN, experimentId: 'exp-1', name: 'r', startTime: 1, source: { kind: 'script', path: 'x.py' }, parentRunId: null, environment: null });
  if (note) noteText(getRunMap(doc, RUN)!).insert(0, note);
  return doc;
}

/** Two replicas of one doc (the second starts from the first's state), like two clients after a sync. */
function replicas(note: string): [Y.Doc, Y.Doc] {
  const a = docWithRun(note);
  const b = createExperimentDoc();
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  return [a, b];
}

function exchange(a: Y.Doc, b: Y.Doc): void {
  const fromA = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
  const fromB = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
  Y.applyUpdate(b, fromA);
  Y.applyUpdate(a, fromB);
}

const note = (doc: Y.Doc) => noteText(getRunMap(doc, RUN)!).toString();

describe('textSplice', () => {
  it('keeps the common prefix and suffix', () => {
    expect(textSplice('hello world', 'hello brave world')).toEqual({ index: 6, deleteCount: 0, insert: 'brave ' });
    expect(textSplice('abcdef', 'abXef')).toEqual({ index: 2, deleteCount: 2, insert: 'X' });
    expect(textSplice('same', 'same')).toEqual({ index: 4, deleteCount: 0, insert: '' });
  });

  it('never cuts a surrogate pair', () => {
    // 😀 and 😃 share their high surrogate; the splice must replace the whole pair.
    expect(textSplice('a😀b', 'a😃b')).toEqual({ index: 1, deleteCount: 2, insert: '😃' });
  });

  it('turns before into after, for any two strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (before, after) => {
        const s = textSplice(before, after);
        expect(before.slice(0, s.index) + s.insert + before.slice(s.index + s.deleteCount)).toBe(after);
      }),
    );
  });
});

describe('applyNoteEdit', () => {
  it('applies a typed word as one insert, not a replace-all', () => {
    const doc = docWithRun('baseline model');
    const deltas: unknown[] = [];
    noteText(getRunMap(doc, RUN)!).observe((e) => deltas.push(e.delta));
    applyNoteEdit(doc, RUN, 'baseline model', 'baseline tuned model');
    expect(note(doc)).toBe('baseline tuned model');
    expect(deltas).toEqual([[{ retain: 9 }, { insert: 'tuned ' }]]);
  });

  it('does nothing when the text did not change', () => {
    const doc = docWithRun('x');
    expect(applyNoteEdit(doc, RUN, 'x', 'x')).toBeNull();
  });

  it('keeps a remote edit that arrived while the user was typing', () => {
    const doc = docWithRun('lr sweep');
    // The editor still shows "lr sweep"; meanwhile someone appended " (done)".
    noteText(getRunMap(doc, RUN)!).insert(8, ' (done)');
    applyNoteEdit(doc, RUN, 'lr sweep', 'big lr sweep');
    expect(note(doc)).toBe('big lr sweep (done)');
  });

  it('names the run when it is not in the doc', () => {
    expect(() => applyNoteEdit(docWithRun(), 'nope', '', 'x')).toThrow(new RunEditError('run nope: not in this experiment\'s history'));
  });
});

describe('tags', () => {
  it('sets, replaces and deletes a tag', () => {
    const doc = docWithRun();
    expect(setRunTag(doc, RUN, 'stage', 'draft', redactor)).toEqual({ key: 'stage', value: 'draft' });
    setRunTag(doc, RUN, 'stage', 'final', redactor);
    expect(readRun(getRunMap(doc, RUN)!).tags).toEqual([{ key: 'stage', value: 'final' }]);
    expect(deleteRunTag(doc, RUN, 'stage')).toBe(true);
    expect(deleteRunTag(doc, RUN, 'stage')).toBe(false);
    expect(readRun(getRunMap(doc, RUN)!).tags).toEqual([]);
  });

  it('rejects invalid keys and values with the schema\'s words, writing nothing', () => {
    const doc = docWithRun();
    expect(() => setRunTag(doc, RUN, 'bad*key', 'v', redactor)).toThrow(/^tag key: may contain only letters, digits/);
    expect(() => setRunTag(doc, RUN, '', 'v', redactor)).toThrow('tag key: must not be empty');
    expect(() => setRunTag(doc, RUN, 'k', 'v'.repeat(8001), redactor)).toThrow('tag value: must be at most 8000 characters');
    expect(readRun(getRunMap(doc, RUN)!).tags).toEqual([]);
  });

  it('redacts secret values as captured tags are', () => {
    const doc = docWithRun();
    expect(setRunTag(doc, RUN, 'api_key', 'abc123', redactor).value).toBe(REDACTED);
    const github = 'ghp_' + 'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6';
    expect(setRunTag(doc, RUN, 'note', `pushed with ${github}`, redactor).value).toBe(`pushed with ${REDACTED}`);
    expect(JSON.stringify(Y.encodeStateAsUpdate(doc))).not.toContain('abc123');
  });
});

/** One offline edit of a note: delete `deleteCount` characters at `at` (clamped) and insert `insert` there. */
const noteEdit = (alphabet: string) =>
  fc.record({
    at: fc.nat(30),
    deleteCount: fc.nat(6),
    insert: fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength: 1, maxLength: 4 }),
  });
const base = fc.string({ unit: fc.constantFrom(...'abcdefg '.split('')), maxLength: 24 });

function edited(text: string, e: { at: number; deleteCount: number; insert: string }) {
  const at = Math.min(e.at, text.length);
  const end = Math.min(at + e.deleteCount, text.length);
  return { text: text.slice(0, at) + e.insert + text.slice(end), deleted: [at, end] as const };
}

describe('concurrent offline edits converge (property)', () => {
  it('two replicas editing the same note end with the same text, holding both inserts', () => {
    fc.assert(
      // Inserts use letters the base text does not, A's upper case and B's digits, so each is recognisable.
      fc.property(base, noteEdit('XYZ'), noteEdit('123'), (start, editA, editB) => {
        const [a, b] = replicas(start);
        const nextA = edited(start, editA);
        const nextB = edited(start, editB);
        applyNoteEdit(a, RUN, start, nextA.text);
        applyNoteEdit(b, RUN, start, nextB.text);
        exchange(a, b);
        const merged = note(a);
        expect(note(b)).toBe(merged);
        // No edit is lost: both inserted strings are present, and exactly the union of deleted ranges is gone.
        const insertB = editB.insert;
        expect(merged).toContain(editA.insert);
        expect(merged).toContain(insertB);
        const gone = new Set<number>();
        for (const [from, to] of [nextA.deleted, nextB.deleted]) for (let i = from; i < to; i++) gone.add(i);
        expect(merged.length).toBe(start.length - gone.size + editA.insert.length + insertB.length);
        const kept = [...start].filter((_, i) => !gone.has(i)).join('');
        expect(merged.replace(editA.insert, '').replace(insertB, '')).toBe(kept);
        expect(merged).toMatch(/^[^XYZ]*[XYZ]*[^XYZ]*$/); // A's insert stays in one piece (so does B's)
        expect(merged).toMatch(/^[^123]*[123]*[^123]*$/);
      }),
    );
  });

  it.each([
    ['inserts only: every insert survives', false],
    ['inserts and deletes', true],
  ])('sequences of edits on both sides, exchanged at random points, converge (%s)', (_name, withDeletes) => {
    const step = fc.record({ side: fc.constantFrom(0, 1), edit: noteEdit('-'), sync: fc.boolean() });
    fc.assert(
      fc.property(base, fc.array(step, { maxLength: 12 }), (start, steps) => {
        const docs = replicas(start);
        // What each side's editor shows: it lags its doc (remote edits arrive between renders, like a debounced view).
        const shown = [start, start];
        const markers: string[] = [];
        steps.forEach((s, i) => {
          const marker = String.fromCharCode(0x41 + i); // one upper-case letter per edit, never in the base
          const edit = { ...s.edit, insert: marker, deleteCount: withDeletes ? s.edit.deleteCount : 0 };
          applyNoteEdit(docs[s.side]!, RUN, shown[s.side]!, edited(shown[s.side]!, edit).text);
          markers.push(marker);
          if (s.sync) exchange(docs[0], docs[1]);
          shown[s.side] = note(docs[s.side]!);
        });
        exchange(docs[0], docs[1]);
        expect(note(docs[0])).toBe(note(docs[1]));
        if (!withDeletes) {
          for (const marker of markers) expect(note(docs[0])).toContain(marker);
          expect(note(docs[0]).replace(/[A-Z]/g, '')).toBe(start);
        }
      }),
    );
  });

  it('concurrent tag edits converge: distinct keys both kept, one value per key', () => {
    const tagOp = fc.record({
      key: fc.constantFrom('stage', 'owner', 'dataset'),
      value: fc.string({ unit: fc.constantFrom(...'abc'.split('')), minLength: 1, maxLength: 3 }),
      remove: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(tagOp, { maxLength: 5 }), fc.array(tagOp, { maxLength: 5 }), (opsA, opsB) => {
        const [a, b] = replicas('');
        for (const [doc, ops] of [[a, opsA], [b, opsB]] as const) {
          for (const op of ops) {
            if (op.remove) deleteRunTag(doc, RUN, op.key);
            else setRunTag(doc, RUN, op.key, op.value, redactor);
          }
        }
        const lastA = finalTags(opsA);
        const lastB = finalTags(opsB);
        exchange(a, b);
        const sorted = (d: Y.Doc) => readRun(getRunMap(d, RUN)!).tags.sort((x, y) => x.key.localeCompare(y.key));
        const tagsA = sorted(a);
        expect(sorted(b)).toEqual(tagsA);
        const merged = new Map(tagsA.map((t) => [t.key, t.value]));
        // A key only one side touched ends as that side left it; a key both set ends with one of their values.
        for (const key of new Set([...lastA.keys(), ...lastB.keys()])) {
          const va = lastA.get(key);
          const vb = lastB.get(key);
          if (va === undefined) expect(merged.get(key) ?? null).toBe(vb);
          else if (vb === undefined) expect(merged.get(key) ?? null).toBe(va);
          else expect([va, vb]).toContain(merged.get(key) ?? null);
        }
      }),
    );
  });
});

/** Each touched key's last value on one side (null: deleted). */
function finalTags(ops: { key: string; value: string; remove: boolean }[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const op of ops) out.set(op.key, op.remove ? null : op.value);
  return out;
}
