// One citizen call: signaling over Socket.IO /citizen, media over one RTCPeerConnection,
// location updates, resume after a reconnect or a page reload (docs/protocol.md).
// The UI is driven through the `hooks` callbacks; this module never touches the DOM.

import { io } from "/vendor/socket.io-client/socket.io.esm.min.js";
import { request } from "/static/util.js";
import { fetchIceServers, getLocalMedia, createPeer, negotiate, closePeer, stopStream } from "/static/webrtc.js";
import { LocationWatcher } from "/static/citizen/location.js";

const STORE_KEY = "e102.call"; // sessionStorage: {call_id, resume_token, media}
const TERMINAL = new Set(["ended", "abandoned", "failed"]);
const FIRST_FIX_WAIT_MS = 3000;
const LOCATION_MIN_INTERVAL_MS = 1000;

export function savedCall() {
  try {
    const v = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
    return v && v.call_id && v.resume_token ? v : null;
  } catch {
    return null;
  }
}

/**
 * hooks: {state(state), call(CitizenCall), ended(state, reason), localStream(stream|null, info),
 *         remoteStream(stream), location(Location), locationError(code), notice(i18nKey|null)}
 */
export class CitizenCall {
  constructor(hooks, getLang) {
    this.hooks = hooks;
    this.getLang = getLang;
    this.socket = null;
    this.attempt = 0; // bumped by every start/resume; stale async work checks it
    this.reset();
  }

  reset() {
    this.active = false; // between start and finish
    this.media = null; // "video" | "audio"
    this.callId = null;
    this.resumeToken = null;
    this.localStream = null;
    this.mediaReady = null; // Promise of getLocalMedia result
    this.pc = null;
    this.pcGeneration = 0;
    this.offerRetries = 0;
    this.location = null; // LocationWatcher
    this.lastFix = null;
    this.sentFix = null;
    this.locationTimer = null;
    this.lastLocationSentAt = 0;
  }

  /** True while `attempt` is still the live call (not finished, not replaced by a new call). */
  isCurrent(attempt) {
    return this.active && attempt === this.attempt;
  }

  // ---------- socket ----------
  ensureSocket() {
    if (this.socket) return this.socket;
    const socket = io("/citizen", { transports: ["websocket", "polling"] });
    socket.on("connect", () => this.onConnect());
    socket.on("disconnect", (reason) => {
      if (this.active && this.callId) this.hooks.state("reconnecting");
      // The server dropped us on purpose: reconnect by hand (socket.io does not).
      if (reason === "io server disconnect" && this.active) socket.connect();
    });
    socket.on("call:status", (call) => this.onStatus(call));
    // Our media leg died on the server (e.g. its worker process): offer again at once rather
    // than wait ~30 s for the browser's ICE consent check to notice.
    socket.on("media:lost", (msg) => {
      if (msg && msg.party === "citizen" && msg.call_id === this.callId && this.active) {
        this.offerRetries = 0;
        this.setupMedia();
      }
    });
    socket.on("call:ended", (msg) => {
      if (msg && msg.call_id === this.callId) this.finish(msg.state || "ended", msg.reason || null);
    });
    socket.on("error", (err) => console.warn("server error event", err));
    this.socket = socket;
    return socket;
  }

  waitConnected() {
    const socket = this.ensureSocket();
    if (socket.connected) return Promise.resolve();
    return new Promise((resolve) => socket.once("connect", resolve));
  }

  async onConnect() {
    // A reconnect while a call is live: prove ownership, then re-offer media.
    if (!this.active || !this.callId || !this.resumeToken) return;
    try {
      const ack = await request(this.socket, "call:resume", { call_id: this.callId, resume_token: this.resumeToken });
      this.onStatus(ack.call);
      if (!this.active) return;
      this.sentFix = null; // resend the newest fix on this socket
      this.scheduleLocation();
      await this.setupMedia();
    } catch (e) {
      console.warn("call:resume failed", e);
      if (e.code === "unknown_call" || e.code === "forbidden" || e.code === "illegal_transition") {
        this.finish("ended", "caller_lost");
      }
    }
  }

