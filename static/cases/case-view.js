// Staff views of a case, shared by the console's Reports tab and the internal-security page:
// a triage list item and the full detail (evidence, history, answer, status, links).
// Citizen text is untrusted: it is only ever placed with textContent.

import { t, has } from "/static/i18n.js";
import { el } from "/static/util.js";
import { api, errorText } from "/static/cases/http.js";
import { STATUSES, statusText, kindText, categoryText, dateTimeText, coordsText } from "/static/cases/labels.js";
import { TRANSITIONS } from "/static/cases/transitions.js";

/** One row of a triage list (button-like <li>, data-case-id). */
export function caseListItem(item, selected) {
  const li = el("li", "case-item");
  li.dataset.caseId = item.id;
  li.dataset.kind = item.kind;
  li.dataset.status = item.status;
  li.tabIndex = 0;
  li.setAttribute("role", "button");
  li.setAttribute("aria-pressed", String(!!selected));
  const top = el("div", "ci-top");
  top.append(el("span", "ci-number", item.number), el("span", `badge status-${item.status}`, statusText(item.status)));
  const when = el("span", "ci-when", dateTimeText(item.created_at));
  top.append(when);
  li.append(top);
  const what = el("div", "ci-what");
  what.append(el("span", "ci-kind", item.category ? categoryText(item.category) : kindText(item.kind)));
  if (item.attachments) what.append(el("span", "badge ci-files", t("cases.files", { n: item.attachments })));
  if (item.region_code) what.append(el("span", "ci-region", item.region_code));
  li.append(what);
  if (item.summary) li.append(el("p", "ci-summary", item.summary));
  return li;
}

const CONTENT_FIELDS = [
  ["subject", "f.subject"], ["officer", "f.officer"], ["unit", "f.unit"], ["place", "f.place"],
  ["description", "f.description"], ["text", "f.text"],
];

function facts(pairs) {
  const dl = el("dl", "facts");
  for (const [label, value] of pairs) {
    if (value == null || value === "") continue;
    dl.append(el("dt", null, label));
    const dd = el("dd");
    if (value instanceof Node) dd.append(value);
    else dd.textContent = String(value);
    dl.append(dd);
  }
  return dl;
}

function section(titleKey, ...children) {
  const s = el("section", "cv-section");
  s.append(el("h3", null, t(titleKey)), ...children);
  return s;
}

/** The evidence: photos inline, videos with controls (Range requests do the seeking). */
function evidence(attachments) {
  if (!attachments || !attachments.length) return el("p", "empty", t("cases.no_files"));
  const list = el("ul", "evidence");
  for (const a of attachments) {
    const li = el("li", `evidence-item kind-${a.kind}`);
    li.dataset.attachmentId = a.id;
    if (a.kind === "photo") {
      const img = el("img", "evidence-photo");
      img.alt = a.mime || "photo";
      img.loading = "lazy";
      img.src = a.url;
      const link = el("a");
      link.href = a.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.append(img);
      li.append(link);
    } else {
      const video = el("video", "evidence-video");
      video.controls = true;
      video.preload = "metadata";
      video.playsInline = true;
      video.src = a.url;
      li.append(video);
    }
    const meta = el("p", "evidence-meta");
    meta.append(el("span", null, `${a.mime} · ${Math.max(1, Math.round(a.size / 1024))} KB`));
    const hash = el("code", "sha256", `SHA-256 ${a.sha256}`);
    meta.append(hash);
    li.append(meta);
    list.append(li);
  }
  return list;
}

function contactNode(c) {
  if (c.anonymous) return el("span", "badge warn", t("cases.anonymous"));
  const contact = c.contact || {};
  const parts = [contact.name || contact.contact_name, contact.phone || contact.contact_phone, contact.email || contact.contact_email];
  const text = parts.filter(Boolean).join(" · ");
  return text || null;
}

function locationText(c) {
  const loc = c.location;
  if (!loc || typeof loc.lat !== "number") return t("cases.no_location");
  const geo = c.geo || {};
  const acc = typeof loc.accuracy_m === "number" ? ` ± ${Math.round(loc.accuracy_m)} ${t("unit.m")}` : "";
  const src = loc.source && has(`loc.src.${loc.source}`) && loc.source !== "browser" ? ` (${t(`loc.src.${loc.source}`)})` : "";
  return [`${coordsText(loc.lat, loc.lon)}${acc}${src}`, geo.address, [geo.region_code, geo.region_name].filter(Boolean).join(" ")]
    .filter(Boolean).join(" — ");
}

function linkText(link) {
  const kind = link.kind || (link.call_id ? "call" : "incident");
  const ref = link.ref || link.call_id || link.incident || "";
  return `${kind === "call" ? t("cases.link_call") : t("cases.link_incident")}: ${ref}`;
}

/**
 * Detail panel. `onChanged()` runs after a status, answer or link was saved (refresh lists);
 * `toast(text)` reports results and errors.
 */
export class CaseDetail {
  constructor(container, { onChanged, toast, onLocation } = {}) {
    this.container = container;
    this.onChanged = onChanged || (() => {});
    this.toast = toast || (() => {});
    this.onLocation = onLocation || (() => {});
    this.caseObj = null;
    this.loading = null;
  }

