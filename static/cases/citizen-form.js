// The three citizen forms (report, appeal, complaint; <body data-kind>): validation, attachments
// with a photo-location suggestion, the map pin, and the upload with a real progress bar.
// Every text the citizen or the server supplies is shown with textContent.

import { t, getLang, bindLangButtons, onLangChange } from "/static/i18n.js";
import { $, el } from "/static/util.js";
import { upload, api, errorText } from "/static/cases/http.js";
import { readPhotoGps, stripJpegMetadata } from "/static/cases/exif.js";
import { PinMap } from "/static/cases/pin-map.js";
import { CATEGORIES, categoryText } from "/static/cases/labels.js";
import { AttachmentPicker } from "/static/cases/attachments.js";

const KIND = document.body.dataset.kind; // report | appeal | complaint
const ENDPOINT = { report: "/api/reports", appeal: "/api/appeals", complaint: "/api/complaints" }[KIND];

const ui = {
  form: $("case-form"), submit: $("btn-submit"), formError: $("form-error"),
  upload: $("upload"), bar: $("upload-bar"), uploadText: $("upload-text"), cancel: $("btn-cancel-upload"),
  done: $("case-done"), doneNumber: $("done-number"), doneLink: $("done-link"), copy: $("btn-copy-link"),
  suggestion: $("photo-suggestion"), suggestionText: $("photo-suggestion-text"),
  usePhoto: $("btn-use-photo-location"), dismissPhoto: $("btn-dismiss-photo-location"),
  category: document.getElementById("f-category"),
  occurredAt: document.getElementById("f-occurred-at"),
  anonymous: document.getElementById("f-anonymous"),
  contactFields: document.getElementById("contact-fields"),
  anonymousNote: document.getElementById("anonymous-note"),
};

let sending = null; // {abort} while an upload runs
let suggestion = null; // {gps, name} offered from a photo
const dismissedPhotos = new WeakSet(); // files whose suggestion the citizen declined

const pin = new PinMap(
  { map: $("pin-map"), status: $("location-status"), locate: $("btn-locate"), clear: $("btn-clear-location") },
  { onChange: () => hideSuggestion() },
);

const attachments = new AttachmentPicker(
  { input: $("f-attachments"), list: $("attachment-list"), error: $("attachment-error"), hint: $("attachments-hint") },
  { onAdded: (file) => offerPhotoLocation(file) },
);

// ---------- the photo's location, offered, never applied silently ----------
async function offerPhotoLocation(file) {
  if (pin.location && pin.location.source !== "manual" && pin.location.source !== "photo_exif") return;
  const gps = await readPhotoGps(file);
  if (!gps || dismissedPhotos.has(file) || !attachments.files.includes(file)) return;
  suggestion = { gps, name: file.name, file };
  renderSuggestion();
}

function renderSuggestion() {
  ui.suggestion.hidden = !suggestion;
  if (!suggestion) return;
  const { gps, name } = suggestion;
  ui.suggestionText.textContent = t("loc.photo_suggest", { name, lat: gps.lat.toFixed(5), lon: gps.lon.toFixed(5) });
}

function hideSuggestion() {
  if (suggestion && pin.location && pin.location.source === "photo_exif") {
    suggestion = null;
    renderSuggestion();
  }
}

ui.usePhoto.addEventListener("click", () => {
  if (!suggestion) return;
  const { gps } = suggestion;
  suggestion = null;
  renderSuggestion();
  pin.setFromPhoto(gps);
  // The photo also says when it was taken: a helpful default for "when", never an override.
  if (ui.occurredAt && !ui.occurredAt.value && gps.taken_at && gps.taken_at * 1000 <= Date.now()) {
    ui.occurredAt.value = toLocalInput(gps.taken_at);
  }
});
ui.dismissPhoto.addEventListener("click", () => {
  if (suggestion) dismissedPhotos.add(suggestion.file);
  suggestion = null;
  renderSuggestion();
});

// ---------- form fields ----------
function renderCategories() {
  if (!ui.category) return;
  const chosen = ui.category.value;
  const options = [el("option", null, t("case.choose"))];
  options[0].value = "";
  for (const c of CATEGORIES) {
    const o = el("option", null, categoryText(c));
    o.value = c;
    options.push(o);
  }
  ui.category.replaceChildren(...options);
  ui.category.value = chosen;
}

