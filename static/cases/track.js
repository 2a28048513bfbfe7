// The citizen's private status page /track/{token}: status, steps, history and the answer.
// The token is the only key; it never leaves this page except to ask the server.

import { t, bindLangButtons, onLangChange } from "/static/i18n.js";
import { $, el } from "/static/util.js";
import { api, errorText } from "/static/cases/http.js";
import { statusText, kindText, categoryText, dateTimeText } from "/static/cases/labels.js";

const STEPS = ["received", "assigned", "in_progress", "answered"];
const ui = {
  error: $("track-error"), box: $("track-case"), kind: $("track-kind"), number: $("track-number"),
  category: $("track-category"), status: $("track-status"), steps: $("track-steps"), created: $("track-created"),
  updated: $("track-updated"), answer: $("track-answer"), history: $("track-history"), refresh: $("btn-track-refresh"),
};

const token = decodeURIComponent(window.location.pathname.replace(/^\/track\//, "").replace(/\/+$/, ""));
let current = null; // the last case answered by the server
let failure = null;

async function load() {
  ui.refresh.disabled = true;
  try {
    const body = await api(`/api/track/${encodeURIComponent(token)}`);
    current = body.case;
    failure = null;
  } catch (err) {
    failure = err;
  } finally {
    ui.refresh.disabled = false;
  }
  render();
}

function render() {
  ui.error.hidden = !failure;
  if (failure) ui.error.textContent = failure.code === "not_found" ? t("trk.not_found") : errorText(failure);
  ui.box.hidden = !current || (failure && failure.code === "not_found");
  if (!current) return;
  const c = current;
  ui.kind.textContent = kindText(c.kind);
  ui.number.textContent = c.number || "";
  ui.category.textContent = c.category ? categoryText(c.category) : "";
  ui.category.hidden = !c.category;
  ui.status.textContent = statusText(c.status);
  ui.status.dataset.status = c.status || "";
  const reached = STEPS.indexOf(c.status === "closed" ? lastOpenStatus(c) : c.status);
  ui.steps.replaceChildren(...STEPS.map((s, i) => {
    const li = el("li", i <= reached ? "done" : "", statusText(s));
    if (s === c.status) li.setAttribute("aria-current", "step");
    return li;
  }));
  if (c.status === "closed") {
    const li = el("li", "done", statusText("closed"));
    li.setAttribute("aria-current", "step");
    ui.steps.append(li);
  }
  ui.created.textContent = dateTimeText(c.created_at);
  ui.updated.textContent = dateTimeText(c.updated_at);
  const answer = typeof c.answer === "string" ? c.answer : c.answer && c.answer.text;
  ui.answer.textContent = answer || t("trk.no_answer");
  ui.answer.classList.toggle("empty", !answer);
  ui.history.replaceChildren(...(c.history || []).map((h) => {
    const li = el("li");
    li.append(el("span", "history-status", statusText(h.status)), el("span", "history-at", dateTimeText(h.at)));
    return li;
  }));
}

/** The furthest step reached before closing, so the steps show where it was closed. */
function lastOpenStatus(c) {
  const seen = (c.history || []).map((h) => h.status).filter((s) => STEPS.includes(s));
  return seen.length ? seen[seen.length - 1] : "received";
}

ui.refresh.addEventListener("click", load);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") load();
});
bindLangButtons();
onLangChange(render);
if (token && !token.includes("/")) load();
else {
  failure = { code: "not_found" };
  render();
}
