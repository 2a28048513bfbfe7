// The operator's current call: accept, media (one RTCPeerConnection with the server),
// location facts, map, hang-up and the ended state.

import { t } from "/static/i18n.js";
import { $, el, request, formatClock, formatDuration } from "/static/util.js";
import { fetchIceServers, getLocalMedia, createPeer, negotiate, closePeer, stopStream, playWithSound } from "/static/webrtc.js";
import {
  clock, regionLabel, addressText, coordsText, distanceText, ageText, flagBadges, mediaIcon, stateText, unitKind, errorText,
} from "/static/console/format.js";

const CLEAR_AFTER_MS = 5000;

export class CallPanel {
  /** deps: {map: CallMap, toast(text), onBusy(bool)}; call setSocket() before use. */
  constructor({ map, toast, onBusy }) {
    this.map = map;
    this.toast = toast;
    this.onBusy = onBusy;
    this.socket = null;
    this.call = null; // CallDetail (+ live updates)
    this.ended = null; // {state, reason} once over
    this.pc = null;
    this.stream = null;
    this.generation = 0;
    this.retries = 0;
    this.connectedAt = null;
    this.clearTimer = null;
    this.ui = {
      idle: $("call-idle"), active: $("call-active"), state: $("call-state"), media: $("call-media"),
      timer: $("call-timer"), endedMsg: $("call-ended-msg"), callerVideo: $("caller-video"), ownVideo: $("own-video"),
      unmute: $("btn-unmute"), mediaStatus: $("media-status"), regionChanged: $("region-changed"),
      region: $("call-region"), centre: $("call-centre"), coords: $("call-coords"), fixTime: $("call-fix-time"),
      address: $("call-address"), flags: $("call-flags"), units: $("nearest-units"), hangup: $("btn-hangup"),
      videos: $("call-videos"),
    };
    this.ui.hangup.addEventListener("click", () => this.hangup());
    this.ui.unmute.addEventListener("click", () => {
      this.ui.callerVideo.muted = false;
      this.ui.callerVideo.play().then(() => { this.ui.unmute.hidden = true; }).catch(() => {});
    });
    const markVideo = () => this.ui.videos.classList.toggle("has-caller-video", this.ui.callerVideo.videoWidth > 0);
    this.ui.callerVideo.addEventListener("resize", markVideo);
    this.ui.callerVideo.addEventListener("loadeddata", markVideo);
    setInterval(() => this.tick(), 1000);
  }

  setSocket(socket) {
    this.socket = socket;
  }

  get busy() {
    return !!this.call && !this.ended;
  }

  // ---------- accept / restore ----------
  async accept(callId) {
    if (this.busy) {
      this.toast(t("con.err.conflict"));
      return false;
    }
    let ack;
    try {
      ack = await request(this.socket, "call:accept", { call_id: callId });
    } catch (e) {
      this.toast(errorText(e));
      return false;
    }
    this.open(ack.call);
    this.startMedia();
    return true;
  }

  /** After a console reload while holding a call: show it again and re-offer media. */
  async restore(item) {
    if (this.busy || !item) return;
    let trail = [];
    try {
      const r = await fetch(`/api/calls/${encodeURIComponent(item.id)}`, { credentials: "same-origin" });
      if (r.ok) trail = ((await r.json()).call || {}).trail || [];
    } catch { /* the queue item is enough */ }
    this.open({ ...item, trail });
    this.startMedia();
  }

  open(detail) {
    clearTimeout(this.clearTimer);
    this.call = { ...detail, trail: detail.trail || [] };
    this.ended = null;
    this.connectedAt = detail.state === "connected" ? Date.now() : null;
    this.ui.regionChanged.hidden = true;
    this.ui.mediaStatus.hidden = true;
    this.ui.unmute.hidden = true;
    this.ui.videos.classList.remove("has-caller-video");
    this.ui.videos.dataset.media = detail.media === "audio" ? "audio" : "video";
    this.onBusy(true);
    this.map.showCall(this.call.trail, this.call.location);
    this.map.setUnits(this.call.geo && this.call.geo.nearest_units);
    this.render();
  }