  // ---------- start / resume ----------
  async start(media) {
    if (this.active) return;
    this.reset();
    const attempt = ++this.attempt;
    this.active = true;
    this.media = media;
    this.hooks.state("connecting");
    this.ensureSocket();
    this.startLocation();
    this.startMedia();
    fetchIceServers();

    const [{ location, error }] = await Promise.all([this.location.firstFix(FIRST_FIX_WAIT_MS), this.waitConnected()]);
    if (!this.isCurrent(attempt)) return; // hung up while waiting
    let ack;
    try {
      ack = await request(this.socket, "call:start", {
        media,
        lang: this.getLang(),
        location: location || null,
        location_error: location ? null : error || "timeout",
      }, 15000);
    } catch (e) {
      console.warn("call:start failed", e);
      if (this.isCurrent(attempt)) this.finish("failed", e.code === "rate_limited" ? "rate_limited" : "start_failed");
      return;
    }
    if (!this.isCurrent(attempt)) {
      // The caller hung up while call:start was in flight: end the call it created.
      request(this.socket, "call:hangup", { call_id: ack.call.id }).catch(() => {});
      return;
    }
    this.callId = ack.call.id;
    this.resumeToken = ack.resume_token;
    try {
      sessionStorage.setItem(STORE_KEY, JSON.stringify({ call_id: this.callId, resume_token: this.resumeToken, media }));
    } catch { /* private mode */ }
    this.sentFix = location || null;
    if (ack.location_rejected) {
      console.warn("location rejected", ack.location_rejected);
      this.sentFix = null;
      if (!this.lastFix || this.lastFix === location) this.hooks.locationError("unavailable");
    }
    this.onStatus(ack.call);
    this.scheduleLocation(); // a fix that came after the first wait
    await this.setupMedia();
  }

  /** After a page reload: take the call back with the stored resume token. */
  resume(saved) {
    if (this.active) return;
    this.reset();
    this.attempt += 1;
    this.active = true;
    this.media = saved.media === "audio" ? "audio" : "video";
    this.callId = saved.call_id;
    this.resumeToken = saved.resume_token;
    this.hooks.state("connecting");
    this.startLocation();
    this.startMedia();
    const socket = this.ensureSocket();
    if (socket.connected) this.onConnect(); // otherwise the connect handler resumes
  }

  // ---------- location ----------
  startLocation() {
    this.location = new LocationWatcher({
      onFix: (loc) => {
        this.lastFix = loc;
        this.hooks.location(loc);
        this.scheduleLocation();
      },
      onError: (code) => {
        if (!this.lastFix || code === "denied") this.hooks.locationError(code);
      },
    });
    this.location.start();
  }

  /** Send the newest fix, at most once per second (the trailing fix is always sent). */
  scheduleLocation() {
    if (this.locationTimer || !this.callId || !this.lastFix || this.lastFix === this.sentFix) return;
    const wait = Math.max(0, this.lastLocationSentAt + LOCATION_MIN_INTERVAL_MS - Date.now());
    this.locationTimer = setTimeout(() => {
      this.locationTimer = null;
      this.sendLocation();
    }, wait);
  }

  async sendLocation() {
    const fix = this.lastFix;
    if (!this.active || !this.callId || !fix || fix === this.sentFix) return;
    if (!this.socket.connected) return; // resent after call:resume
    this.sentFix = fix;
    this.lastLocationSentAt = Date.now();
    try {
      await request(this.socket, "location:update", { call_id: this.callId, location: fix });
    } catch (e) {
      console.warn("location:update failed", e);
      if (e.code === "timeout" && this.sentFix === fix) this.sentFix = null;
      if (e.code === "unknown_call") return;
    }
    this.scheduleLocation();
  }

