import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import type { Row, SqlValue } from '../../functions/lib/query-engine.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { tempDir } from '../support/files.ts';
import { ingestSmallDemo } from '../support/golden.ts';

/**
 * The refresh reads ahead (functions/refresh/refresh.ts, readAhead; issue 17): the next document's query is started
 * before this thread builds the document before it, so that DuckDB (or Athena) works during the build; its rows are
 * read only after that build, one query at a time; a query that fails while started ahead fails the refresh with its
 * own error.
 */
const dir = tempDir('refresh-read-ahead');
const data = `${dir.path}/data`;

beforeAll(() => ingestSmallDemo(data, `${dir.path}/demo`, 7));
afterAll(() => dir.remove());

/**
 * DuckDB, noting as they happen: each metric query called (`query <file>`) and answered (`rows <file>`), and the first
 * time anything reads its rows (`read <file>`: their length or a row); `fail` names a metric whose query fails.
 */
class RecordingEngine extends DuckDbEngine {
  readonly events: string[] = [];
  inFlight = 0;
  mostInFlight = 0;

  constructor(private readonly fail?: string) {
    super(data);
  }

  override async query(file: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    if (!file.startsWith('metrics/')) return super.query(file, params);
    this.events.push(`query ${file}`);
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    try {
      if (file === this.fail) throw new Error(`the query ${file} failed`);
      const rows = await super.query(file, params);
      this.events.push(`rows ${file}`);
      let read = false;
      return new Proxy(rows, {
        get: (target, property, receiver) => {
          if (!read && typeof property === 'string' && (property === 'length' || /^\d+$/.test(property))) {
            read = true;
            this.events.push(`read ${file}`);
          }
          return Reflect.get(target, property, receiver);
        },
      });
    } finally {
      this.inFlight -= 1;
    }
  }
}

describe('the refresh reads the next metric while it builds a document', () => {
  it('starts each query before the document before it is built, and reads its rows after', async () => {
    const engine = new RecordingEngine();
    const result = await refreshMetrics({ store: new FsObjectStore(data), engine }).finally(() => engine.close());
    expect(result.documents).toHaveLength(13);
    const { events } = engine;
    const queried = events.filter((e) => e.startsWith('query ')).map((e) => e.slice('query '.length));
    // Every metric of the catalogue once (no query run twice by reading ahead).
    expect(new Set(queried).size).toBe(queried.length);
    expect(queried).toHaveLength(11);
    expect(queried[0]).toBe('metrics/contacts_distribution');
    // One query at a time: the next is started only once this one has answered.
    expect(engine.mostInFlight).toBe(1);
    // From cof_person on (rollout and referral_sources wait for cof_person, their joint control; rollout's England
    // rows are read at once for meta.json), the next query is started before anything reads this one's rows, and its
    // answer is awaited only after they are read. contacts_distribution, read first, comes after cof_person in the
    // catalogue: wellbeing is the query started during the joint control of the three.
    const from = queried.indexOf('metrics/cof_person');
    expect(from).toBeGreaterThan(0);
    for (let i = from; i < queried.length - 1; i++) {
      const [file, next] = [queried[i] as string, queried[i + 1] as string];
      expect(events.indexOf(`query ${next}`), `${next} started before ${file}'s rows are read`).toBeLessThan(
        events.indexOf(`read ${file}`),
      );
    }
    expect(events.indexOf('query metrics/wellbeing')).toBeLessThan(events.indexOf('read metrics/referral_sources'));
    // Without reading ahead the order is query, rows, read, then the next query: e.g. cof_system's query would come
    // after wellbeing's rows were read. Here the next query comes right after this one's rows (before the build).
    const wellbeing = events.indexOf('rows metrics/wellbeing');
    expect(events.slice(wellbeing, wellbeing + 3)).toEqual([
      'rows metrics/wellbeing',
      `query ${queried[queried.indexOf('metrics/wellbeing') + 1]}`,
      'read metrics/wellbeing',
    ]);
  });

  it('fails with the error of a query that failed while it was started ahead, and writes no meta.json', async () => {
    const store = new FsObjectStore(data);
    await store.delete('metrics/meta.json');
    const engine = new RecordingEngine('metrics/cof_system');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(refreshMetrics({ store, engine }).finally(() => engine.close())).rejects.toThrow(
        'the query metrics/cof_system failed',
      );
      // Given a turn of the event loop, the failure started ahead is not also reported as unhandled.
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(await store.get('metrics/meta.json')).toBeUndefined();
  });
});