  // ---------- media ----------
  async startMedia() {
    const res = await getLocalMedia(true);
    if (!this.busy) {
      stopStream(res.stream);
      return;
    }
    this.stream = res.stream;
    this.ui.ownVideo.srcObject = res.stream;
    this.ui.ownVideo.hidden = !res.video;
    if (res.stream) this.ui.ownVideo.play().catch(() => {});
    if (!res.stream) this.showMediaStatus("con.media.recv_only");
    await this.offer();
  }

  /** (Re)create the peer connection and exchange offer/answer; always able to receive audio+video. */
  async offer() {
    if (!this.busy) return;
    const callId = this.call.id;
    const iceServers = await fetchIceServers();
    if (!this.busy || this.call.id !== callId) return;
    const generation = ++this.generation;
    closePeer(this.pc);
    const pc = createPeer({
      iceServers,
      stream: this.stream,
      kinds: ["audio", "video"],
      onTrack: (ev) => {
        const stream = ev.streams && ev.streams[0] ? ev.streams[0] : new MediaStream([ev.track]);
        playWithSound(this.ui.callerVideo, stream).then((withSound) => { this.ui.unmute.hidden = withSound; });
      },
      onState: (st) => {
        if (generation !== this.generation) return;
        if (st === "connected") this.retries = 0;
        if (st === "failed") this.retry(generation);
      },
    });
    this.pc = pc;
    try {
      await negotiate(pc, async (sdp) => (await request(this.socket, "media:offer", { call_id: callId, type: "offer", sdp }, 15000)).sdp);
    } catch (e) {
      console.warn("operator media negotiation failed", e);
      if (generation !== this.generation || !this.busy) return;
      if (e.code === "unknown_call" || e.code === "illegal_transition") return;
      this.showMediaStatus("con.media.failed");
      this.retry(generation);
    }
  }

  retry(generation) {
    if (generation !== this.generation || this.retries >= 5) return;
    this.retries += 1;
    setTimeout(() => {
      if (generation === this.generation && this.busy && this.socket.connected) this.offer();
    }, 1000 * this.retries);
  }

  /** After a socket reconnect: the server may have dropped our leg, so offer again. */
  reoffer() {
    if (this.busy) {
      this.retries = 0;
      this.offer();
    }
  }

  showMediaStatus(key) {
    this.ui.mediaStatus.dataset.key = key;
    this.ui.mediaStatus.textContent = t(key);
    this.ui.mediaStatus.hidden = false;
  }

  stopMedia() {
    this.generation += 1;
    closePeer(this.pc);
    this.pc = null;
    stopStream(this.stream);
    this.stream = null;
    this.ui.callerVideo.srcObject = null;
    this.ui.ownVideo.srcObject = null;
  }

  // ---------- server events ----------
  /** queue:update: pick up state changes of our call. */
  onQueue(calls) {
    if (!this.busy) return;
    const item = calls.find((c) => c.id === this.call.id);
    if (!item) return;
    if (item.state === "connected" && !this.connectedAt) this.connectedAt = Date.now();
    Object.assign(this.call, { state: item.state, flags: item.flags || this.call.flags });
    this.render();
  }

  onLocation(msg) {
    if (!this.busy || !msg || msg.call_id !== this.call.id) return;
    if (typeof msg.received_at === "number") clock.observe(msg.received_at);
    this.call.location = msg.location;
    if (msg.geo) this.call.geo = msg.geo;
    this.call.trail.push({ ...msg.location, received_at: msg.received_at, region_code: msg.geo && msg.geo.region_code });
    this.map.addFix(msg.location);
    this.map.setUnits(msg.geo && msg.geo.nearest_units);
    if (msg.region_changed) {
      this.regionChangedTo = msg.geo;
      this.ui.regionChanged.hidden = false;
    }
    this.render();
  }

