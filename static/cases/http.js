// HTTP helpers for the case pages: JSON calls, and multipart uploads through XMLHttpRequest
// (fetch cannot report upload progress; XHR's upload.onprogress can).

import { t, has } from "/static/i18n.js";

/** Error carrying the protocol's {code, message} and the HTTP status. */
export class HttpError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

function parseBody(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null; // a proxy's HTML error page, for instance
  }
}

function fail(status, body) {
  const err = (body && body.error) || {};
  const code = err.code || (status === 413 ? "payload_too_large" : status === 0 ? "network" : `http_${status}`);
  return new HttpError(status, code, err.message || "");
}

/** JSON request with the session cookie; resolves with the body when {ok: true}. */
export async function api(path, { method = "GET", json } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: json === undefined ? undefined : { "Content-Type": "application/json" },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  } catch {
    throw new HttpError(0, "network", "");
  }
  const body = parseBody(await res.text());
  if (!res.ok || !body || body.ok === false) throw fail(res.status, body);
  return body;
}

/**
 * POST a FormData as multipart/form-data. onProgress(sent, total) follows the upload;
 * returns {promise, abort}. The promise resolves with the JSON body of a 2xx answer and
 * rejects with HttpError otherwise (code "aborted" after abort()).
 */
export function upload(path, formData, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open("POST", path);
    xhr.responseType = "text";
    xhr.upload.onprogress = (ev) => {
      if (onProgress && ev.lengthComputable) onProgress(ev.loaded, ev.total);
    };
    xhr.onload = () => {
      const body = parseBody(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300 && body && body.ok !== false) resolve(body);
      else reject(fail(xhr.status, body));
    };
    // A server that refuses early (413) may close the connection mid-upload: the browser then
    // reports a network error without the answer, and the refusal is the likely cause.
    xhr.onerror = () => reject(new HttpError(xhr.status, "network", ""));
    xhr.onabort = () => reject(new HttpError(0, "aborted", ""));
    xhr.send(formData);
  });
  return { promise, abort: () => xhr.abort() };
}

/** Localised text for an HttpError (or anything thrown). */
export function errorText(err) {
  const code = err && err.code;
  if (code === "network") return t("error.network");
  if (code === "rate_limited") return t("error.rate_limited");
  if (code === "aborted") return t("err.aborted");
  if (code && has(`err.${code}`)) return t(`err.${code}`, { msg: (err && err.message) || "" });
  return t("error.generic", { msg: (err && (err.message || err.code)) || "?" });
}
