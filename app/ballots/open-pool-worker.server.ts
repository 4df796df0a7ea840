// Opening a chunk of sealed ballots for the count, written so that it runs in a worker thread as well as in the
// calling thread.
//
// The worker receives this code's source rather than a file to load, for the reason slips-worker.server.ts gives:
// the server runs through tsx, the tests through vitest, and in production this module is bundled into
// build/index.js, where no worker file beside it survives. So `createChunkOpener` refers to nothing outside itself:
// node:crypto, the opener (`createBatchOpener`) and the ballot's decoding (`decodeBallot`, the very function the
// count used before) come in as arguments, and the worker is started with `eval: true` on their sources plus a
// prelude that defines esbuild's `__name` helper (tsx compiles with keepNames).
import { decodeBallot, type BallotContent } from "./cast.server";
import { createBatchOpener, type OpeningCrypto } from "./seal.server";

export interface ChunkOpenerLibraries {
  crypto: OpeningCrypto;
  createBatchOpener: typeof createBatchOpener;
  decodeBallot: (bytes: Buffer) => BallotContent;
}

/**
 * The ballots of a chunk once opened, in the chunk's order: ballot i belongs to `groups[i]` and answered
 * `levels[ends[i - 1] ?? 0 .. ends[i]]`.
 */
export interface OpenedChunk {
  count: number;
  groups: Int32Array;
  ends: Int32Array;
  levels: Int16Array;
}

/**
 * Opens chunks of sealed ballots as the count reads them from the box: records of a 4-byte big-endian length
 * followed by the sealed ballot. Any ballot that does not open or decode fails the whole chunk, as it failed the
 * whole count before; a group id or level outside the column's type (integer, smallint) fails it too, where the
 * INSERT used to.
 */
export function createChunkOpener(lib: ChunkOpenerLibraries, keys: { publicKey: Uint8Array; privateKey: Uint8Array }) {
  const open = lib.createBatchOpener(lib.crypto, keys);
  return (chunkBytes: Uint8Array): OpenedChunk => {
    const chunk = Buffer.from(chunkBytes.buffer, chunkBytes.byteOffset, chunkBytes.byteLength);
    const groups: number[] = [];
    const ends: number[] = [];
    const levels: number[] = [];
    let at = 0;
    while (at < chunk.length) {
      const length = at + 4 <= chunk.length ? chunk.readUInt32BE(at) : -1;
      if (length < 0 || at + 4 + length > chunk.length) throw new Error("truncated chunk of sealed ballots");
      at += 4;
      const plain = open(chunk.subarray(at, at + length));
      at += length;
      const ballot = lib.decodeBallot(plain);
      plain.fill(0);
      if (ballot.g < -2147483648 || ballot.g > 2147483647) throw new Error("malformed ballot");
      for (const level of ballot.l) {
        if (level < -32768 || level > 32767) throw new Error("malformed ballot");
        levels.push(level);
      }
      groups.push(ballot.g);
      ends.push(levels.length);
    }
    return {
      count: groups.length,
      groups: Int32Array.from(groups),
      ends: Int32Array.from(ends),
      levels: Int16Array.from(levels),
    };
  };
}

/**
 * The source a worker runs (with `eval: true`). It builds the chunk opener from `workerData.keys` (a copy of the
 * poll's key pair, zeroed as soon as the key object is made), then answers each `{ id, chunk }` with the opened
 * chunk (its arrays transferred, not copied) or `{ id, error }`.
 */
export function openPoolWorkerSource(): string {
  return `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
var __name = (target) => target;
const decodeBallot = (${decodeBallot.toString()});
const createBatchOpener = (${createBatchOpener.toString()});
const createChunkOpener = (${createChunkOpener.toString()});
const keys = workerData.keys;
const openChunk = createChunkOpener({ crypto: require("node:crypto"), createBatchOpener, decodeBallot }, keys);
keys.privateKey.fill(0);
parentPort.on("message", ({ id, chunk }) => {
  let opened;
  try {
    opened = openChunk(chunk);
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
    return;
  }
  parentPort.postMessage({ id, opened }, [opened.groups.buffer, opened.ends.buffer, opened.levels.buffer]);
});
`;
}
