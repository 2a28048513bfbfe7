// Shared strings for the citizen page and the operator console (kk / ru / en).
// Usage: t("key", {name: value}) -> localised string with {name} placeholders filled.
// Elements with data-i18n="key" get their textContent set by applyI18n();
// data-i18n-attr="attr:key;attr2:key2" sets attributes (aria-label, title, placeholder...).

export const LANGS = ["kk", "ru", "en"];
const STORAGE_KEY = "e102.lang";

const STRINGS = {
  // ---------- common ----------
  "app.title": { kk: "102 — полицияны шақыру", ru: "102 — вызов полиции", en: "102 — police emergency call" },
  "lang.label": { kk: "Тіл", ru: "Язык", en: "Language" },
  "unit.m": { kk: "м", ru: "м", en: "m" },
  "unit.km": { kk: "км", ru: "км", en: "km" },
  "unit.s": { kk: "с", ru: "с", en: "s" },
  "error.generic": { kk: "Қате: {msg}", ru: "Ошибка: {msg}", en: "Error: {msg}" },
  "error.network": { kk: "Сервермен байланыс орнатылмады", ru: "Не удалось связаться с сервером", en: "Could not reach the server" },
  "error.rate_limited": { kk: "Әрекет тым көп, кейінірек қайталаңыз", ru: "Слишком много попыток, повторите позже", en: "Too many attempts, try again later" },
  "state.idle": { kk: "Қоңырауға дайын", ru: "Готово к вызову", en: "Ready to call" },
  "state.connecting": { kk: "Қосылуда…", ru: "Соединение…", en: "Connecting…" },
  "state.queued": { kk: "Кезекте", ru: "В очереди", en: "Queued" },
  "state.offered": { kk: "Ұсынылды", ru: "Предложен", en: "Offered" },
  "state.connected": { kk: "Байланыста", ru: "На связи", en: "Connected" },
  "state.ended": { kk: "Аяқталды", ru: "Завершён", en: "Ended" },
  "state.abandoned": { kk: "Тасталды", ru: "Прерван", en: "Abandoned" },
  "state.failed": { kk: "Сәтсіз", ru: "Сбой", en: "Failed" },
  "reason.caller_hangup": { kk: "Қоңырау шалушы аяқтады", ru: "Заявитель завершил вызов", en: "The caller hung up" },
  "reason.operator_hangup": { kk: "Оператор қоңырауды аяқтады", ru: "Оператор завершил вызов", en: "The operator ended the call" },
  "reason.caller_lost": { kk: "Қоңырау шалушымен байланыс үзілді", ru: "Связь с заявителем потеряна", en: "The caller's connection was lost" },
  "reason.operator_lost": { kk: "Оператормен байланыс үзілді", ru: "Связь с оператором потеряна", en: "The operator's connection was lost" },
  "reason.failed": { kk: "Техникалық ақау", ru: "Технический сбой", en: "Technical failure" },

  // ---------- citizen page ----------
  "cit.heading": { kk: "Полицияға шұғыл қоңырау", ru: "Экстренный вызов полиции", en: "Emergency call to the police" },
  "cit.hint": {
    kk: "Қауіп төніп тұр, бірақ сөйлей алмайсыз ба? Бейнеқоңырау бастаңыз — оператор сіздің орналасқан жеріңізді көреді.",
    ru: "Вам угрожает опасность и вы не можете говорить? Начните видеозвонок — оператор видит, где вы находитесь.",
    en: "In immediate danger and cannot talk? Start a video call; the operator sees your location.",
  },
  "cit.btn_video": { kk: "102-ге бейнеқоңырау", ru: "Видеозвонок 102", en: "Video call 102" },
  "cit.btn_audio": { kk: "Аудиоқоңырау", ru: "Аудиозвонок", en: "Audio call" },
  "cit.btn_hangup": { kk: "Қоңырауды аяқтау", ru: "Завершить вызов", en: "Hang up" },
  "cit.insecure": {
    kk: "Камера мен геолокация үшін қорғалған (https) байланыс қажет.",
    ru: "Для камеры и геолокации нужно защищённое соединение (https).",
    en: "Camera and location need a secure (https) connection.",
  },
  "cit.status.idle": { kk: "Қоңырауға дайын", ru: "Готово к вызову", en: "Ready to call" },
  "cit.status.connecting": { kk: "Қосылуда…", ru: "Соединение…", en: "Connecting…" },
  "cit.status.queued": { kk: "Сіз кезектесіз — байланысты үзбеңіз", ru: "Вы в очереди — не прерывайте вызов", en: "You are in the queue — please stay on the line" },
  "cit.status.offered": { kk: "Оператор жауап беруде…", ru: "Оператор отвечает…", en: "An operator is answering…" },
  "cit.status.connected": { kk: "102 операторымен байланыстасыз", ru: "Вы на связи с оператором 102", en: "Connected to the 102 operator" },
  "cit.status.ended": { kk: "Қоңырау аяқталды", ru: "Вызов завершён", en: "Call ended" },
  "cit.status.abandoned": { kk: "Қоңырау тоқтатылды", ru: "Вызов отменён", en: "Call cancelled" },
  "cit.status.failed": { kk: "Қоңырау сәтсіз аяқталды", ru: "Сбой вызова", en: "The call failed" },
  "cit.status.reconnecting": { kk: "Байланыс үзілді, қайта қосылуда…", ru: "Связь прервалась, переподключение…", en: "Connection lost, reconnecting…" },
  "cit.reason.caller_hangup": { kk: "Сіз қоңырауды аяқтадыңыз", ru: "Вы завершили вызов", en: "You hung up" },
  "cit.reason.operator_hangup": { kk: "Оператор қоңырауды аяқтады", ru: "Оператор завершил вызов", en: "The operator ended the call" },
  "cit.reason.caller_lost": { kk: "Байланыс үзілді", ru: "Связь потеряна", en: "Connection lost" },
  "cit.reason.operator_lost": { kk: "Оператормен байланыс үзілді", ru: "Связь с оператором потеряна", en: "The operator's connection was lost" },
  "cit.reason.failed": { kk: "Техникалық ақау", ru: "Технический сбой", en: "Technical failure" },
  "cit.call_again": {
    kk: "Көмек әлі керек болса, қайта қоңырау шалыңыз немесе телефоннан 102 нөмірін теріңіз.",
    ru: "Если помощь всё ещё нужна, позвоните снова или наберите 102 с телефона.",
    en: "If you still need help, call again or dial 102 from your phone.",
  },
  "cit.queue_position": { kk: "Кезектегі орныңыз: {pos} · күту уақыты {time}", ru: "Место в очереди: {pos} · ожидание {time}", en: "Position in queue: {pos} · waiting {time}" },
  "cit.waiting": { kk: "Күту уақыты {time}", ru: "Ожидание {time}", en: "Waiting {time}" },
  "cit.loc.locating": { kk: "Орналасқан жеріңіз анықталуда…", ru: "Определяем ваше местоположение…", en: "Finding your location…" },
  "cit.loc.fix": { kk: "Орналасқан жеріңіз: {lat}, {lon} ± {acc} м", ru: "Ваше местоположение: {lat}, {lon} ± {acc} м", en: "Your location: {lat}, {lon} ± {acc} m" },
  "cit.loc.none": {
    kk: "Орналасқан жер анықталмады — операторға қай жерде екеніңізді айтыңыз",
    ru: "Местоположение не определено — скажите оператору, где вы находитесь",
    en: "No location — tell the operator where you are",
  },
  "cit.loc.denied": {
    kk: "Геолокацияға рұқсат жоқ — операторға қай жерде екеніңізді айтыңыз",
    ru: "Нет доступа к геолокации — скажите оператору, где вы находитесь",
    en: "No location: access denied — tell the operator where you are",
  },
  "cit.media.no_camera": { kk: "Камера қолжетімсіз — тек дыбыспен жалғастырамыз", ru: "Камера недоступна — продолжаем только со звуком", en: "Camera unavailable — continuing with audio only" },
  "cit.media.none": {
    kk: "Микрофон мен камера қолжетімсіз — оператор бәрібір орналасқан жеріңізді көреді",
    ru: "Микрофон и камера недоступны — оператор всё равно видит ваше местоположение",
    en: "Microphone and camera unavailable — the operator still sees your location",
  },
  "cit.media.error": { kk: "Дыбыс/бейне байланысы орнатылмады, қайталап көреміз…", ru: "Не удалось установить звук/видео, пробуем снова…", en: "Could not set up audio/video, retrying…" },
  "cit.tap_to_hear": { kk: "Операторды есту үшін басыңыз", ru: "Нажмите, чтобы слышать оператора", en: "Tap to hear the operator" },
  "cit.you": { kk: "Сіз", ru: "Вы", en: "You" },
  "cit.operator": { kk: "Оператор", ru: "Оператор", en: "Operator" },

  // ---------- operator console ----------
  "con.title": { kk: "102 — оператор пульті", ru: "102 — пульт оператора", en: "102 — operator console" },
  "con.login.heading": { kk: "Оператордың кіруі", ru: "Вход оператора", en: "Operator sign-in" },
  "con.login.username": { kk: "Пайдаланушы аты", ru: "Имя пользователя", en: "Username" },
  "con.login.password": { kk: "Құпиясөз", ru: "Пароль", en: "Password" },
  "con.login.submit": { kk: "Кіру", ru: "Войти", en: "Sign in" },
  "con.login.invalid": { kk: "Пайдаланушы аты немесе құпиясөз қате", ru: "Неверное имя пользователя или пароль", en: "Wrong username or password" },
  "con.login.forbidden": { kk: "Бұл тіркелгінің пультке рұқсаты жоқ", ru: "У этой учётной записи нет доступа к пульту", en: "This account has no access to the console" },
  "con.logout": { kk: "Шығу", ru: "Выйти", en: "Sign out" },
  "con.available": { kk: "Қолжетімді", ru: "Доступен", en: "Available" },
  "con.unavailable": { kk: "Қолжетімсіз", ru: "Недоступен", en: "Unavailable" },
  "con.socket_lost": { kk: "Сервермен байланыс үзілді, қайта қосылуда…", ru: "Связь с сервером потеряна, переподключение…", en: "Connection to the server lost, reconnecting…" },
  "con.queue": { kk: "Кезек", ru: "Очередь", en: "Queue" },
  "con.queue.empty": { kk: "Қоңыраулар жоқ", ru: "Вызовов нет", en: "No calls" },
  "con.accept": { kk: "Қабылдау", ru: "Принять", en: "Accept" },
  "con.decline": { kk: "Бас тарту", ru: "Отклонить", en: "Decline" },
  "con.media.video": { kk: "Бейне", ru: "Видео", en: "Video" },
  "con.media.audio": { kk: "Аудио", ru: "Аудио", en: "Audio" },
  "con.offer.title": { kk: "Кіріс қоңырау", ru: "Входящий вызов", en: "Incoming call" },
  "con.offer.expires": { kk: "Жауап беруге {s} с қалды", ru: "Осталось {s} с", en: "{s} s to answer" },
  "con.no_call": { kk: "Белсенді қоңырау жоқ", ru: "Нет активного вызова", en: "No active call" },
  "con.field.region": { kk: "Өңір", ru: "Регион", en: "Region" },
  "con.field.centre": { kk: "Орталық", ru: "Центр", en: "Centre" },
  "con.field.coords": { kk: "Координаттар", ru: "Координаты", en: "Coordinates" },
  "con.field.fix_time": { kk: "Анықталған уақыты", ru: "Время фиксации", en: "Fix taken" },
  "con.field.address": { kk: "Мекенжай", ru: "Адрес", en: "Address" },
  "con.field.units": { kk: "Жақын бөлімшелер", ru: "Ближайшие подразделения", en: "Nearest units" },
  "con.field.flags": { kk: "Белгілер", ru: "Отметки", en: "Flags" },
  "con.ago": { kk: "{age} бұрын", ru: "{age} назад", en: "{age} ago" },
  "con.no_fix": { kk: "Координат жоқ", ru: "Нет координат", en: "No location" },
  "con.region_changed": {
    kk: "Қоңырау шалушы басқа өңірге өтті: {region}. Қоңырауды беру-бермеуді өзіңіз шешіңіз.",
    ru: "Заявитель переместился в другой регион: {region}. Решите, передавать ли вызов.",
    en: "The caller has moved to another region: {region}. Decide whether to transfer the call.",
  },
  "con.hangup": { kk: "Аяқтау", ru: "Завершить", en: "Hang up" },
  "con.unmute": { kk: "Дыбысты қосу", ru: "Включить звук", en: "Unmute caller" },
  "con.caller": { kk: "Қоңырау шалушы", ru: "Заявитель", en: "Caller" },
  "con.you": { kk: "Сіз", ru: "Вы", en: "You" },
  "con.call_ended": { kk: "Қоңырау аяқталды: {reason}", ru: "Вызов завершён: {reason}", en: "Call ended: {reason}" },
  "con.err.call_taken": { kk: "Қоңырауды басқа оператор қабылдап қойды", ru: "Вызов уже принят другим оператором", en: "Another operator has already accepted this call" },
  "con.err.conflict": { kk: "Сіз қазір басқа қоңыраудасыз", ru: "Вы уже ведёте другой вызов", en: "You are already on a call" },
  "con.err.unknown_call": { kk: "Бұл қоңырау енді жоқ", ru: "Этого вызова больше нет", en: "This call no longer exists" },
  "con.err.illegal_transition": { kk: "Бұл қоңырауға қазір бұл әрекет мүмкін емес", ru: "Сейчас это действие с вызовом недоступно", en: "This action is not possible for the call now" },
  "con.err.forbidden": { kk: "Бұл басқа орталықтың қоңырауы", ru: "Это вызов другого центра", en: "This call belongs to another centre" },
  "con.media.recv_only": { kk: "Камера/микрофон жоқ — тек қабылдау", ru: "Нет камеры/микрофона — только приём", en: "No camera/microphone — receiving only" },
  "con.media.failed": { kk: "Бейне/дыбыс байланысы орнатылмады", ru: "Не удалось установить видео/звук", en: "Could not set up audio/video" },
  "con.with_operator": { kk: "Операторда", ru: "У оператора", en: "With an operator" },
  "con.you_on_call": { kk: "Сізде", ru: "У вас", en: "Yours" },
  "con.offered_to_you": { kk: "Сізге ұсынылды", ru: "Предложен вам", en: "Offered to you" },
  "con.priority": { kk: "Басымдық {p}", ru: "Приоритет {p}", en: "Priority {p}" },
  "flag.no_location": { kk: "Координат жоқ", ru: "Нет координат", en: "No location" },
  "flag.fallback_centre": { kk: "Резервтік орталық", ru: "Резервный центр", en: "Fallback centre" },
  "flag.abroad": { kk: "Шетелде", ru: "За рубежом", en: "Abroad" },
  "flag.low_accuracy": { kk: "Дәлдігі төмен", ru: "Низкая точность", en: "Low accuracy" },
  "flag.no_accuracy": { kk: "Дәлдігі белгісіз", ru: "Точность неизвестна", en: "Accuracy unknown" },
  "flag.nearest_region": { kk: "Жақын өңір", ru: "Ближайший регион", en: "Nearest region" },
  "flag.stale": { kk: "Координаттар ескірген", ru: "Устаревшие координаты", en: "Stale fix" },
  "unit.police_station": { kk: "Полиция бөлімі", ru: "Отдел полиции", en: "Police station" },
};

