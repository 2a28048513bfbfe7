// Browser geolocation -> protocol Location objects (docs/protocol.md "Location object").

import { finiteOrNull } from "/static/util.js";

const WATCH_OPTIONS = { enableHighAccuracy: true, maximumAge: 0, timeout: 10000 };
const RESTART_AFTER_ERROR_MS = 15000;
const ERROR_CODES = { 1: "denied", 2: "unavailable", 3: "timeout" };

/** Convert a GeolocationPosition to the protocol's Location object. */
export function positionToLocation(pos) {
  const c = pos.coords;
  let heading = finiteOrNull(c.heading);
  if (heading != null) heading = ((heading % 360) + 360) % 360;
  let speed = finiteOrNull(c.speed);
  if (speed != null && speed < 0) speed = null;
  let altAcc = finiteOrNull(c.altitudeAccuracy);
  if (altAcc != null && altAcc < 0) altAcc = null;
  const acc = finiteOrNull(c.accuracy);
  return {
    lat: c.latitude,
    lon: c.longitude,
    accuracy_m: acc != null && acc > 0 ? Math.min(acc, 1e6) : null,
    altitude_m: finiteOrNull(c.altitude),
    altitude_accuracy_m: altAcc,
    heading_deg: heading,
    speed_mps: speed,
    fixed_at: (Number(pos.timestamp) || Date.now()) / 1000,
    source: "browser",
  };
}

/**
 * watchPosition wrapper. onFix(location) for every position, onError(code) with
 * code in denied|unavailable|timeout. Keeps watching after timeouts/unavailability (re-arming
 * the watch if nothing follows); stops for good on "denied".
 */
export class LocationWatcher {
  constructor({ onFix, onError } = {}) {
    this.onFix = onFix || (() => {});
    this.onError = onError || (() => {});
    this.watchId = null;
    this.restartTimer = null;
    this.last = null; // last Location
    this.lastError = null; // last error code
    this.waiters = []; // first-fix resolvers
    this.running = false;
    this.unsupported = false;
  }

  start() {
    if (this.running) return;
    this.running = true;
    if (!("geolocation" in navigator)) {
      this.unsupported = true;
      this._error("unavailable");
      return;
    }
    this._watch();
  }

  _watch() {
    if (!this.running) return;
    try {
      this.watchId = navigator.geolocation.watchPosition(
        (pos) => this._fix(pos),
        (err) => this._failed(err),
        WATCH_OPTIONS,
      );
    } catch {
      this._error("unavailable");
    }
  }

  _fix(pos) {
    if (!this.running) return;
    const loc = positionToLocation(pos);
    if (!Number.isFinite(loc.lat) || !Number.isFinite(loc.lon)) return;
    this.last = loc;
    this.lastError = null;
    clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this._resolveWaiters({ location: loc, error: null });
    this.onFix(loc);
  }

  _failed(err) {
    const code = ERROR_CODES[err && err.code] || "unavailable";
    this._error(code);
    if (code === "denied") {
      this._clearWatch();
      return;
    }
    // Browsers keep watching after a timeout/unavailable error, but not all reliably:
    // if no fix follows within a while, re-arm the watch.
    if (this.running && !this.restartTimer) {
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this._clearWatch();
        this._watch();
      }, RESTART_AFTER_ERROR_MS);
    }
  }

  _error(code) {
    this.lastError = code;
    // Only a refusal (or no geolocation at all) ends the wait early; other errors may clear up.
    if (code === "denied" || this.unsupported) this._resolveWaiters({ location: null, error: code });
    this.onError(code);
  }

  _resolveWaiters(result) {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve(result);
  }

  /** The first fix within timeoutMs -> {location, error}; error "timeout" when none came. */
  firstFix(timeoutMs = 3000) {
    if (this.last) return Promise.resolve({ location: this.last, error: null });
    if (this.lastError === "denied" || this.unsupported) {
      return Promise.resolve({ location: null, error: this.lastError });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve({ location: null, error: this.lastError || "timeout" });
      }, timeoutMs);
      const done = (result) => {
        clearTimeout(timer);
        resolve(result);
      };
      this.waiters.push(done);
    });
  }

  _clearWatch() {
    if (this.watchId != null && "geolocation" in navigator) navigator.geolocation.clearWatch(this.watchId);
    this.watchId = null;
  }

  stop() {
    this.running = false;
    clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this._clearWatch();
    this._resolveWaiters({ location: null, error: "unavailable" });
  }
}
