import { randomInt } from "node:crypto";

/**
 * Fisher–Yates with a cryptographic generator, in place: every order is equally likely and none can be predicted, so
 * the counted order says nothing about the casting order and a shuffled column nothing about the rows it came from.
 */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