let current = detectLang();
const listeners = new Set();

function detectLang() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch { /* storage may be disabled */ }
  const prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
  for (const p of prefs) {
    const code = String(p).toLowerCase().slice(0, 2);
    if (LANGS.includes(code)) return code;
  }
  return "ru";
}

export function getLang() {
  return current;
}

/** Switch language, remember it, re-apply to the document and notify listeners. */
export function setLang(lang) {
  if (!LANGS.includes(lang)) return;
  current = lang;
  try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* ignore */ }
  applyI18n(document);
  for (const fn of listeners) fn(lang);
}

/** Register fn(lang), called after every language change. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Localised string; unknown keys come back as the key itself so gaps are visible. */
export function t(key, params) {
  const entry = STRINGS[key];
  let s = entry ? (entry[current] ?? entry.ru ?? entry.en) : key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  return s;
}

/** Whether a key exists (used for optional keys such as unit kinds). */
export function has(key) {
  return key in STRINGS;
}

/** Fill data-i18n / data-i18n-attr elements below root and set <html lang>. */
export function applyI18n(root = document) {
  if (root === document) document.documentElement.lang = current;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":").map((x) => x.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
  for (const btn of root.querySelectorAll("[data-lang]")) {
    btn.setAttribute("aria-pressed", String(btn.dataset.lang === current));
  }
}

/** Wire buttons carrying data-lang="kk|ru|en" to setLang. */
export function bindLangButtons(root = document) {
  for (const btn of root.querySelectorAll("[data-lang]")) {
    btn.addEventListener("click", () => setLang(btn.dataset.lang));
  }
  applyI18n(document);
}
