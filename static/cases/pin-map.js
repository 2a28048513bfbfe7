// The "where" block of the citizen forms: a Leaflet map with a pin the citizen places and moves,
// the device's current position, and a photo's Exif position offered as a suggestion.
// Without configured tiles the map is a plain background with the pin and the accuracy circle.

import * as L from "/vendor/leaflet/leaflet-src.esm.js";
import { t } from "/static/i18n.js";
import { positionToLocation } from "/static/citizen/location.js";

const KZ_CENTER = [48.0, 67.5];
const KZ_ZOOM = 4;
const PIN_ZOOM = 15;
const GEO_OPTIONS = { enableHighAccuracy: true, maximumAge: 30000, timeout: 15000 };
const GEO_ERRORS = { 1: "denied", 2: "unavailable", 3: "unavailable" };

/** Leaflet renders attributions as HTML: keep configured text plain. */
function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export class PinMap {
  /**
   * ui: {map, status, locate, clear} elements; onChange(location|null) after every change.
   * The current value is `location`: a protocol Location object or null.
   */
  constructor(ui, { onChange } = {}) {
    this.ui = ui;
    this.onChange = onChange || (() => {});
    this.location = null;
    this.state = "none"; // none | locating | denied | unavailable | set
    this.map = L.map(ui.map, { center: KZ_CENTER, zoom: KZ_ZOOM, zoomSnap: 0.5 });
    L.control.scale({ imperial: false }).addTo(this.map);
    this.pin = null;
    this.circle = null;
    this.map.on("click", (ev) => this.setManual(ev.latlng.lat, ev.latlng.lng));
    ui.locate.addEventListener("click", () => this.locate());
    ui.clear.addEventListener("click", () => this.clear());
    if (typeof ResizeObserver === "function") new ResizeObserver(() => this.map.invalidateSize()).observe(ui.map);
    this.render();
    this.loadOutlines();
  }

  /** Region outlines (public, offline): without tiles they are the only geography shown. */
  async loadOutlines() {
    try {
      const response = await fetch("/api/geo/regions");
      if (!response.ok) return;
      const outlines = L.geoJSON(await response.json(), {
        interactive: false,
        style: () => ({ color: "#5a6b85", weight: 1, opacity: 0.8, fillColor: "#ffffff", fillOpacity: 0.3, className: "region-outline" }),
      }).addTo(this.map);
      outlines.bringToBack();
    } catch (_) {
      // The pin still works without outlines.
    }
  }

  /** Optional tiles from /api/client-config (`tile_url`, `tile_attribution`), when the server offers them. */
  configure(config) {
    if (config && config.boundary_attribution) this.map.attributionControl.addAttribution(escapeHtml(config.boundary_attribution));
    if (!config || !config.tile_url) return;
    L.tileLayer(config.tile_url, {
      maxZoom: 19,
      attribution: config.tile_attribution ? escapeHtml(config.tile_attribution) : "",
    }).addTo(this.map);
    this.ui.map.classList.add("has-tiles");
  }

  locate() {
    if (!("geolocation" in navigator)) {
      this.state = "unavailable";
      this.render();
      return;
    }
    this.state = "locating";
    this.render();
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const loc = positionToLocation(pos);
        if (!Number.isFinite(loc.lat) || !Number.isFinite(loc.lon)) return;
        this.set(loc);
      },
      (err) => {
        this.state = GEO_ERRORS[err && err.code] || "unavailable";
        this.render();
      },
      GEO_OPTIONS,
    );
  }

  /** A point the citizen chose on the map. */
  setManual(lat, lon) {
    this.set({ lat, lon: L.Util.wrapNum(lon, [-180, 180], true), accuracy_m: null, fixed_at: Date.now() / 1000, source: "manual" });
  }

  /** A photo's Exif position (from exif.js). */
  setFromPhoto(gps) {
    const fixedAt = gps.taken_at && gps.taken_at * 1000 <= Date.now() ? gps.taken_at : Date.now() / 1000;
    this.set({ lat: gps.lat, lon: gps.lon, accuracy_m: gps.accuracy_m || null, fixed_at: fixedAt, source: "photo_exif" });
  }

  set(location) {
    this.location = location;
    this.state = "set";
    const ll = L.latLng(location.lat, location.lon);
    if (!this.pin) {
      const icon = L.divIcon({ className: "case-pin", iconSize: [28, 28], iconAnchor: [14, 28] });
      this.pin = L.marker(ll, { draggable: true, autoPan: true, icon, keyboard: true }).addTo(this.map);
      this.pin.on("dragend", () => {
        const p = this.pin.getLatLng();
        this.setManual(p.lat, p.lng);
      });
    } else {
      this.pin.setLatLng(ll);
    }
    const acc = location.accuracy_m;
    if (acc) {
      if (!this.circle) this.circle = L.circle(ll, { radius: acc, color: "#0b4fb3", weight: 1, fillOpacity: 0.1, interactive: false }).addTo(this.map);
      else this.circle.setLatLng(ll).setRadius(acc);
    } else if (this.circle) {
      this.circle.remove();
      this.circle = null;
    }
    if (location.source !== "manual") this.map.setView(ll, Math.max(this.map.getZoom(), PIN_ZOOM), { animate: false });
    this.render();
    this.onChange(this.location);
  }

  clear() {
    this.location = null;
    this.state = "none";
    if (this.pin) this.pin.remove();
    if (this.circle) this.circle.remove();
    this.pin = null;
    this.circle = null;
    this.render();
    this.onChange(null);
  }

  render() {
    const { status, clear, locate } = this.ui;
    status.dataset.state = this.state;
    clear.hidden = !this.location;
    locate.disabled = this.state === "locating";
    if (this.state === "set") {
      const loc = this.location;
      const src = loc.source === "browser"
        ? t("loc.src.browser", { acc: loc.accuracy_m ? Math.round(loc.accuracy_m) : "?" })
        : t(`loc.src.${loc.source}`);
      status.textContent = `${t("loc.chosen", { lat: loc.lat.toFixed(5), lon: loc.lon.toFixed(5) })} (${src})`;
    } else {
      status.textContent = t({ locating: "loc.locating", denied: "loc.denied", unavailable: "loc.unavailable" }[this.state] || "loc.none");
    }
  }

  invalidate() {
    this.map.invalidateSize();
  }
}
