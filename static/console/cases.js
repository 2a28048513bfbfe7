// The console's "Reports" tab: the centre's offence reports and appeals, newest first, with a
// map of where they happened, and the case detail (evidence, answer, status, links).
// Complaints are never asked for here: only kinds "report" and "appeal" are requested.

import * as L from "/vendor/leaflet/leaflet-src.esm.js";
import { t } from "/static/i18n.js";
import { $, el } from "/static/util.js";
import { api, errorText } from "/static/cases/http.js";
import { STATUSES, statusText, kindText } from "/static/cases/labels.js";
import { caseListItem, CaseDetail } from "/static/cases/case-view.js";

const CONSOLE_KINDS = ["report", "appeal"];
const REFRESH_MS = 30000;
const KZ_CENTER = [48.0, 67.5];
// Without tiles only region outlines give a place meaning: stay at a zoom where they show.
const OVERVIEW_MAX_ZOOM = 9;
const CASE_ZOOM = 11;

export class ReportsTab {
  /** deps: {toast(text), onShowCalls()} — onShowCalls lets the calls map re-measure itself. */
  constructor({ toast, onShowCalls }) {
    this.toast = toast;
    this.onShowCalls = onShowCalls || (() => {});
    this.ui = {
      tabs: $("console-tabs"), tabCalls: $("tab-calls"), tabReports: $("tab-reports"), count: $("reports-count"),
      callsView: $("app-view"), view: $("reports-view"), kind: $("cases-kind"), status: $("cases-status"),
      refresh: $("cases-refresh"), list: $("cases-list"), empty: $("cases-empty"), none: $("case-none"),
      detail: $("case-detail"), back: $("case-back"), map: $("cases-map"),
    };
    this.items = [];
    this.selected = null;
    this.active = false;
    this.user = null;
    this.timer = null;
    this.map = null;
    this.markers = null;
    this.detail = new CaseDetail(this.ui.detail, {
      toast,
      onChanged: () => this.load(),
      onLocation: (c) => this.focusCase(c),
    });
    this.ui.tabCalls.addEventListener("click", () => this.select("calls"));
    this.ui.tabReports.addEventListener("click", () => this.select("reports"));
    this.ui.kind.addEventListener("change", () => this.load());
    this.ui.status.addEventListener("change", () => this.load());
    this.ui.refresh.addEventListener("click", () => this.load());
    this.ui.back.addEventListener("click", () => this.closeCase());
    this.ui.list.addEventListener("click", (ev) => this.pick(ev.target.closest(".case-item")));
    this.ui.list.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        this.pick(ev.target.closest(".case-item"));
      }
    });
    this.renderFilters();
  }

  /** Signed in: tabs appear, the Calls tab is shown, the list loads for the counter. */
  show(user) {
    this.user = user;
    this.ui.tabs.hidden = false;
    this.select("calls");
    this.load();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.load(), REFRESH_MS);
  }

  /** Signed out. */
  hide() {
    clearInterval(this.timer);
    this.timer = null;
    this.user = null;
    this.items = [];
    this.selected = null;
    this.detail.clear();
    this.ui.tabs.hidden = true;
    this.ui.view.hidden = true;
    this.active = false;
    this.renderList();
  }

  select(tab) {
    this.active = tab === "reports";
    this.ui.tabCalls.setAttribute("aria-selected", String(!this.active));
    this.ui.tabReports.setAttribute("aria-selected", String(this.active));
    this.ui.callsView.hidden = this.active;
    this.ui.view.hidden = !this.active;
    document.body.dataset.tab = tab;
    if (this.active) {
      this.ensureMap();
      this.map.invalidateSize();
      this.load();
    } else {
      this.onShowCalls();
    }
  }

  renderFilters() {
    const kind = this.ui.kind.value;
    const status = this.ui.status.value;
    const opt = (value, text) => {
      const o = el("option", null, text);
      o.value = value;
      return o;
    };
    this.ui.kind.replaceChildren(opt("", t("cases.all_kinds")), ...CONSOLE_KINDS.map((k) => opt(k, kindText(k))));
    this.ui.status.replaceChildren(opt("", t("cases.all_statuses")), ...STATUSES.map((s) => opt(s, statusText(s))));
    this.ui.kind.value = kind;
    this.ui.status.value = status;
  }

  async load() {
    if (!this.user) return;
    const kinds = this.ui.kind.value ? [this.ui.kind.value] : CONSOLE_KINDS;
    const status = this.ui.status.value;
    try {
      const answers = await Promise.all(kinds.map((kind) => {
        const q = new URLSearchParams({ kind, limit: "50" });
        if (status) q.set("status", status);
        return api(`/api/cases?${q}`);
      }));
      this.items = answers.flatMap((a) => a.cases || a.items || [])
        .filter((c) => CONSOLE_KINDS.includes(c.kind))
        .sort((a, b) => b.created_at - a.created_at);
    } catch (err) {
      if (err.status === 401) return;
      if (this.active) this.toast(errorText(err));
      return;
    }
    this.renderList();
    this.renderMarkers();
  }

  renderList() {
    this.ui.list.replaceChildren(...this.items.map((item) => caseListItem(item, item.id === this.selected)));
    this.ui.empty.hidden = this.items.length > 0;
    const fresh = this.items.filter((c) => c.status === "received").length;
    this.ui.count.textContent = fresh ? String(fresh) : "";
    this.ui.none.hidden = !!this.selected;
    this.ui.back.hidden = !this.selected;
    this.ui.view.dataset.open = String(!!this.selected);
  }

  pick(li) {
    if (!li) return;
    this.selected = li.dataset.caseId;
    this.renderList();
    this.detail.open(this.selected);
  }

  closeCase() {
    this.selected = null;
    this.detail.clear();
    this.renderList();
  }

  ensureMap() {
    if (this.map) return;
    this.map = L.map(this.ui.map, { center: KZ_CENTER, zoom: 4, zoomSnap: 0.5 });
    this.markers = L.layerGroup().addTo(this.map);
    if (typeof ResizeObserver === "function") new ResizeObserver(() => this.map.invalidateSize()).observe(this.ui.map);
    api("/api/geo/regions").then((geojson) => {
      const regions = L.geoJSON(geojson, {
        interactive: false,
        style: () => ({ color: "#475569", weight: 1, opacity: 0.8, fillColor: "#ffffff", fillOpacity: 0.35 }),
      }).addTo(this.map);
      regions.bringToBack();
      if (!this.markers.getLayers().length && regions.getBounds().isValid()) this.map.fitBounds(regions.getBounds());
    }).catch(() => { /* outlines are a help, not a need */ });
    this.renderMarkers();
  }

  renderMarkers() {
    if (!this.map) return;
    this.markers.clearLayers();
    const points = [];
    for (const item of this.items) {
      const loc = item.location;
      if (!loc || typeof loc.lat !== "number" || typeof loc.lon !== "number") continue;
      const marker = L.circleMarker([loc.lat, loc.lon], {
        radius: item.id === this.selected ? 9 : 6, color: "#fff", weight: 2,
        fillColor: item.status === "received" ? "#c62828" : "#0b4fb3", fillOpacity: 1,
      });
      marker.bindTooltip(el("span", null, item.number), { direction: "top" });
      marker.on("click", () => this.pick(this.ui.list.querySelector(`[data-case-id="${CSS.escape(item.id)}"]`)));
      marker.addTo(this.markers);
      points.push([loc.lat, loc.lon]);
    }
    if (points.length && !this.selected) this.map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: OVERVIEW_MAX_ZOOM, animate: false });
  }

  focusCase(c) {
    this.renderMarkers();
    if (!this.map || !c || !c.location || typeof c.location.lat !== "number") return;
    this.map.setView([c.location.lat, c.location.lon], Math.max(this.map.getZoom(), CASE_ZOOM), { animate: false });
  }

  render() {
    this.renderFilters();
    this.renderList();
    this.detail.render();
  }
}
