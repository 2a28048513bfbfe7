// Live sessions across every centre (sessions:update), with waiting and talk time ticking.
// Times tick locally: the server's clock is estimated from each update (enqueued_at + waiting_s
// is "now" on the server when it sent it), so a skewed browser clock does not skew the times.

import { t } from "/static/i18n.js";
import { el, formatDuration } from "/static/util.js";

const WAITING = new Set(["queued", "offered"]);

export class SessionsPanel {
  /** els: {list, empty, count}; onMonitor(call) when a Monitor button is pressed. */
  constructor(els, { onMonitor, onUnknownOperator }) {
    this.els = els;
    this.onMonitor = onMonitor;
    this.onUnknownOperator = onUnknownOperator;
    this.calls = [];
    this.centres = new Map(); // id -> name
    this.operators = new Map(); // id -> display name
    this.monitored = null; // call id
    this.serverOffset = 0; // server seconds - local seconds
    this.timer = setInterval(() => this.tick(), 1000);
  }

  setDirectory({ centres = [], operators = [] }) {
    for (const c of centres) this.centres.set(c.id, c.name);
    for (const o of operators) this.operators.set(o.id, o.display_name || o.id);
    this.render();
  }

  update(calls) {
    this.calls = Array.isArray(calls) ? calls.filter((c) => c && c.id) : [];
    const sample = this.calls.find((c) => typeof c.enqueued_at === "number" && typeof c.waiting_s === "number");
    if (sample) this.serverOffset = sample.enqueued_at + sample.waiting_s - Date.now() / 1000;
    // Waiting calls first (queue order), then connected ones, longest talk first.
    this.calls.sort((a, b) => rank(a) - rank(b) || (a.position ?? 0) - (b.position ?? 0)
      || (a.answered_at ?? a.enqueued_at) - (b.answered_at ?? b.enqueued_at));
    const unknown = this.calls.some((c) => c.operator_id && !this.operators.has(c.operator_id));
    if (unknown && this.onUnknownOperator) this.onUnknownOperator();
    this.render();
  }

  get(id) {
    return this.calls.find((c) => c.id === id) || null;
  }

  setMonitored(id) {
    this.monitored = id;
    this.render();
  }

  serverNow() {
    return Date.now() / 1000 + this.serverOffset;
  }

  /** [label key, seconds] of the clock a card shows: waiting, or talking since answered. */
  clock(call) {
    const now = this.serverNow();
    if (call.state === "connected" && typeof call.answered_at === "number") return ["sup.talk", now - call.answered_at];
    return ["sup.wait", now - call.enqueued_at];
  }

  tick() {
    for (const node of this.els.list.querySelectorAll("[data-call-id]")) {
      const call = this.get(node.dataset.callId);
      const out = node.querySelector(".si-clock");
      if (call && out) out.textContent = formatDuration(this.clock(call)[1]);
    }
  }

  render() {
    const { list, empty, count } = this.els;
    list.replaceChildren(...this.calls.map((call) => this.card(call)));
    empty.hidden = this.calls.length > 0;
    count.textContent = this.calls.length ? String(this.calls.length) : "";
  }

  card(call) {
    const li = el("li", "queue-item session-item");
    li.dataset.callId = call.id;
    li.dataset.state = call.state;
    if (call.id === this.monitored) li.classList.add("monitored");

    const top = el("div", "qi-top");
    top.append(el("span", `badge state state-${call.state}`, t(`state.${call.state}`)));
    top.append(el("span", "badge", t(call.media === "audio" ? "con.media.audio" : "con.media.video")));
    if (call.position) top.append(el("span", "qi-pos", `#${call.position}`));
    li.append(top);

    const geo = call.geo || {};
    const region = geo.region_name ? `${geo.region_name} (${call.region_code || "?"})` : call.region_code || t("con.no_fix");
    li.append(el("div", "qi-region", region));
    li.append(el("div", "qi-who", `${t("con.field.centre")}: ${this.centres.get(call.centre) || call.centre}`));

    const times = el("div", "si-times");
    const [key, seconds] = this.clock(call);
    const clock = el("span", null, `${t(key)} `);
    clock.append(el("b", "si-clock", formatDuration(seconds)));
    times.append(clock);
    if (call.state === "connected") {
      times.append(el("span", null, `${t("sup.waited")} ${formatDuration((call.answered_at ?? call.enqueued_at) - call.enqueued_at)}`));
    }
    li.append(times);

    if (call.operator_id) {
      const name = this.operators.get(call.operator_id) || call.operator_id.slice(0, 8);
      li.append(el("div", "qi-who", `${t("sup.operator")}: ${name}`));
    } else if (call.offered_to) {
      const name = this.operators.get(call.offered_to) || call.offered_to.slice(0, 8);
      li.append(el("div", "qi-who", `${t("state.offered")}: ${name}`));
    }
    if (Array.isArray(call.flags) && call.flags.length) {
      const flags = el("div", "qi-flags");
      for (const f of call.flags) flags.append(el("span", "badge warn", t(`flag.${f}`)));
      li.append(flags);
    }

    const button = el("button", "btn-monitor", t(call.id === this.monitored ? "sup.monitoring" : "sup.monitor_start"));
    button.type = "button";
    button.disabled = call.id === this.monitored;
    button.addEventListener("click", () => this.onMonitor(call));
    li.append(button);
    return li;
  }
}

function rank(call) {
  return WAITING.has(call.state) ? 0 : 1;
}
