// Ids from URLs and forms, checked before they reach a query.

export function notFound(): never {
  throw new Response("Not Found", { status: 404 });
}

/**
 * A positive integer from a URL or a form, or a 404: a tampered id never reaches a query as NaN, nor as a number
 * beyond PostgreSQL's integer (nine digits at most).
 */
export function idParam(value: string | undefined | null): number {
  const id = Number(value);
  if (!value || !/^\d{1,9}$/.test(value) || !Number.isSafeInteger(id) || id <= 0) notFound();
  return id;
}