function toLocalInput(unixSeconds) {
  const d = new Date(unixSeconds * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function isAnonymous() {
  return !!(ui.anonymous && ui.anonymous.checked);
}

function renderAnonymous() {
  if (!ui.anonymous) return;
  const anon = isAnonymous();
  ui.contactFields.hidden = anon;
  ui.anonymousNote.hidden = !anon;
  for (const input of ui.contactFields.querySelectorAll("input")) input.disabled = anon;
}

function labelOf(input) {
  const label = ui.form.querySelector(`label[for="${input.id}"] [data-i18n]`);
  return label ? label.textContent : input.name;
}

/** Client-side checks mirroring the server's, so the citizen is told before uploading. */
function validate() {
  for (const input of ui.form.querySelectorAll("[required]")) {
    if (input.disabled) continue;
    if (!input.value.trim()) return { input, text: t("err.required", { field: labelOf(input) }) };
    const max = Number(input.getAttribute("maxlength"));
    if (max && input.value.length > max) return { input, text: t("err.too_long", { field: labelOf(input), max }) };
  }
  const contacts = [...ui.form.querySelectorAll("[data-contact]")].filter((i) => !i.disabled);
  if (contacts.length && !contacts.some((i) => i.value.trim())) return { input: contacts[0], text: t("err.contact") };
  for (const input of contacts) {
    if (input.type === "email" && input.value.trim() && !input.checkValidity()) {
      return { input, text: t("err.invalid_payload", { msg: labelOf(input) }) };
    }
  }
  if (ui.occurredAt && ui.occurredAt.value) {
    const when = new Date(ui.occurredAt.value).getTime();
    if (!Number.isFinite(when)) return { input: ui.occurredAt, text: t("err.invalid_payload", { msg: labelOf(ui.occurredAt) }) };
    if (when > Date.now() + 60000) return { input: ui.occurredAt, text: t("err.future") };
  }
  return null;
}

/**
 * The files to send. Staying anonymous removes the photos' metadata (GPS, camera and its
 * serial number, time) on this device, before anything leaves it: the server keeps evidence
 * byte for byte, so this is the only place it can be done.
 */
async function filesToSend() {
  if (!isAnonymous()) return attachments.files;
  const out = [];
  for (const file of attachments.files) {
    const stripped = file.type === "image/jpeg" || /\.jpe?g$/i.test(file.name)
      ? stripJpegMetadata(await file.arrayBuffer())
      : null;
    out.push(stripped ? new File([stripped], file.name, { type: "image/jpeg" }) : file);
  }
  return out;
}

async function buildForm() {
  const data = new FormData();
  for (const input of ui.form.querySelectorAll("input[name], textarea[name], select[name]")) {
    if (input.disabled || input.type === "file") continue;
    const value = input.value.trim();
    if (value) data.append(input.name, value);
  }
  data.append("lang", getLang());
  if (ui.occurredAt && ui.occurredAt.value) {
    data.append("occurred_at", String(Math.floor(new Date(ui.occurredAt.value).getTime() / 1000)));
  }
  if (pin.location) data.append("location", JSON.stringify(pin.location));
  if (ui.anonymous) data.append("anonymous", isAnonymous() ? "true" : "false");
  // Files last: the server can check every field before it streams the large parts.
  for (const file of await filesToSend()) data.append("attachments", file, file.name);
  return data;
}

// ---------- sending ----------
function showError(text, input) {
  ui.formError.textContent = text;
  ui.formError.hidden = !text;
  if (input) input.focus();
}

function setProgress(sent, total) {
  const pct = total > 0 ? Math.min(100, Math.floor((sent / total) * 100)) : 0;
  ui.bar.value = pct;
  ui.bar.dataset.sent = String(sent);
  ui.uploadText.textContent = pct >= 100 ? t("f.checking") : t("f.sending", { pct });
}

async function submit(ev) {
  ev.preventDefault();
  if (sending) return;
  const problem = validate() || attachments.problem();
  if (problem) {
    showError(problem.text, problem.input);
    return;
  }
  showError("");
  ui.submit.disabled = true;
  ui.upload.hidden = false;
  setProgress(0, 1);
  sending = upload(ENDPOINT, await buildForm(), setProgress);
  try {
    const body = await sending.promise;
    showDone(body);
  } catch (err) {
    showError(errorText(err));
  } finally {
    sending = null;
    ui.submit.disabled = false;
    ui.upload.hidden = true;
  }
}

function showDone(body) {
  const number = (body.case && body.case.number) || "";
  const path = (body.tracking && body.tracking.url) || "";
  const url = new URL(path, window.location.origin).href;
  ui.doneNumber.textContent = number;
  ui.doneLink.textContent = url;
  ui.doneLink.href = url;
  ui.form.hidden = true;
  ui.done.hidden = false;
  window.scrollTo(0, 0);
}

ui.copy.addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(ui.doneLink.href);
    ui.copy.textContent = t("done.copied");
  } catch {
    // No clipboard permission: select the link so the citizen can copy it by hand.
    const range = document.createRange();
    range.selectNodeContents(ui.doneLink);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
});
ui.cancel.addEventListener("click", () => sending && sending.abort());
ui.form.addEventListener("submit", submit);
if (ui.anonymous) ui.anonymous.addEventListener("change", renderAnonymous);

function render() {
  renderCategories();
  renderSuggestion();
  pin.render();
  attachments.render();
}

bindLangButtons();
onLangChange(render);
renderAnonymous();
render();
$("btn-another").href = window.location.pathname;
if (ui.occurredAt) ui.occurredAt.max = toLocalInput(Date.now() / 1000 + 60);

// Optional server-side settings: attachment limits and map tiles, when the server offers them.
api("/api/client-config")
  .then((cfg) => {
    pin.configure(cfg);
    attachments.configure(cfg && cfg.evidence);
  })
  .catch(() => { /* defaults stay */ });
