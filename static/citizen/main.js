// Citizen page: wires the DOM to CitizenCall and renders its state (all text via textContent).

import { t, getLang, bindLangButtons, onLangChange } from "/static/i18n.js";
import { $, el, formatDuration } from "/static/util.js";
import { playWithSound } from "/static/webrtc.js";
import { CitizenCall, savedCall } from "/static/citizen/call.js";

const TERMINAL = new Set(["ended", "abandoned", "failed"]);
const ui = {
  status: $("call-status"),
  queue: $("queue-position"),
  location: $("location-status"),
  notice: $("media-notice"),
  startPanel: $("start-panel"),
  afterCall: $("after-call"),
  callPanel: $("call-panel"),
  stage: $("stage"),
  localVideo: $("local-video"),
  remoteVideo: $("remote-video"),
  unmute: $("btn-unmute-remote"),
  hangup: $("btn-hangup"),
  video: $("btn-video-call"),
  audio: $("btn-audio-call"),
  insecure: $("insecure-warning"),
};

// Everything the page shows, so a language switch can re-render it.
const view = {
  phase: "idle", // idle | active | ended
  state: "idle", // call state or connecting/reconnecting
  reason: null,
  queuePosition: null,
  waitStart: null, // local ms timestamp when waiting began
  fix: null, // last Location
  locError: null, // denied | unavailable | timeout
  notice: null, // i18n key
};
let wakeLock = null;

const call = new CitizenCall(
  {
    state(state) {
      view.state = state;
      render();
    },
    call(c) {
      view.state = c.state;
      view.queuePosition = c.queue_position ?? null;
      if (typeof c.waiting_s === "number") view.waitStart = Date.now() - c.waiting_s * 1000;
      render();
    },
    ended(state, reason) {
      view.phase = "ended";
      view.state = state;
      view.reason = reason;
      view.queuePosition = null;
      view.waitStart = null;
      ui.localVideo.srcObject = null;
      ui.remoteVideo.srcObject = null;
      ui.stage.classList.remove("has-remote-video");
      ui.unmute.hidden = true;
      releaseWakeLock();
      render();
      ui.video.focus();
    },
    localStream(stream, info) {
      ui.localVideo.srcObject = stream;
      ui.localVideo.muted = true;
      ui.stage.classList.toggle("no-local-video", !(info && info.video));
      if (stream) ui.localVideo.play().catch(() => {});
    },
    remoteStream(stream) {
      playWithSound(ui.remoteVideo, stream).then((withSound) => {
        ui.unmute.hidden = withSound;
      });
    },
    location(fix) {
      view.fix = fix;
      view.locError = null;
      renderLocation();
    },
    locationError(code) {
      view.locError = code;
      if (code === "denied") view.fix = null;
      renderLocation();
    },
    notice(key) {
      view.notice = key;
      renderNotice();
    },
  },
  getLang,
);

function statusText() {
  if (view.state === "reconnecting") return t("cit.status.reconnecting");
  let text = t(`cit.status.${view.state}`);
  if (TERMINAL.has(view.state) && view.reason) {
    const key = view.reason === "rate_limited" ? "error.rate_limited"
      : view.reason === "start_failed" ? "error.network" : `cit.reason.${view.reason}`;
    text += ` — ${t(key)}`;
  }
  return text;
}

// A supervisor joined the call (call:barge): shown for as long as they are in it.
const bargeNotice = el("p", "notice");
bargeNotice.id = "barge-notice";
bargeNotice.setAttribute("role", "status");
bargeNotice.hidden = true;
ui.notice.after(bargeNotice);
let bargeSocket = null;
let barging = false;

function watchBarge() {
  const socket = call.ensureSocket();
  if (socket === bargeSocket) return;
  bargeSocket = socket;
  socket.on("call:barge", (msg) => {
    barging = !!(msg && msg.call_id === call.callId && msg.active);
    renderBarge();
  });
}

function renderBarge() {
  bargeNotice.hidden = !(barging && view.phase === "active");
  bargeNotice.textContent = t("cit.barge");
}

