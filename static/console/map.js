// Console map: region outlines without tiles (works offline), optional tile layer,
// the caller's position, accuracy circle, trail and nearest units.

import * as L from "/vendor/leaflet/leaflet-src.esm.js";
import { el } from "/static/util.js";

const KZ_CENTER = [48.0, 67.5];
const KZ_ZOOM = 4;
const MIN_VIEW_RADIUS_M = 400;
const COLORS = { caller: "#c62828", trail: "#c62828", accuracy: "#c62828", unit: "#0b4fb3", region: "#475569" };

/** Leaflet's attribution control renders HTML: escape server text so it stays plain text. */
function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** Tooltip content as a DOM node (a string would be parsed as HTML). */
function textNode(text) {
  return el("span", null, text);
}

export class CallMap {
  constructor(container) {
    this.map = L.map(container, { center: KZ_CENTER, zoom: KZ_ZOOM, zoomSnap: 0.5, worldCopyJump: false });
    this.regions = null;
    this.callLayer = L.layerGroup().addTo(this.map);
    this.unitLayer = L.layerGroup().addTo(this.map);
    this.trail = null;
    this.marker = null;
    this.accuracy = null;
    this.points = [];
    this.followCaller = true;
    // Once the operator pans/zooms by hand, stop re-fitting on every update.
    this.map.on("dragstart zoomstart", () => {
      if (!this.fitting) this.followCaller = false;
    });
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => this.map.invalidateSize()).observe(container);
    }
  }

  /** Apply /api/console/config: optional tiles, and the attributions (boundary credit is required). */
  configure(config) {
    const attr = this.map.attributionControl;
    if (config && config.tile_url) {
      L.tileLayer(config.tile_url, {
        maxZoom: 19,
        attribution: config.tile_attribution ? escapeHtml(config.tile_attribution) : "",
      }).addTo(this.map);
      this.map.getContainer().classList.add("has-tiles");
    }
    if (config && config.boundary_attribution) attr.addAttribution(escapeHtml(config.boundary_attribution));
  }

  /** Region outlines (GeoJSON FeatureCollection with properties.code / properties.name). */
  setRegions(geojson) {
    if (this.regions) this.regions.remove();
    this.regions = L.geoJSON(geojson, {
      interactive: true,
      style: () => ({ color: COLORS.region, weight: 1, opacity: 0.8, fillColor: "#ffffff", fillOpacity: 0.35, className: "region-outline" }),
      onEachFeature: (feature, layer) => {
        const p = feature.properties || {};
        const label = [p.code || feature.id, p.name].filter(Boolean).join(" ");
        if (label) layer.bindTooltip(textNode(label), { sticky: true, direction: "top", opacity: 0.9 });
      },
    }).addTo(this.map);
    this.regions.bringToBack();
    if (!this.marker) {
      const b = this.regions.getBounds();
      if (b.isValid()) this.map.fitBounds(b, { padding: [10, 10] });
    }
  }

  /** Start showing a call: its trail (oldest first) and current location. */
  showCall(trail, current) {
    this.clearCall();
    this.followCaller = true;
    const fixes = (trail || []).filter((p) => p && typeof p.lat === "number" && typeof p.lon === "number");
    if (current && typeof current.lat === "number" && !fixes.some((p) => sameFix(p, current))) fixes.push(current);
    for (const fix of fixes) this.addFix(fix, false);
    this.fit();
  }

  /** Add one caller fix: moves the marker and accuracy circle, extends the trail. */
  addFix(fix, fit = true) {
    if (!fix || typeof fix.lat !== "number" || typeof fix.lon !== "number") return;
    const ll = L.latLng(fix.lat, fix.lon);
    if (this.points.length) {
      // The previous head becomes a small trail dot.
      L.circleMarker(this.points[this.points.length - 1], {
        radius: 3, color: COLORS.trail, weight: 1, fillColor: "#fff", fillOpacity: 1, interactive: false, className: "trail-dot",
      }).addTo(this.callLayer);
    }
    this.points.push(ll);
    if (!this.trail) this.trail = L.polyline([], { color: COLORS.trail, weight: 2, opacity: 0.7, dashArray: "4 4", className: "caller-trail" }).addTo(this.callLayer);
    this.trail.setLatLngs(this.points);
    const acc = typeof fix.accuracy_m === "number" && fix.accuracy_m > 0 ? fix.accuracy_m : 0;
    if (!this.accuracy) {
      this.accuracy = L.circle(ll, { radius: acc, color: COLORS.accuracy, weight: 1, fillOpacity: 0.12, interactive: false, className: "accuracy-circle" }).addTo(this.callLayer);
    } else {
      this.accuracy.setLatLng(ll).setRadius(acc);
    }
    if (!this.marker) {
      this.marker = L.circleMarker(ll, { radius: 8, color: "#fff", weight: 3, fillColor: COLORS.caller, fillOpacity: 1, className: "caller-marker" }).addTo(this.callLayer);
    } else {
      this.marker.setLatLng(ll);
    }
    this.marker.bringToFront();
    if (fit) this.fit(true);
  }

  /** Nearest units as small blue markers with name tooltips. */
  setUnits(units) {
    this.unitLayer.clearLayers();
    for (const u of units || []) {
      if (typeof u.lat !== "number" || typeof u.lon !== "number") continue;
      L.circleMarker([u.lat, u.lon], { radius: 6, color: "#fff", weight: 2, fillColor: COLORS.unit, fillOpacity: 1, className: "unit-marker" })
        .bindTooltip(textNode(u.name || u.id || ""), { direction: "top" })
        .addTo(this.unitLayer);
    }
  }

  /**
   * Fit to the caller (accuracy circle) with a sensible zoom. For updates (onUpdate) once the
   * operator has moved the map by hand, only pan if the caller left the view.
   */
  fit(onUpdate = false) {
    if (!this.marker) return;
    if (onUpdate && !this.followCaller) {
      const here = this.marker.getLatLng();
      if (!this.map.getBounds().contains(here)) this.map.panTo(here, { animate: false });
      return;
    }
    this.fitting = true;
    const ll = this.marker.getLatLng();
    // At least ~400 m around the caller so nearby streets/units stay in view.
    const r = Math.max(this.accuracy ? this.accuracy.getRadius() : 0, MIN_VIEW_RADIUS_M);
    // Metres -> degrees by hand (L.circle.getBounds needs the circle on a projected map).
    const dLat = (r / 111320) * 1.2;
    const dLon = dLat / Math.max(0.2, Math.cos((ll.lat * Math.PI) / 180));
    const bounds = L.latLngBounds([ll.lat - dLat, ll.lng - dLon], [ll.lat + dLat, ll.lng + dLon]);
    this.map.fitBounds(bounds, { maxZoom: 16, padding: [20, 20], animate: false });
    this.fitting = false;
  }

  clearCall() {
    this.callLayer.clearLayers();
    this.unitLayer.clearLayers();
    this.trail = null;
    this.marker = null;
    this.accuracy = null;
    this.points = [];
    this.followCaller = true;
  }

  /** Back to the whole country. */
  reset() {
    this.clearCall();
    const b = this.regions && this.regions.getBounds();
    if (b && b.isValid()) this.map.fitBounds(b, { padding: [10, 10] });
    else this.map.setView(KZ_CENTER, KZ_ZOOM);
  }

  invalidate() {
    this.map.invalidateSize();
  }
}

function sameFix(a, b) {
  return a.lat === b.lat && a.lon === b.lon && a.fixed_at === b.fixed_at;
}