  onEnded(msg) {
    if (!this.busy || !msg || msg.call_id !== this.call.id) return;
    this.finish(msg.state || "ended", msg.reason || null);
  }

  async hangup() {
    if (!this.busy) return;
    const callId = this.call.id;
    this.ui.hangup.disabled = true;
    try {
      const ack = await request(this.socket, "call:hangup", { call_id: callId });
      if (this.busy && this.call.id === callId) this.finish(ack.state || "ended", "operator_hangup");
    } catch (e) {
      if (e.code === "unknown_call" || e.code === "illegal_transition") this.finish("ended", null);
      else this.toast(errorText(e));
    } finally {
      this.ui.hangup.disabled = false;
    }
  }

  finish(state, reason) {
    this.ended = { state, reason };
    this.call.state = state;
    this.stopMedia();
    this.onBusy(false);
    this.render();
    clearTimeout(this.clearTimer);
    this.clearTimer = setTimeout(() => this.clear(), CLEAR_AFTER_MS);
  }

  /** Empty the panel (after an ended call, or on logout). */
  clear() {
    clearTimeout(this.clearTimer);
    if (this.busy) this.stopMedia();
    const wasBusy = this.busy;
    this.call = null;
    this.ended = null;
    this.regionChangedTo = null;
    this.map.reset();
    if (wasBusy) this.onBusy(false);
    this.render();
  }

  // ---------- rendering ----------
  render() {
    const c = this.call;
    this.ui.idle.hidden = !!c;
    this.ui.active.hidden = !c;
    if (!c) return;
    const geo = c.geo || null;
    this.ui.state.textContent = stateText(c.state);
    this.ui.state.className = `badge state state-${c.state}`;
    this.ui.media.replaceChildren(mediaIcon(c.media));
    this.ui.endedMsg.hidden = !this.ended;
    if (this.ended) {
      const reason = this.ended.reason ? t(`reason.${this.ended.reason}`) : stateText(this.ended.state);
      this.ui.endedMsg.textContent = t("con.call_ended", { reason });
    }
    this.ui.hangup.hidden = !!this.ended;
    this.ui.region.textContent = regionLabel(geo, c.region_code);
    this.ui.centre.textContent = c.centre_name || (geo && geo.centre_name) || c.centre || "—";
    this.ui.coords.textContent = coordsText(c.location);
    this.ui.address.textContent = addressText(geo) || "—";
    const flags = flagBadges([...(c.flags || []), ...((geo && geo.flags) || [])]);
    this.ui.flags.replaceChildren(...flags);
    if (!flags.length) this.ui.flags.textContent = "—";
    if (this.regionChangedTo) {
      this.ui.regionChanged.textContent = t("con.region_changed", { region: regionLabel(this.regionChangedTo) });
    }
    if (this.ui.mediaStatus.dataset.key) this.ui.mediaStatus.textContent = t(this.ui.mediaStatus.dataset.key);
    this.renderUnits(geo && geo.nearest_units);
    this.tick();
  }

  renderUnits(units) {
    const items = (units || []).map((u) => {
      const li = el("li", "unit");
      li.append(el("span", "unit-name", u.name || u.id || ""));
      const meta = [unitKind(u.kind), distanceText(u.distance_m), u.bearing || ""].filter(Boolean).join(" · ");
      li.append(el("span", "unit-meta", meta));
      return li;
    });
    this.ui.units.replaceChildren(...items);
    if (!items.length) this.ui.units.append(el("li", "unit empty", "—"));
  }

  /** Ticking parts: fix age and call duration. */
  tick() {
    const c = this.call;
    if (!c) return;
    const loc = c.location;
    if (loc && typeof loc.fixed_at === "number") {
      this.ui.fixTime.textContent = `${formatClock(loc.fixed_at)} (${t("con.ago", { age: ageText(clock.now() - loc.fixed_at) })})`;
    } else {
      this.ui.fixTime.textContent = "—";
    }
    this.ui.timer.textContent = this.connectedAt && !this.ended ? formatDuration((Date.now() - this.connectedAt) / 1000) : "";
  }
}
