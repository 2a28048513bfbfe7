// /security: internal-security staff read and answer complaints (all centres), and nothing else.

import { t, bindLangButtons, onLangChange } from "/static/i18n.js";
import { $, el } from "/static/util.js";
import { api, errorText } from "/static/cases/http.js";
import { STATUSES, statusText } from "/static/cases/labels.js";
import { caseListItem, CaseDetail } from "/static/cases/case-view.js";
import { staffSession } from "/static/cases/staff-login.js";

const REFRESH_MS = 30000;
const ui = {
  toast: $("toast"), status: $("cases-status"), refresh: $("cases-refresh"), list: $("cases-list"),
  empty: $("cases-empty"), none: $("case-none"), detail: $("case-detail"), back: $("case-back"), view: $("app-view"),
};
let items = [];
let selected = null;
let signedIn = false;
let toastTimer = null;

function toast(text) {
  ui.toast.textContent = text;
  ui.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { ui.toast.hidden = true; }, 6000);
}

const detail = new CaseDetail(ui.detail, { toast, onChanged: () => load() });

async function load() {
  if (!signedIn) return;
  const q = new URLSearchParams({ kind: "complaint", limit: "50" });
  if (ui.status.value) q.set("status", ui.status.value);
  try {
    const body = await api(`/api/cases?${q}`);
    items = (body.cases || body.items || []).sort((a, b) => b.created_at - a.created_at);
  } catch (err) {
    if (err.status !== 401) toast(errorText(err));
    return;
  }
  renderList();
}

function renderList() {
  ui.list.replaceChildren(...items.map((item) => caseListItem(item, item.id === selected)));
  ui.empty.hidden = items.length > 0;
  ui.none.hidden = !!selected;
  ui.back.hidden = !selected;
  ui.view.dataset.open = String(!!selected);
}

function renderFilters() {
  const value = ui.status.value;
  const opt = (v, text) => {
    const o = el("option", null, text);
    o.value = v;
    return o;
  };
  ui.status.replaceChildren(opt("", t("cases.all_statuses")), ...STATUSES.map((s) => opt(s, statusText(s))));
  ui.status.value = value;
}

function pick(li) {
  if (!li) return;
  selected = li.dataset.caseId;
  renderList();
  detail.open(selected);
}

ui.list.addEventListener("click", (ev) => pick(ev.target.closest(".case-item")));
ui.list.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" || ev.key === " ") {
    ev.preventDefault();
    pick(ev.target.closest(".case-item"));
  }
});
ui.back.addEventListener("click", () => {
  selected = null;
  detail.clear();
  renderList();
});
ui.status.addEventListener("change", load);
ui.refresh.addEventListener("click", load);

bindLangButtons();
renderFilters();
const session = staffSession({
  roles: ["internal_security"],
  forbiddenKey: "sec.forbidden",
  onReady: () => {
    signedIn = true;
    load();
  },
  onLogout: () => {
    signedIn = false;
    items = [];
    selected = null;
    detail.clear();
    renderList();
  },
});
onLangChange(() => {
  renderFilters();
  renderList();
  detail.render();
  session.render();
});
setInterval(load, REFRESH_MS);
