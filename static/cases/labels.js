// Names shown for case kinds, categories and statuses, and date formatting (plain text only).

import { t, has, getLang } from "/static/i18n.js";

export const CATEGORIES = [
  "traffic_violation", "road_accident", "domestic_dispute", "child_cruelty", "animal_cruelty", "hooliganism",
  "fight", "night_noise", "public_drunkenness", "drunk_driver", "suspicious_person", "other",
];
export const STATUSES = ["received", "assigned", "in_progress", "answered", "closed"];

function lookup(prefix, value) {
  const key = `${prefix}.${value}`;
  return has(key) ? t(key) : String(value ?? "").replace(/_/g, " ");
}

export const categoryText = (c) => lookup("cat", c);
export const statusText = (s) => lookup("cs", s);
export const kindText = (k) => lookup("kind", k);

const LOCALES = { kk: "kk-KZ", ru: "ru-RU", en: "en-GB" };

/** Local date and time for a Unix time in seconds ("" for none); `seconds` for logs. */
export function dateTimeText(unixSeconds, { seconds = false } = {}) {
  if (typeof unixSeconds !== "number" || !Number.isFinite(unixSeconds)) return "";
  const d = new Date(unixSeconds * 1000);
  try {
    return d.toLocaleString(LOCALES[getLang()] || undefined, { dateStyle: "medium", timeStyle: seconds ? "medium" : "short" });
  } catch {
    return d.toISOString();
  }
}

/** "43.23890, 76.88970" */
export function coordsText(lat, lon) {
  return `${Number(lat).toFixed(5)}, ${Number(lon).toFixed(5)}`;
}
