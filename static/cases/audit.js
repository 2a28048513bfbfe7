// /admin/audit: administrators read the audit log (who did what to which subject, when).
// Read-only: the server offers no route to change it, and this page offers no control to try.

import { t, bindLangButtons, onLangChange } from "/static/i18n.js";
import { $, el } from "/static/util.js";
import { api, errorText } from "/static/cases/http.js";
import { dateTimeText } from "/static/cases/labels.js";
import { staffSession } from "/static/cases/staff-login.js";

const ui = { toast: $("toast"), form: $("audit-filter"), subject: $("audit-subject"), rows: $("audit-rows"), empty: $("audit-empty") };
let entries = [];
let signedIn = false;
let toastTimer = null;

function toast(text) {
  ui.toast.textContent = text;
  ui.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { ui.toast.hidden = true; }, 6000);
}

async function load() {
  if (!signedIn) return;
  const q = new URLSearchParams({ limit: "100" });
  if (ui.subject.value.trim()) q.set("subject", ui.subject.value.trim());
  try {
    const body = await api(`/api/audit?${q}`);
    entries = body.entries || body.audit || body.items || [];
  } catch (err) {
    if (err.status !== 401) toast(errorText(err));
    return;
  }
  render();
}

function detailText(detail) {
  if (detail == null || detail === "") return "";
  if (typeof detail !== "object") return String(detail);
  return Object.entries(detail).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join("; ");
}

function render() {
  ui.rows.replaceChildren(...entries.map((e) => {
    const tr = el("tr");
    const at = e.at ?? e.created_at ?? e.ts;
    for (const [cls, text] of [
      ["when", dateTimeText(at, { seconds: true })], ["actor", e.actor_name || e.actor || ""], ["action", e.action || ""],
      ["subject", e.subject || ""], ["detail", detailText(e.detail)],
    ]) {
      const td = el("td", `audit-${cls}`, text);
      td.dataset.label = t(cls === "when" ? "aud.when" : `aud.${cls}`); // shown as a caption on phones
      tr.append(td);
    }
    return tr;
  }));
  ui.empty.hidden = entries.length > 0;
}

ui.form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  load();
});
bindLangButtons();
const session = staffSession({
  roles: ["admin"],
  forbiddenKey: "aud.forbidden",
  onReady: () => {
    signedIn = true;
    load();
  },
  onLogout: () => {
    signedIn = false;
    entries = [];
    render();
  },
});
onLangChange(() => {
  render();
  session.render();
});
