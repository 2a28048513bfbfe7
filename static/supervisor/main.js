// Supervisor console bootstrap: login, Socket.IO /supervisor, live sessions, monitor and barge,
// recordings of ended calls. All text goes in with textContent.

import { io } from "/vendor/socket.io-client/socket.io.esm.min.js";
import { t, bindLangButtons, onLangChange } from "/static/i18n.js";
import { $, request, formatDuration } from "/static/util.js";
import { playWithSound } from "/static/webrtc.js";
import { errorText } from "/static/console/format.js";
import { SessionsPanel } from "/static/supervisor/sessions.js";
import { MonitorSession } from "/static/supervisor/monitor.js";
import { RecordingsPanel } from "/static/supervisor/recordings.js";

const SUPERVISING_ROLES = new Set(["supervisor", "admin"]);
const ui = {
  loginView: $("login-view"), appView: $("app-view"), form: $("login-form"), username: $("login-username"),
  password: $("login-password"), submit: $("login-submit"), loginError: $("login-error"),
  userInfo: $("user-info"), userName: $("user-name"), userRole: $("user-role"), logout: $("btn-logout"),
  connBanner: $("conn-banner"), toast: $("toast"),
  monitorIdle: $("monitor-idle"), monitorActive: $("monitor-active"), monitorState: $("monitor-state"),
  monitorCall: $("monitor-call"), monitorTimer: $("monitor-timer"), monitorVideo: $("monitor-video"),
  operatorAudio: $("monitor-operator-audio"), monitorStatus: $("monitor-status"), bargeLive: $("barge-live"),
  bargeStart: $("btn-barge-start"), bargeStop: $("btn-barge-stop"), unmute: $("btn-unmute"),
  monitorStop: $("btn-monitor-stop"),
};

let socket = null;
let user = null;
let monitor = null; // MonitorSession
let watched = null; // SessionItem of the monitored call
let statusKey = null; // i18n key shown under the monitor
let toastTimer = null;
let directoryAsked = 0;

function toast(text) {
  ui.toast.textContent = text;
  ui.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { ui.toast.hidden = true; }, 6000);
}

function errorMessage(e) {
  if (e && e.code === "no_microphone") return t("sup.err.no_microphone");
  return errorText(e);
}

const sessions = new SessionsPanel(
  { list: $("sessions"), empty: $("sessions-empty"), count: $("sessions-count") },
  { onMonitor: (call) => startMonitor(call), onUnknownOperator: () => loadDirectory() },
);
const recordings = new RecordingsPanel(
  {
    list: $("recordings"), empty: $("recordings-empty"), player: $("player"), title: $("player-title"),
    video: $("recording-video"), error: $("player-error"), refresh: $("btn-recordings-refresh"),
  },
  { centreName: (id) => sessions.centres.get(id) || id, onError: (e) => toast(errorMessage(e)) },
);

// ---------- views ----------
function showLogin(errorKey) {
  document.body.dataset.view = "login";
  ui.loginView.hidden = false;
  ui.appView.hidden = true;
  ui.userInfo.hidden = true;
  ui.logout.hidden = true;
  ui.connBanner.hidden = true;
  ui.loginError.hidden = !errorKey;
  ui.loginError.textContent = errorKey ? t(errorKey) : "";
  if (errorKey) ui.loginError.dataset.key = errorKey;
  ui.submit.disabled = false;
  ui.username.focus();
}

function showApp() {
  document.body.dataset.view = "app";
  ui.loginView.hidden = true;
  ui.appView.hidden = false;
  ui.userInfo.hidden = false;
  ui.logout.hidden = false;
  ui.userName.textContent = (user && (user.display_name || user.username)) || "";
  ui.userRole.textContent = user ? t(`sup.role.${user.role}`) : "";
}

