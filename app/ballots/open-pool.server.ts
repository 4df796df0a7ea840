// A pool of worker threads that open sealed ballots for the count. Opening one ballot (X25519, HKDF, AES-GCM) costs
// tens of microseconds of one core; a million of them is most of the count, so every core takes a share. The pool
// lives for one count: the key pair goes to the workers when they start, and the workers are stopped when the
// count is done or has failed.
import * as crypto from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { decodeBallot } from "./cast.server";
import { createBatchOpener } from "./seal.server";
import { createChunkOpener, openPoolWorkerSource, type OpenedChunk } from "./open-pool-worker.server";

export type { OpenedChunk } from "./open-pool-worker.server";

export interface BallotOpenPool {
  /** Worker threads opening ballots; 0 when they are opened in the calling thread. */
  readonly threads: number;
  /** Opens a chunk of sealed ballots (records of a 4-byte big-endian length, then the sealed ballot). */
  open(chunk: Uint8Array): Promise<OpenedChunk>;
  /** Stops the workers and waits until they have exited; chunks not yet opened are refused. */
  close(): Promise<void>;
}

let running = 0;

/** Opening workers started and not yet exited, in this process: none once every count is over. */
export function runningOpenWorkers(): number {
  return running;
}

/** One worker per core: the count is the only work of its moment, and its budget needs them all. */
export function defaultOpenThreads(): number {
  return availableParallelism();
}

let workerSource: string | null = null;

interface Task {
  id: number;
  chunk: Uint8Array;
  resolve: (opened: OpenedChunk) => void;
  reject: (error: Error) => void;
}

/**
 * A pool for one poll's key pair. With `threads: 0` the ballots are opened in the calling thread by the same code
 * the workers run (a small box is opened sooner than workers start).
 */
export function createOpenPool(
  keys: { publicKey: Uint8Array; privateKey: Uint8Array },
  { threads = defaultOpenThreads() }: { threads?: number } = {}
): BallotOpenPool {
  if (threads <= 0) {
    const openChunk = createChunkOpener({ crypto, createBatchOpener, decodeBallot }, keys);
    let closed = false;
    return {
      threads: 0,
      open: async (chunk) => {
        if (closed) throw new Error("the pool of ballot openers is closed");
        return openChunk(chunk);
      },
      close: async () => {
        closed = true;
      },
    };
  }

  workerSource ??= openPoolWorkerSource();
  const queue: Task[] = [];
  let nextId = 1;
  let failure: Error | null = null;
  let closing = false;

  // Two chunks in flight per worker: the next one waits in the worker's queue while the current one is opened.
  const IN_FLIGHT = 2;
  const workers = Array.from({ length: threads }, () => {
    // Each worker gets its own copy of the key pair, zeroed here once the Worker has taken its copy.
    const keysCopy = { publicKey: Uint8Array.from(keys.publicKey), privateKey: Uint8Array.from(keys.privateKey) };
    const worker = new Worker(workerSource!, {
      eval: true,
      workerData: { keys: keysCopy },
      // The worker prints nothing; should it ever, it stays out of the server's log.
      stdout: true,
      stderr: true,
    });
    keysCopy.privateKey.fill(0);
    worker.stdout.resume();
    worker.stderr.resume();
    running++;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    const state = { worker, exited, tasks: new Map<number, Task>() };
    void exited.then(() => {
      running--;
      fail(state, new Error("a ballot opener stopped before its chunks were opened"));
    });
    worker.on("message", (message: { id: number; opened?: OpenedChunk; error?: string }) => {
      const task = state.tasks.get(message.id);
      if (!task) return;
      state.tasks.delete(message.id);
      if (message.opened) task.resolve(message.opened);
      else fail(state, new Error(`a sealed ballot could not be opened: ${message.error}`), task);
      dispatch();
    });
    worker.on("error", (error) => fail(state, error));
    return state;
  });

  /** The first failure fails every chunk still waiting or in flight, and every later one. */
  function fail(state: (typeof workers)[number], error: Error, task?: Task) {
    failure ??= error;
    task?.reject(failure);
    for (const pending of state.tasks.values()) pending.reject(failure);
    state.tasks.clear();
    for (const waiting of queue.splice(0)) waiting.reject(failure);
  }

  function dispatch() {
    if (failure) return;
    for (const state of workers) {
      while (state.tasks.size < IN_FLIGHT && queue.length > 0) {
        const task = queue.shift()!;
        state.tasks.set(task.id, task);
        // Copied, not transferred: a small Buffer shares its memory with others.
        state.worker.postMessage({ id: task.id, chunk: task.chunk });
      }
    }
  }

  return {
    threads,
    open: (chunk) =>
      new Promise<OpenedChunk>((resolve, reject) => {
        if (failure) return reject(failure);
        if (closing) return reject(new Error("the pool of ballot openers is closed"));
        queue.push({ id: nextId++, chunk, resolve, reject });
        dispatch();
      }),
    close: async () => {
      closing = true;
      failure ??= new Error("the pool of ballot openers is closed");
      for (const waiting of queue.splice(0)) waiting.reject(failure);
      await Promise.all(workers.map((state) => state.worker.terminate().then(() => state.exited)));
    },
  };
}
