// Operator console bootstrap: login, configuration, map, Socket.IO /operator, wiring of panels.

import { io } from "/vendor/socket.io-client/socket.io.esm.min.js";
import { t, bindLangButtons, onLangChange } from "/static/i18n.js";
import { $, el, request } from "/static/util.js";
import { QueuePanel, OfferBanner, unlockAudio } from "/static/console/queue.js";
import { CallPanel } from "/static/console/call.js";
import { CallMap } from "/static/console/map.js";
import { errorText } from "/static/console/format.js";
import { ReportsTab } from "/static/console/cases.js";

const ui = {
  loginView: $("login-view"), appView: $("app-view"), form: $("login-form"), username: $("login-username"),
  password: $("login-password"), submit: $("login-submit"), loginError: $("login-error"),
  opInfo: $("op-info"), opName: $("op-name"), opCentre: $("op-centre"), available: $("btn-available"),
  logout: $("btn-logout"), connBanner: $("conn-banner"), toast: $("toast"),
};

let socket = null;
let map = null;
let operator = null; // operator:state.operator
let user = null; // /api/auth/me user
let available = false;
let toastTimer = null;
let restoring = false;

function toast(text) {
  ui.toast.textContent = text;
  ui.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { ui.toast.hidden = true; }, 6000);
}

const reports = new ReportsTab({ toast, onShowCalls: () => map && map.invalidate() });

const queue = new QueuePanel({
  listEl: $("queue"), emptyEl: $("queue-empty"), countEl: $("queue-count"),
  onAccept: (id) => acceptCall(id),
});
let callPanel = null; // created with the map
const offer = new OfferBanner(
  { banner: $("offer-banner"), info: $("offer-info"), countdown: $("offer-countdown"), accept: $("btn-offer-accept"), decline: $("btn-offer-decline") },
  {
    onAccept: (id) => acceptCall(id),
    onDecline: async (id) => {
      offer.hide(id);
      try { await request(socket, "call:decline", { call_id: id }); } catch (e) { if (e.code !== "unknown_call") toast(errorText(e)); }
    },
  },
);

async function acceptCall(id) {
  offer.hide(id);
  await callPanel.accept(id);
}

// ---------- views ----------
function showLogin(errorKey) {
  document.body.dataset.view = "login";
  ui.loginView.hidden = false;
  ui.appView.hidden = true;
  reports.hide();
  for (const x of [ui.opInfo, ui.available, ui.logout]) x.hidden = true;
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
  ui.opInfo.hidden = false;
  ui.available.hidden = false;
  ui.logout.hidden = false;
  reports.show(user);
  renderHeader();
}

function renderHeader() {
  const name = (operator && operator.display_name) || (user && (user.display_name || user.username)) || "";
  ui.opName.textContent = name;
  ui.opCentre.textContent = (operator && operator.centre_name) || (user && user.centre) || "";
  ui.available.dataset.available = String(available);
  ui.available.textContent = t(available ? "con.available" : "con.unavailable");
  ui.available.setAttribute("aria-pressed", String(available));
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
  unlockAudio(); // a user gesture: allows the offer beep later
  const username = ui.username.value.trim();
  const password = ui.password.value;
  if (!username || !password) {
    showLogin("con.login.invalid");
    return;
  }
  ui.submit.disabled = true;
  ui.loginError.hidden = true;
  let r;
  try {
    r = await api("/api/auth/login", { method: "POST", body: JSON.stringify({ username, password }) });
  } catch {
    showLogin("error.network");
    return;
  }
  ui.submit.disabled = false;
  if (!r.ok) {
    showLogin(r.status === 429 ? "error.rate_limited" : r.status === 401 || r.status === 400 ? "con.login.invalid" : "error.network");
    return;
  }
  ui.password.value = "";
  await startApp(r.body.user);
}

async function logout() {
  try { await api("/api/auth/logout", { method: "POST" }); } catch { /* session dies anyway */ }
  stopSocket();
  callPanel && callPanel.clear();
  offer.hide();
  queue.update([]);
  operator = null;
  user = null;
  available = false;
  showLogin();
}

// ---------- app ----------
async function startApp(me) {
  user = me;
  let cfg;
  try {
    cfg = await api("/api/console/config");
  } catch {
    showLogin("error.network");
    return;
  }
  if (cfg.status === 401) return showLogin();
  if (cfg.status === 403) {
    await api("/api/auth/logout", { method: "POST" }).catch(() => {});
    return showLogin("con.login.forbidden");
  }
  showApp();
  if (!map) {
    map = new CallMap($("map"));
    callPanel = new CallPanel({ map, toast, onBusy: (busy) => queue.setBusy(busy) });
    if (cfg.ok && cfg.body) map.configure(cfg.body);
    api("/api/geo/regions").then((r) => { if (r.ok && r.body) map.setRegions(r.body); }).catch(() => {});
  }
  map.invalidate();
  connectSocket();
}