function render() {
  document.body.dataset.phase = view.phase;
  // data-state stays within the protocol's states (+ idle/connecting); reconnecting shows as connecting.
  ui.status.dataset.state = view.state === "reconnecting" ? "connecting" : view.state;
  ui.status.textContent = statusText();
  ui.startPanel.hidden = view.phase === "active";
  ui.callPanel.hidden = view.phase !== "active";
  ui.afterCall.hidden = view.phase !== "ended";
  renderQueue();
  renderLocation();
  renderNotice();
  renderBarge();
}

function renderQueue() {
  const waiting = view.phase === "active" && (view.state === "queued" || view.state === "offered") && view.waitStart != null;
  ui.queue.hidden = !waiting;
  if (!waiting) {
    ui.queue.textContent = "";
    return;
  }
  const time = formatDuration((Date.now() - view.waitStart) / 1000);
  ui.queue.textContent = view.state === "queued" && view.queuePosition
    ? t("cit.queue_position", { pos: view.queuePosition, time })
    : t("cit.waiting", { time });
}

function renderLocation() {
  const el = ui.location;
  if (view.phase !== "active") {
    el.hidden = true;
    return;
  }
  el.hidden = false;
  if (view.fix) {
    const f = view.fix;
    el.dataset.state = "fix";
    el.textContent = t("cit.loc.fix", {
      lat: f.lat.toFixed(5),
      lon: f.lon.toFixed(5),
      acc: f.accuracy_m != null ? Math.round(f.accuracy_m) : "?",
    });
  } else if (view.locError === "denied") {
    el.dataset.state = "none";
    el.textContent = t("cit.loc.denied");
  } else if (view.locError) {
    el.dataset.state = "none";
    el.textContent = t("cit.loc.none");
  } else {
    el.dataset.state = "locating";
    el.textContent = t("cit.loc.locating");
  }
}

function renderNotice() {
  ui.notice.hidden = !(view.notice && view.phase === "active");
  ui.notice.textContent = view.notice ? t(view.notice) : "";
}

function beginCall(media, saved) {
  view.phase = "active";
  view.state = "connecting";
  view.reason = null;
  view.queuePosition = null;
  view.waitStart = null;
  view.fix = null;
  view.locError = null;
  view.notice = null;
  barging = false;
  ui.stage.dataset.media = media;
  ui.stage.classList.remove("has-remote-video", "no-local-video");
  render();
  requestWakeLock();
  if (saved) call.resume(saved);
  else call.start(media);
  watchBarge();
  ui.hangup.focus();
}

async function requestWakeLock() {
  try {
    if (!("wakeLock" in navigator)) return;
    wakeLock = await navigator.wakeLock.request("screen");
    wakeLock.addEventListener("release", () => { wakeLock = null; });
  } catch { /* not allowed: fine */ }
}

function releaseWakeLock() {
  if (wakeLock) wakeLock.release().catch(() => {});
  wakeLock = null;
}

// ---------- wiring ----------
bindLangButtons();
onLangChange(render);
ui.insecure.hidden = window.isSecureContext !== false;
ui.video.addEventListener("click", () => beginCall("video"));
ui.audio.addEventListener("click", () => beginCall("audio"));
ui.hangup.addEventListener("click", () => call.hangup());
ui.unmute.addEventListener("click", () => {
  ui.remoteVideo.muted = false;
  ui.remoteVideo.play().then(() => { ui.unmute.hidden = true; }).catch(() => {});
});
// Show the operator's picture only once real frames arrive (audio-only otherwise).
const markVideo = () => ui.stage.classList.toggle("has-remote-video", ui.remoteVideo.videoWidth > 0);
ui.remoteVideo.addEventListener("resize", markVideo);
ui.remoteVideo.addEventListener("loadeddata", markVideo);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && view.phase === "active" && !wakeLock) requestWakeLock();
});
setInterval(renderQueue, 1000);

render();
// A reload during a call: take it back (the server keeps it for 30 s).
const saved = savedCall();
if (saved) beginCall(saved.media === "audio" ? "audio" : "video", saved);
