import type { EntryContext, HandleErrorFunction } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { collectDocument } from "./html-stream.server";
import { logger } from "./logger.server";

const ABORT_DELAY = 5_000;

// Whole documents, not streamed: pages are small and cheap phones on bad networks get one complete response, sent
// in one write (through gzip once, not once per React's 2 KB piece).
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext
) {
  return new Promise((resolve, reject) => {
    let failed = false;
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />,
      {
        onAllReady() {
          collectDocument(pipe).then((body) => {
            clearTimeout(timer);
            responseHeaders.set("Content-Type", "text/html; charset=utf-8");
            resolve(
              new Response(new Uint8Array(body), {
                headers: responseHeaders,
                status: failed ? 500 : responseStatusCode,
              })
            );
          }, reject);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          failed = true;
          logger.error({ err: errorSummary(error) }, "render failed");
        },
      }
    );
    timer = setTimeout(abort, ABORT_DELAY);
  });
}

// Logged without the request's URL: a ballot URL carries its code.
export const handleError: HandleErrorFunction = (error, { request }) => {
  // Aborted requests and route error responses (404 for an unknown path, 403, …) are answers, not failures; the
  // 404's message would also carry the path, and a path may carry a ballot code.
  if (request.signal.aborted || isRouteErrorResponse(error)) return;
  logger.error({ err: errorSummary(error), method: request.method }, "request failed");
};

function errorSummary(error: unknown) {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { message: String(error) };
}
