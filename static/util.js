// Small helpers shared by both pages.

/** "mm:ss" (or "h:mm:ss") for a non-negative number of seconds. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${String(m).padStart(2, "0")}:${ss}`;
}

/** Local "hh:mm:ss" for a Unix time in seconds. */
export function formatClock(unixSeconds) {
  const d = new Date(unixSeconds * 1000);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

/** Finite number or null (geolocation gives null or NaN for missing values). */
export function finiteOrNull(v) {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Error raised for an {ok:false} acknowledgement (or a timeout: code "timeout"). */
export class AckError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

/**
 * Emit with an acknowledgement and a timeout; resolves with the ack object when ok,
 * rejects with AckError otherwise (checks the protocol's {ok, error:{code,message}}).
 */
export async function request(socket, event, payload, timeoutMs = 10000) {
  let ack;
  try {
    ack = await socket.timeout(timeoutMs).emitWithAck(event, payload);
  } catch {
    throw new AckError("timeout", `${event}: no answer from the server`);
  }
  if (!ack || ack.ok !== true) {
    const err = (ack && ack.error) || {};
    throw new AckError(err.code || "unknown", err.message || `${event} failed`);
  }
  return ack;
}

/** Element by id (throws early if a page is missing an expected element). */
export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

/** Create an element with optional class and text (always textContent). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = String(text);
  return node;
}