  // ---------- media ----------
  startMedia() {
    const attempt = this.attempt;
    this.mediaReady = getLocalMedia(this.media === "video").then((res) => {
      if (!this.isCurrent(attempt)) {
        stopStream(res.stream);
        return res;
      }
      this.localStream = res.stream;
      this.hooks.localStream(res.stream, res);
      if (this.media === "video" && !res.video) this.hooks.notice(res.audio ? "cit.media.no_camera" : "cit.media.none");
      else if (!res.audio && !res.video) this.hooks.notice("cit.media.none");
      return res;
    });
  }

  /** (Re)build the peer connection and exchange offer/answer; the server replaces any old leg. */
  async setupMedia() {
    const attempt = this.attempt;
    await this.mediaReady;
    if (!this.isCurrent(attempt) || !this.callId) return;
    const iceServers = await fetchIceServers();
    if (!this.isCurrent(attempt)) return;
    const generation = ++this.pcGeneration; // no await between here and this.pc = pc
    closePeer(this.pc);
    // Always an audio and a video m-line (the server refuses offers lacking either); an audio
    // call has no camera track, so its video m-line is recvonly.
    const kinds = ["audio", "video"];
    const pc = createPeer({
      iceServers,
      stream: this.localStream,
      kinds,
      onTrack: (ev) => {
        const stream = ev.streams && ev.streams[0] ? ev.streams[0] : new MediaStream([ev.track]);
        this.hooks.remoteStream(stream);
      },
      onState: (st) => {
        if (generation !== this.pcGeneration) return;
        if (st === "connected") this.offerRetries = 0;
        if (st === "failed" && this.active) this.retryMedia(generation);
      },
    });
    this.pc = pc;
    try {
      await negotiate(pc, async (sdp) => {
        const ack = await request(this.socket, "media:offer", { call_id: this.callId, type: "offer", sdp }, 15000);
        return ack.sdp;
      });
      if (generation === this.pcGeneration) this.hooks.notice(null);
    } catch (e) {
      console.warn("media negotiation failed", e);
      if (generation !== this.pcGeneration || !this.active) return;
      if (e.code === "unknown_call" || e.code === "illegal_transition") return; // call is over; call:ended follows
      this.hooks.notice("cit.media.error");
      // Media workers all busy: the call itself is alive and queued, so keep trying while it lives.
      this.retryMedia(generation, e.code === "media_busy");
    }
  }

  retryMedia(generation, unlimited = false) {
    if (generation !== this.pcGeneration || (!unlimited && this.offerRetries >= 5)) return;
    if (!unlimited) this.offerRetries += 1;
    const delay = unlimited ? 3000 : 1000 * this.offerRetries;
    setTimeout(() => {
      if (this.active && generation === this.pcGeneration && this.socket.connected) this.setupMedia();
    }, delay);
  }

  // ---------- status / end ----------
  onStatus(call) {
    if (!call || (this.callId && call.id !== this.callId)) return;
    if (TERMINAL.has(call.state)) {
      this.finish(call.state, call.reason || null);
      return;
    }
    this.hooks.call(call);
  }

  async hangup() {
    if (!this.active) return;
    if (!this.callId) {
      // Still starting: start() notices (isCurrent) and hangs up the call if the ack comes later.
      this.finish("abandoned", "caller_hangup");
      return;
    }
    const callId = this.callId;
    let state = "ended";
    try {
      const ack = await request(this.socket, "call:hangup", { call_id: callId }, 5000);
      state = ack.state || state;
    } catch (e) {
      console.warn("call:hangup failed", e);
    }
    if (this.callId === callId) this.finish(state, "caller_hangup");
  }

  finish(state, reason) {
    if (!this.active) return;
    this.active = false;
    clearTimeout(this.locationTimer);
    if (this.location) this.location.stop();
    this.pcGeneration += 1;
    closePeer(this.pc);
    stopStream(this.localStream);
    try { sessionStorage.removeItem(STORE_KEY); } catch { /* ignore */ }
    this.reset();
    this.hooks.ended(state, reason);
  }
}
