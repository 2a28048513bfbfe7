// Queue panel (#queue): the centre's live calls in queue order, ticking waiting times.

import { t } from "/static/i18n.js";
import { el, formatDuration } from "/static/util.js";
import { clock, waitingSeconds, regionLabel, flagBadges, mediaIcon, stateText } from "/static/console/format.js";

export class QueuePanel {
  /**
   * listEl: <ol id="queue">, emptyEl: placeholder, countEl: counter,
   * onAccept(callId): called by the Accept buttons.
   */
  constructor({ listEl, emptyEl, countEl, onAccept }) {
    this.listEl = listEl;
    this.emptyEl = emptyEl;
    this.countEl = countEl;
    this.onAccept = onAccept;
    this.calls = [];
    this.operatorId = null;
    this.busy = false; // this operator is on a call: Accept disabled
    this.waitEls = new Map(); // call id -> {span, item}
    this.listEl.addEventListener("click", (ev) => {
      const btn = ev.target.closest(".btn-accept");
      if (btn && !btn.disabled) this.onAccept(btn.closest(".queue-item").dataset.callId);
    });
    setInterval(() => this.tick(), 1000);
  }

  setOperator(id) {
    this.operatorId = id;
    this.render();
  }

  setBusy(busy) {
    this.busy = busy;
    for (const b of this.listEl.querySelectorAll(".btn-accept")) b.disabled = busy;
  }

  update(calls) {
    this.calls = Array.isArray(calls) ? calls : [];
    clock.observeItems(this.calls);
    this.render();
  }

  get(callId) {
    return this.calls.find((c) => c.id === callId) || null;
  }

  render() {
    this.waitEls.clear();
    const rows = this.calls.map((item, i) => this.row(item, i));
    this.listEl.replaceChildren(...rows);
    this.emptyEl.hidden = rows.length > 0;
    const waiting = this.calls.filter((c) => c.state === "queued" || c.state === "offered").length;
    this.countEl.textContent = waiting ? String(waiting) : "";
  }

  row(item, index) {
    const li = el("li", "queue-item");
    li.dataset.callId = item.id;
    li.dataset.state = item.state;
    const mine = this.operatorId != null && item.operator_id === this.operatorId;
    const offeredToMe = item.state === "offered" && this.operatorId != null && item.offered_to === this.operatorId;
    if (offeredToMe) li.classList.add("offered-to-me");
    if (mine) li.classList.add("mine");

    const top = el("div", "qi-top");
    const pos = item.position ?? (item.state === "connected" ? null : index + 1);
    top.append(el("span", "qi-pos", pos != null ? `#${pos}` : "•"));
    top.append(mediaIcon(item.media));
    const state = el("span", `badge state state-${item.state}`, stateText(item.state));
    top.append(state);
    const wait = el("span", "qi-wait", formatDuration(waitingSeconds(item)));
    wait.setAttribute("aria-label", "waiting");
    top.append(wait);
    this.waitEls.set(item.id, { span: wait, item });
    li.append(top);

    li.append(el("div", "qi-region", regionLabel(item.geo, item.region_code)));

    const flags = el("div", "qi-flags");
    if (item.priority > 0) flags.append(el("span", "badge alert", t("con.priority", { p: item.priority })));
    flags.append(...flagBadges([...(item.flags || []), ...((item.geo && item.geo.flags) || [])]));
    if (flags.childElementCount) li.append(flags);

    if (item.state === "queued" || offeredToMe) {
      const btn = el("button", "btn-accept", t("con.accept"));
      btn.type = "button";
      btn.disabled = this.busy;
      li.append(btn);
    } else if (item.state === "connected" || item.state === "offered") {
      const who = mine ? t("con.you_on_call") : item.state === "connected" ? t("con.with_operator") : "";
      if (who) li.append(el("div", "qi-who", who));
    }
    return li;
  }

  tick() {
    for (const { span, item } of this.waitEls.values()) span.textContent = formatDuration(waitingSeconds(item));
  }
}

// ---------- offer banner + beep ----------

let audioCtx = null;

/** Create/resume the AudioContext inside a user gesture so later beeps are allowed. */
export function unlockAudio() {
  try {
    audioCtx = audioCtx || new (window.AudioContext || window.webkitAudioContext)();
    if (audioCtx.state === "suspended") audioCtx.resume();
  } catch { /* no WebAudio */ }
}

/** Two short tones (no audio files). */
export function beep() {
  unlockAudio();
  if (!audioCtx) return;
  const start = audioCtx.currentTime + 0.02;
  for (const [i, freq] of [[0, 880], [1, 1175]]) {
    const osc = audioCtx.createOscillator();
    const gain = audioCtx.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    const t0 = start + i * 0.22;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.3, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.18);
    osc.connect(gain).connect(audioCtx.destination);
    osc.start(t0);
    osc.stop(t0 + 0.2);
  }
}

export class OfferBanner {
  /** els: {banner, info, countdown, accept, decline}; onAccept(id), onDecline(id) */
  constructor(els, { onAccept, onDecline }) {
    this.els = els;
    this.callId = null;
    this.item = null;
    this.deadline = 0;
    this.timer = null;
    els.accept.addEventListener("click", () => this.callId && onAccept(this.callId));
    els.decline.addEventListener("click", () => this.callId && onDecline(this.callId));
  }

  show(item, expiresInS) {
    this.callId = item.id;
    this.item = item;
    this.deadline = Date.now() + (Number(expiresInS) || 20) * 1000;
    this.render();
    this.els.banner.hidden = false;
    this.els.accept.disabled = false;
    this.els.decline.disabled = false;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.renderCountdown(), 250);
    beep();
    this.els.accept.focus({ preventScroll: true });
  }

  render() {
    if (!this.item) return;
    const item = this.item;
    const info = this.els.info;
    info.replaceChildren(
      mediaIcon(item.media),
      el("span", "offer-region", regionLabel(item.geo, item.region_code)),
      ...flagBadges([...(item.flags || []), ...((item.geo && item.geo.flags) || [])]),
    );
    this.renderCountdown();
  }

  renderCountdown() {
    const left = Math.ceil((this.deadline - Date.now()) / 1000);
    if (left <= 0) {
      this.hide();
      return;
    }
    this.els.countdown.textContent = t("con.offer.expires", { s: left });
  }

  /** Hide if the queue shows the call is no longer offered to this operator. */
  sync(queue, operatorId) {
    if (!this.callId) return;
    const item = queue.find((c) => c.id === this.callId);
    if (!item || item.state !== "offered" || (item.offered_to != null && item.offered_to !== operatorId)) this.hide();
  }

  hide(callId) {
    if (callId && callId !== this.callId) return;
    clearInterval(this.timer);
    this.timer = null;
    this.callId = null;
    this.item = null;
    this.els.banner.hidden = true;
  }
}