function renderMonitor() {
  const on = !!(monitor && monitor.active && watched);
  ui.monitorIdle.hidden = on;
  ui.monitorActive.hidden = !on;
  const barging = !!(monitor && monitor.barging);
  ui.monitorActive.dataset.barging = String(barging);
  ui.bargeLive.hidden = !barging;
  ui.bargeStart.hidden = barging;
  ui.bargeStop.hidden = !barging;
  ui.monitorStatus.hidden = !statusKey;
  ui.monitorStatus.textContent = statusKey ? t(statusKey) : "";
  if (!on) return;
  const live = sessions.get(watched.id) || watched;
  ui.monitorState.className = `badge state state-${live.state}`;
  ui.monitorState.textContent = t(`state.${live.state}`);
  const geo = live.geo || {};
  const operator = live.operator_id ? sessions.operators.get(live.operator_id) || live.operator_name : null;
  ui.monitorCall.textContent = [sessions.centres.get(live.centre) || live.centre_name || live.centre,
    geo.region_name || live.region_code, operator].filter(Boolean).join(" · ");
  ui.bargeStart.disabled = live.state !== "connected";
  tickMonitor();
}

function tickMonitor() {
  if (!watched) return;
  const live = sessions.get(watched.id) || watched;
  const [key, seconds] = sessions.clock(live);
  ui.monitorTimer.textContent = `${t(key)} ${formatDuration(seconds)}`;
}

// ---------- HTTP ----------
async function api(path, opts = {}) {
  const res = await fetch(path, {
    credentials: "same-origin",
    headers: opts.body ? { "Content-Type": "application/json" } : undefined,
    ...opts,
  });
  let body = null;
  try { body = await res.json(); } catch { /* empty or not JSON */ }
  return { status: res.status, ok: res.ok && (!body || body.ok !== false), body };
}

async function login(ev) {
  ev.preventDefault();
  const username = ui.username.value.trim();
  const password = ui.password.value;
  if (!username || !password) return showLogin("con.login.invalid");
  ui.submit.disabled = true;
  ui.loginError.hidden = true;
  let r;
  try {
    r = await api("/api/auth/login", { method: "POST", body: JSON.stringify({ username, password }) });
  } catch {
    return showLogin("error.network");
  }
  ui.submit.disabled = false;
  if (!r.ok) {
    return showLogin(r.status === 429 ? "error.rate_limited" : r.status === 401 || r.status === 400 ? "con.login.invalid" : "error.network");
  }
  ui.password.value = "";
  await startApp(r.body.user);
}

async function logout() {
  if (monitor) await monitor.stop();
  try { await api("/api/auth/logout", { method: "POST" }); } catch { /* the session dies anyway */ }
  stopSocket();
  user = null;
  showLogin();
}

// ---------- app ----------
async function startApp(me) {
  if (!SUPERVISING_ROLES.has(me.role)) {
    await api("/api/auth/logout", { method: "POST" }).catch(() => {});
    return showLogin("sup.login.forbidden");
  }
  user = me;
  showApp();
  connectSocket();
  recordings.load();
}