  async open(id) {
    this.loading = id;
    try {
      const body = await api(`/api/cases/${encodeURIComponent(id)}`);
      if (this.loading !== id) return;
      this.caseObj = body.case;
      this.render();
      this.onLocation(this.caseObj);
    } catch (err) {
      if (this.loading === id) this.toast(errorText(err));
    }
  }

  clear() {
    this.loading = null;
    this.caseObj = null;
    this.container.replaceChildren();
  }

  render() {
    const c = this.caseObj;
    if (!c) return;
    const content = c.content || c;
    const root = el("article", "case-view");
    root.dataset.caseId = c.id;
    root.dataset.status = c.status;
    const head = el("header", "cv-head");
    head.append(
      el("h2", "cv-number", c.number),
      el("span", "badge", kindText(c.kind)),
      el("span", `badge status-${c.status} cv-status`, statusText(c.status)),
    );
    if (c.category) head.append(el("span", "cv-category", categoryText(c.category)));
    root.append(head);

    root.append(facts([
      [t("cases.created"), dateTimeText(c.created_at)],
      [t("cases.occurred"), dateTimeText(content.occurred_at)],
      [t("cases.region"), [c.region_code, c.centre].filter(Boolean).join(" · ")],
      [t("cases.contact"), contactNode(c)],
      [t("cases.location"), locationText(c)],
    ]));

    for (const [key, label] of CONTENT_FIELDS) {
      const value = content[key];
      if (typeof value === "string" && value) {
        const block = el("div", "cv-text");
        block.append(el("h3", null, t(label)));
        const p = el("p", `citizen-text cv-${key}`, value);
        block.append(p);
        root.append(block);
      }
    }

    root.append(section("cases.evidence", evidence(c.attachments)));
    root.append(this.answerForm(c));
    root.append(this.statusForm(c));
    root.append(this.linkForm(c));
    const history = el("ol", "history");
    for (const h of c.history || []) {
      const li = el("li");
      li.append(el("span", "history-status", statusText(h.status)), el("span", "history-at", dateTimeText(h.at)));
      if (h.note) li.append(el("span", "history-note", h.note));
      history.append(li);
    }
    root.append(section("cases.history", history));
    this.container.replaceChildren(root);
  }

  answerForm(c) {
    const form = el("form", "cv-answer");
    const id = `answer-${c.id}`;
    const label = el("label", null, t("cases.answer"));
    label.htmlFor = id;
    const text = el("textarea", "answer-input");
    text.id = id;
    text.rows = 4;
    text.maxLength = 10000;
    text.value = (typeof c.answer === "string" ? c.answer : c.answer && c.answer.text) || "";
    const send = el("button", "btn-primary btn-answer", t("cases.answer_send"));
    send.type = "submit";
    form.append(label, text, send);
    const closed = c.status === "closed";
    text.disabled = closed;
    send.disabled = closed;
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (text.value.trim()) this.post(c.id, "answer", { text: text.value.trim() }, send);
    });
    return form;
  }

  statusForm(c) {
    const form = el("form", "cv-status-form");
    const select = el("select", "status-select");
    select.setAttribute("aria-label", t("cases.status"));
    const next = TRANSITIONS[c.status] || [];
    for (const s of STATUSES) {
      // "answered" comes with an answer text, from the answer form above.
      if (!next.includes(s) || s === "answered") continue;
      const o = el("option", null, statusText(s));
      o.value = s;
      select.append(o);
    }
    const note = el("input", "status-note");
    note.placeholder = t("cases.note");
    note.setAttribute("aria-label", t("cases.note"));
    note.maxLength = 1000;
    const send = el("button", "btn-secondary btn-status", t("cases.set_status"));
    send.type = "submit";
    send.disabled = !select.options.length;
    select.disabled = !select.options.length;
    form.append(select, note, send);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const payload = { status: select.value };
      if (note.value.trim()) payload.note = note.value.trim();
      this.post(c.id, "status", payload, send);
    });
    return section("cases.set_status", form);
  }

  linkForm(c) {
    const list = el("ul", "links");
    for (const link of c.links || []) list.append(el("li", null, linkText(link)));
    const form = el("form", "cv-link-form");
    const kind = el("select", "link-kind");
    kind.setAttribute("aria-label", t("cases.link"));
    for (const [value, key] of [["call_id", "cases.link_call"], ["incident", "cases.link_incident"]]) {
      const o = el("option", null, t(key));
      o.value = value;
      kind.append(o);
    }
    const ref = el("input", "link-ref");
    ref.maxLength = 200;
    ref.setAttribute("aria-label", t("cases.link"));
    const send = el("button", "btn-secondary btn-link-case", t("cases.link"));
    send.type = "submit";
    form.append(kind, ref, send);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (ref.value.trim()) this.post(c.id, "link", { [kind.value]: ref.value.trim() }, send);
    });
    return section("cases.links", list, form);
  }

  async post(id, action, payload, button) {
    button.disabled = true;
    try {
      await api(`/api/cases/${encodeURIComponent(id)}/${action}`, { method: "POST", json: payload });
      this.toast(t("cases.saved"));
      await this.open(id);
      this.onChanged();
    } catch (err) {
      this.toast(errorText(err));
      button.disabled = false;
    }
  }
}