function connectSocket() {
  stopSocket();
  socket = io("/operator", { transports: ["websocket", "polling"], withCredentials: true });
  callPanel.setSocket(socket);
  let wasConnected = false;
  socket.on("connect", () => {
    ui.connBanner.hidden = true;
    if (wasConnected) callPanel.reoffer();
    wasConnected = true;
  });
  socket.on("disconnect", (reason) => {
    if (reason === "io client disconnect") return;
    ui.connBanner.hidden = false;
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", (err) => {
    if (err && err.data && err.data.code === "unauthenticated") {
      stopSocket();
      showLogin();
    } else {
      ui.connBanner.hidden = false;
    }
  });
  socket.on("operator:state", (msg) => {
    operator = (msg && msg.operator) || null;
    available = !!(operator && operator.available);
    queue.setOperator(operator && operator.id);
    queue.update((msg && msg.queue) || []);
    renderHeader();
    restoreCurrentCall();
  });
  socket.on("queue:update", (msg) => {
    const calls = (msg && msg.calls) || [];
    queue.update(calls);
    callPanel.onQueue(calls);
    offer.sync(calls, operator && operator.id);
  });
  socket.on("call:offered", (msg) => {
    if (msg && msg.call && !callPanel.busy) offer.show(msg.call, msg.expires_in_s);
  });
  socket.on("call:location", (msg) => callPanel.onLocation(msg));
  // The operator's media leg died on the server: offer again at once.
  socket.on("media:lost", (msg) => {
    if (msg && msg.party === "operator" && callPanel.call && msg.call_id === callPanel.call.id) callPanel.reoffer();
  });
  socket.on("call:barge", (msg) => {
    bargeBy = msg && msg.active ? msg.supervisor || "" : null;
    renderBarge();
    if (bargeBy !== null) toast(t("con.barge", { name: bargeBy }));
  });
  socket.on("call:ended", (msg) => {
    bargeBy = null;
    renderBarge();
    offer.hide(msg && msg.call_id);
    callPanel.onEnded(msg);
  });
  socket.on("error", (err) => console.warn("server error event", err));
}

// A supervisor barged into the call (call:barge): shown until they stop or the call ends.
const bargeBanner = el("p", "notice alert");
bargeBanner.id = "barge-banner";
bargeBanner.setAttribute("role", "status");
bargeBanner.hidden = true;
$("media-status").before(bargeBanner);
let bargeBy = null; // supervisor display name while barging

function renderBarge() {
  bargeBanner.hidden = bargeBy === null;
  bargeBanner.textContent = bargeBy === null ? "" : t("con.barge", { name: bargeBy });
}

/** operator:state says we hold a call this page does not show (a reload): take it back. */
function restoreCurrentCall() {
  const cur = operator && operator.current_call;
  const id = cur && typeof cur === "object" ? cur.id : cur;
  if (!id || callPanel.busy || restoring) return;
  const item = queue.get(id) || (typeof cur === "object" ? cur : null);
  if (!item) return;
  restoring = true;
  callPanel.restore(item).finally(() => { restoring = false; });
}

function stopSocket() {
  if (socket) {
    socket.removeAllListeners();
    socket.disconnect();
  }
  socket = null;
}

async function setAvailability() {
  unlockAudio();
  if (!socket) return;
  const want = !available;
  ui.available.disabled = true;
  try {
    const ack = await request(socket, "operator:availability", { available: want });
    available = typeof ack.available === "boolean" ? ack.available : want;
    renderHeader();
  } catch (e) {
    toast(errorText(e));
  } finally {
    ui.available.disabled = false;
  }
}

// ---------- wiring ----------
bindLangButtons();
onLangChange(() => {
  renderHeader();
  queue.render();
  offer.render();
  if (callPanel) callPanel.render();
  reports.render();
  renderBarge();
  if (!ui.loginError.hidden && ui.loginError.dataset.key) ui.loginError.textContent = t(ui.loginError.dataset.key);
});
ui.form.addEventListener("submit", login);
ui.logout.addEventListener("click", logout);
ui.available.addEventListener("click", setAvailability);
document.addEventListener("pointerdown", unlockAudio, { once: true });

(async function boot() {
  try {
    const r = await api("/api/auth/me");
    if (r.ok && r.body && r.body.user) {
      await startApp(r.body.user);
      return;
    }
  } catch { /* not logged in or server down: show the form */ }
  showLogin();
})();