function connectSocket() {
  stopSocket();
  socket = io("/supervisor", { transports: ["websocket", "polling"], withCredentials: true });
  monitor = new MonitorSession(socket, {
    media(callerStream, operatorStream) {
      playWithSound(ui.monitorVideo, callerStream).then((withSound) => { ui.unmute.hidden = withSound; });
      playWithSound(ui.operatorAudio, operatorStream).then((withSound) => { if (!withSound) ui.unmute.hidden = false; });
    },
    state(state) {
      statusKey = state === "failed" ? "sup.media.failed" : state === "connected" ? null : statusKey;
      renderMonitor();
    },
    barging() { renderMonitor(); },
    ended(reason) {
      ui.monitorVideo.srcObject = null;
      ui.operatorAudio.srcObject = null;
      watched = null;
      sessions.setMonitored(null);
      statusKey = null;
      renderMonitor();
      if (reason === "replaced") toast(t("sup.replaced"));
      else if (reason === "call_ended") {
        toast(t("sup.call_over"));
        setTimeout(() => recordings.load(), 1500); // its recording is stored as the call closes
      }
    },
    error(e) { toast(errorMessage(e)); },
  });
  socket.on("connect", () => {
    ui.connBanner.hidden = true;
    loadDirectory(true);
    // A reconnect lost the server's side of the monitor: take it up again.
    if (watched && monitor && !monitor.active) startMonitor(watched);
  });
  socket.on("disconnect", (reason) => {
    if (reason === "io client disconnect") return;
    ui.connBanner.hidden = false;
    if (monitor && monitor.active) {
      const keep = watched;
      monitor.teardown();
      watched = keep;
    }
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", (err) => {
    const code = err && err.data && err.data.code;
    if (code === "unauthenticated" || code === "forbidden") {
      stopSocket();
      showLogin(code === "forbidden" ? "sup.login.forbidden" : undefined);
    } else {
      ui.connBanner.hidden = false;
    }
  });
  socket.on("sessions:update", (msg) => {
    sessions.update((msg && msg.calls) || []);
    if (watched && monitor && monitor.active && !sessions.get(watched.id)) monitor.drop("call_ended");
    renderMonitor();
  });
  // A media leg of some call failed (a dead media worker shows as several at once); the
  // parties' clients re-offer by themselves, the supervisor is told so they can watch it.
  socket.on("media:lost", (msg) => {
    if (msg && msg.call_id) toast(t("sup.media_lost").replace("{party}", t(`sup.party.${msg.party}`) || msg.party).replace("{call}", msg.call_id.slice(0, 8)));
  });
  socket.on("monitor:ended", (msg) => {
    if (msg && watched && msg.call_id === watched.id) monitor.drop(msg.reason || "ended");
  });
}

async function loadDirectory(force = false) {
  // Unknown operator ids come with every update until the answer arrives: ask at most every 5 s.
  if (!socket || (!force && Date.now() - directoryAsked < 5000)) return;
  directoryAsked = Date.now();
  try {
    sessions.setDirectory(await request(socket, "directory:get", {}));
    renderMonitor();
  } catch (e) {
    console.warn("directory:get", e);
  }
}

async function startMonitor(call) {
  if (!monitor) return;
  if (monitor.active) await monitor.stop(); // one call at a time
  watched = call;
  statusKey = "sup.media.connecting";
  sessions.setMonitored(call.id);
  renderMonitor();
  try {
    const detail = await monitor.start(call.id);
    if (detail && watched && watched.id === call.id) watched = { ...call, ...detail };
    renderMonitor();
  } catch (e) {
    toast(errorMessage(e));
    if (watched && watched.id === call.id) {
      if (monitor.active) await monitor.stop();
      watched = null;
      sessions.setMonitored(null);
      statusKey = null;
      renderMonitor();
    }
  }
}

async function barge(on) {
  ui.bargeStart.disabled = ui.bargeStop.disabled = true;
  try {
    await monitor.setBarge(on);
  } catch (e) {
    toast(errorMessage(e));
  } finally {
    ui.bargeStop.disabled = false;
    renderMonitor();
  }
}

function stopSocket() {
  if (monitor) monitor.teardown();
  monitor = null;
  watched = null;
  if (socket) {
    socket.removeAllListeners();
    socket.disconnect();
  }
  socket = null;
}

// ---------- wiring ----------
bindLangButtons();
onLangChange(() => {
  if (user) showApp();
  sessions.render();
  recordings.render();
  renderMonitor();
  if (!ui.loginError.hidden && ui.loginError.dataset.key) ui.loginError.textContent = t(ui.loginError.dataset.key);
});
ui.form.addEventListener("submit", login);
ui.logout.addEventListener("click", logout);
ui.bargeStart.addEventListener("click", () => barge(true));
ui.bargeStop.addEventListener("click", () => barge(false));
ui.monitorStop.addEventListener("click", () => monitor && monitor.stop());
ui.unmute.addEventListener("click", () => {
  for (const media of [ui.monitorVideo, ui.operatorAudio]) {
    media.muted = false;
    media.play().catch(() => {});
  }
  ui.unmute.hidden = true;
});
setInterval(tickMonitor, 1000);

(async function boot() {
  try {
    const r = await api("/api/auth/me");
    if (r.ok && r.body && r.body.user) return await startApp(r.body.user);
  } catch { /* not signed in or server down: show the form */ }
  showLogin();
})();
