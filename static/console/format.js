// Formatting helpers and the server clock for the operator console (all output is plain text).

import { t, has, getLang } from "/static/i18n.js";
import { el, formatDuration } from "/static/util.js";

/**
 * Server clock estimate. The protocol has no explicit server time, so every QueueItem
 * (enqueued_at + waiting_s = server "now" when it was sent) and call:location (received_at)
 * gives a sample; we keep the latest offset (server - local, seconds).
 */
export const clock = {
  offset: 0,
  known: false,
  observe(serverNow) {
    if (typeof serverNow !== "number" || !Number.isFinite(serverNow)) return;
    this.offset = serverNow - Date.now() / 1000;
    this.known = true;
  },
  observeItems(items) {
    for (const it of items || []) {
      if (typeof it.enqueued_at === "number" && typeof it.waiting_s === "number") {
        this.observe(it.enqueued_at + it.waiting_s);
        return;
      }
    }
  },
  now() {
    return Date.now() / 1000 + this.offset;
  },
};

/** Seconds a queue item has waited, ticking with the server clock. */
export function waitingSeconds(item) {
  if (typeof item.enqueued_at === "number") return Math.max(0, clock.now() - item.enqueued_at);
  return item.waiting_s || 0;
}

/** Region name in the current language from a geo object. */
export function regionName(geo) {
  if (!geo) return "";
  const lang = getLang();
  return (lang !== "en" && geo[`region_name_${lang}`]) || geo.region_name || "";
}

/** "KZ-75 Алматы" from a geo object and/or a bare region code. */
export function regionLabel(geo, fallbackCode) {
  const code = (geo && geo.region_code) || fallbackCode || "";
  return [code, regionName(geo)].filter(Boolean).join(" ") || "—";
}

/** Address in the current language (address_ru / address_kk / address). */
export function addressText(geo) {
  if (!geo) return "";
  const lang = getLang();
  return (lang !== "en" && geo[`address_${lang}`]) || geo.address || "";
}

/** "43.23890, 76.88970 ± 13 m" */
export function coordsText(loc) {
  if (!loc || typeof loc.lat !== "number" || typeof loc.lon !== "number") return t("con.no_fix");
  const acc = typeof loc.accuracy_m === "number" ? ` ± ${Math.round(loc.accuracy_m)} ${t("unit.m")}` : "";
  return `${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)}${acc}`;
}

/** "850 m" / "12.4 km" */
export function distanceText(m) {
  if (typeof m !== "number") return "";
  return m < 1000 ? `${Math.round(m)} ${t("unit.m")}` : `${(m / 1000).toFixed(m < 10000 ? 1 : 0)} ${t("unit.km")}`;
}

/** "12 s" under a minute, else "mm:ss". */
export function ageText(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s} ${t("unit.s")}` : formatDuration(s);
}

const FLAG_LEVEL = {
  no_location: "alert", abroad: "alert", stale: "warn", low_accuracy: "warn", no_accuracy: "warn",
  nearest_region: "warn", fallback_centre: "warn",
};

/** Badge elements for a list of flags (unknown flags shown raw). */
export function flagBadges(flags) {
  const out = [];
  for (const f of new Set(flags || [])) {
    const key = `flag.${f}`;
    const b = el("span", `badge flag ${FLAG_LEVEL[f] || ""}`.trim(), has(key) ? t(key) : f);
    b.dataset.flag = f;
    out.push(b);
  }
  return out;
}

/** Localised media name and a small icon element. */
export function mediaIcon(media) {
  const span = el("span", `media-icon media-${media === "video" ? "video" : "audio"}`);
  const label = t(media === "video" ? "con.media.video" : "con.media.audio");
  span.title = label;
  span.setAttribute("aria-label", label);
  span.setAttribute("role", "img");
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  if (media === "video") {
    const poly = document.createElementNS(svg.namespaceURI, "polygon");
    poly.setAttribute("points", "23 7 16 12 23 17 23 7");
    const rect = document.createElementNS(svg.namespaceURI, "rect");
    for (const [k, v] of Object.entries({ x: 1, y: 5, width: 15, height: 14, rx: 2 })) rect.setAttribute(k, v);
    svg.append(poly, rect);
  } else {
    const path = document.createElementNS(svg.namespaceURI, "path");
    path.setAttribute("d", "M12 1a3 3 0 0 0-3 3v8a3 3 0 0 0 6 0V4a3 3 0 0 0-3-3zM19 10v2a7 7 0 0 1-14 0v-2M12 19v4M8 23h8");
    svg.append(path);
  }
  span.append(svg);
  return span;
}

/** Localised state name. */
export function stateText(state) {
  return has(`state.${state}`) ? t(`state.${state}`) : state;
}

/** Localised unit kind (unknown kinds raw, underscores as spaces). */
export function unitKind(kind) {
  return has(`unit.${kind}`) ? t(`unit.${kind}`) : String(kind || "").replace(/_/g, " ");
}

/** Localised error message for an AckError-like {code, message}. */
export function errorText(err) {
  const key = `con.err.${err && err.code}`;
  if (has(key)) return t(key);
  if (err && err.code === "rate_limited") return t("error.rate_limited");
  if (err && (err.code === "timeout" || err.code === "unavailable")) return t("error.network");
  return t("error.generic", { msg: (err && (err.message || err.code)) || "?" });
}
