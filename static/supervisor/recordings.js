// Recent ended calls (GET /api/calls), their recordings played in place
// (GET /api/calls/{id}/recording, Range requests by the <video>) and exported as a ZIP with a
// chain-of-custody manifest (GET /api/calls/{id}/export). Each play and export is audited.

import { t, has } from "/static/i18n.js";
import { el, formatDuration } from "/static/util.js";

const LIST_LIMIT = 40;

function when(unixSeconds) {
  const d = new Date(unixSeconds * 1000);
  return d.toLocaleString([], { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export class RecordingsPanel {
  /** els: {list, empty, player, title, video, error, refresh}; centreName(id) -> name. */
  constructor(els, { centreName, onError }) {
    this.els = els;
    this.centreName = centreName;
    this.onError = onError;
    this.calls = [];
    this.playing = null;
    els.refresh.addEventListener("click", () => this.load());
    els.video.addEventListener("error", () => {
      if (!this.playing) return;
      els.error.textContent = t("sup.no_recording");
      els.error.hidden = false;
    });
    els.video.addEventListener("loadeddata", () => { els.error.hidden = true; });
  }

  async load() {
    let body;
    try {
      const res = await fetch(`/api/calls?limit=${LIST_LIMIT}`, { credentials: "same-origin" });
      body = await res.json();
      if (!res.ok || !body.ok) throw new Error((body.error && body.error.message) || res.statusText);
    } catch (e) {
      this.onError(e);
      return;
    }
    this.calls = (body.calls || []).filter((c) => c.ended_at != null);
    this.render();
  }

  play(call) {
    const { player, title, video, error } = this.els;
    this.playing = call.id;
    error.hidden = true;
    player.hidden = false;
    title.textContent = `${when(call.created_at)} · ${this.centreName(call.centre)}`;
    video.src = `/api/calls/${encodeURIComponent(call.id)}/recording`;
    video.play().catch(() => { /* the user presses play on the controls */ });
    this.render();
  }

  render() {
    const { list, empty } = this.els;
    list.replaceChildren(...this.calls.map((call) => this.item(call)));
    empty.hidden = this.calls.length > 0;
  }

  item(call) {
    const li = el("li", "recording-item");
    li.dataset.callId = call.id;
    if (call.id === this.playing) li.classList.add("playing");
    const head = el("div", "qi-top");
    head.append(el("span", `badge state state-${call.final_state}`, t(`state.${call.final_state}`)));
    head.append(el("span", "qi-region", this.centreName(call.centre)));
    li.append(head);
    const talked = call.answered_at != null ? call.ended_at - call.answered_at : 0;
    const parts = [when(call.created_at), `${t("sup.talk")} ${formatDuration(talked)}`];
    if (call.region_code) parts.push(call.region_code);
    if (call.operator_name) parts.push(call.operator_name);
    li.append(el("div", "ri-meta", parts.join(" · ")));
    if (call.end_reason) {
      const key = `reason.${call.end_reason}`;
      li.append(el("div", "ri-meta", has(key) ? t(key) : call.end_reason));
    }
    const actions = el("div", "ri-actions");
    const play = el("button", "btn-play", t("sup.play"));
    play.type = "button";
    play.addEventListener("click", () => this.play(call));
    const exportLink = el("a", "btn-export", t("sup.export"));
    exportLink.href = `/api/calls/${encodeURIComponent(call.id)}/export`;
    exportLink.setAttribute("download", `call-${call.id}.zip`);
    actions.append(play, exportLink);
    li.append(actions);
    return li;
  }
}
