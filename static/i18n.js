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
  "con.barge": {
    kk: "Супервайзер {name} қоңырауға қосылды: қоңырау шалушы да оны естиді",
    ru: "Супервайзер {name} подключился к вызову: заявитель тоже его слышит",
    en: "Supervisor {name} joined the call: the caller hears them too",
  },
  "cit.barge": { kk: "102 супервайзері қоңырауға қосылды", ru: "К вызову подключился супервайзер 102", en: "A 102 supervisor joined the call" },

  // ---------- supervisor console ----------
  "sup.title": { kk: "102 — супервайзер", ru: "102 — супервайзер", en: "102 — supervisor" },
  "sup.login.heading": { kk: "Супервайзердің кіруі", ru: "Вход супервайзера", en: "Supervisor sign-in" },
  "sup.login.forbidden": { kk: "Бұл тіркелгі қоңырауларды бақылай алмайды", ru: "Эта учётная запись не может наблюдать за вызовами", en: "This account may not supervise calls" },
  "sup.role.supervisor": { kk: "Супервайзер", ru: "Супервайзер", en: "Supervisor" },
  "sup.role.admin": { kk: "Әкімші", ru: "Администратор", en: "Administrator" },
  "sup.media_lost": { kk: "Қоңырау {call}: {party} медиа байланысы үзілді, қайта қосылуда", ru: "Вызов {call}: медиа-связь ({party}) прервалась, восстанавливается", en: "Call {call}: the {party}'s media connection dropped; reconnecting" },
  "sup.party.citizen": { kk: "азамат", ru: "заявитель", en: "caller" },
  "sup.party.operator": { kk: "оператор", ru: "оператор", en: "operator" },
  "sup.party.supervisor": { kk: "супервайзер", ru: "супервайзер", en: "supervisor" },
  "sup.sessions": { kk: "Белсенді қоңыраулар", ru: "Активные вызовы", en: "Live calls" },
  "sup.sessions.empty": { kk: "Белсенді қоңыраулар жоқ", ru: "Активных вызовов нет", en: "No live calls" },
  "sup.wait": { kk: "Күту", ru: "Ожидание", en: "Waiting" },
  "sup.talk": { kk: "Сөйлесу", ru: "Разговор", en: "Talking" },
  "sup.waited": { kk: "Күтті", ru: "Ждал", en: "Waited" },
  "sup.operator": { kk: "Оператор", ru: "Оператор", en: "Operator" },
  "sup.monitor": { kk: "Бақылау", ru: "Наблюдение", en: "Monitor" },
  "sup.monitor.idle": { kk: "Тыңдау үшін қоңырауды таңдаңыз", ru: "Выберите вызов, чтобы наблюдать", en: "Choose a call to monitor" },
  "sup.monitor_start": { kk: "Бақылау", ru: "Наблюдать", en: "Monitor" },
  "sup.monitoring": { kk: "Бақылануда", ru: "Под наблюдением", en: "Monitoring" },
  "sup.monitor_stop": { kk: "Бақылауды тоқтату", ru: "Прекратить наблюдение", en: "Stop monitoring" },
  "sup.caller_video": { kk: "Қоңырау шалушының бейнесі", ru: "Видео заявителя", en: "Caller's video" },
  "sup.silent_hint": {
    kk: "Үнсіз бақылау: қатысушылар сізді естімейді. «Қосылу» батырмасынан кейін екеуі де естиді.",
    ru: "Тихое наблюдение: участники вас не слышат. После «Вмешаться» вас услышат оба.",
    en: "Silent monitor: nobody hears you. After Barge, both the caller and the operator do.",
  },
  "sup.barge": { kk: "Қосылу", ru: "Вмешаться", en: "Barge" },
  "sup.barge_stop": { kk: "Қосылуды тоқтату", ru: "Прекратить вмешательство", en: "Stop barge" },
  "sup.barging": { kk: "Сізді естиді", ru: "Вас слышат", en: "On air" },
  "sup.media.connecting": { kk: "Бейне қосылуда…", ru: "Подключаем видео…", en: "Connecting media…" },
  "sup.media.failed": { kk: "Бейне/дыбыс байланысы үзілді", ru: "Видео/звук прервались", en: "Audio/video connection failed" },
  "sup.replaced": { kk: "Бұл қоңырауды басқа супервайзер бақылап жатыр", ru: "Этот вызов теперь наблюдает другой супервайзер", en: "Another supervisor now monitors this call" },
  "sup.call_over": { kk: "Бақыланған қоңырау аяқталды", ru: "Наблюдаемый вызов завершён", en: "The monitored call has ended" },
  "sup.err.no_microphone": { kk: "Микрофон қолжетімсіз", ru: "Микрофон недоступен", en: "No microphone available" },
  "sup.recordings": { kk: "Жазбалар", ru: "Записи", en: "Recordings" },
  "sup.recordings.empty": { kk: "Аяқталған қоңыраулар жоқ", ru: "Завершённых вызовов нет", en: "No ended calls" },
  "sup.refresh": { kk: "Жаңарту", ru: "Обновить", en: "Refresh" },
  "sup.play": { kk: "Ойнату", ru: "Воспроизвести", en: "Play" },
  "sup.export": { kk: "Экспорт (ZIP)", ru: "Экспорт (ZIP)", en: "Export (ZIP)" },
  "sup.no_recording": { kk: "Бұл қоңыраудың жазбасы жоқ", ru: "У этого вызова нет записи", en: "This call has no recording" },
  "flag.no_location": { kk: "Координат жоқ", ru: "Нет координат", en: "No location" },
  "flag.fallback_centre": { kk: "Резервтік орталық", ru: "Резервный центр", en: "Fallback centre" },
  "flag.abroad": { kk: "Шетелде", ru: "За рубежом", en: "Abroad" },
  "flag.low_accuracy": { kk: "Дәлдігі төмен", ru: "Низкая точность", en: "Low accuracy" },
  "flag.no_accuracy": { kk: "Дәлдігі белгісіз", ru: "Точность неизвестна", en: "Accuracy unknown" },
  "flag.nearest_region": { kk: "Жақын өңір", ru: "Ближайший регион", en: "Nearest region" },
  "flag.stale": { kk: "Координаттар ескірген", ru: "Устаревшие координаты", en: "Stale fix" },
  "unit.police_station": { kk: "Полиция бөлімі", ru: "Отдел полиции", en: "Police station" },

  // ---------- reports, appeals, complaints (issue 5) ----------
  "cit.other.heading": { kk: "Шұғыл емес жағдай ма?", ru: "Не экстренный случай?", en: "Not an emergency?" },
  "cit.other.report": { kk: "Құқықбұзушылық туралы хабарлау", ru: "Сообщить о правонарушении", en: "Report an offence" },
  "cit.other.appeal": { kk: "Полицияға өтініш", ru: "Обращение в полицию", en: "Appeal to the police" },
  "cit.other.complaint": { kk: "Ішкі қауіпсіздік: қызметкерге шағым", ru: "Собственная безопасность: жалоба на сотрудника", en: "Internal security: complain about an officer" },
  "case.home": { kk: "Басты бет", ru: "Главная", en: "Home" },
  "case.optional": { kk: "міндетті емес", ru: "необязательно", en: "optional" },
  "case.choose": { kk: "Таңдаңыз…", ru: "Выберите…", en: "Choose…" },
  "case.emergency": { kk: "Өмірге қауіп төнсе — 102 нөміріне қоңырау шалыңыз.", ru: "Если есть угроза жизни — звоните 102.", en: "If a life is in danger, call 102." },
  "rep.title": { kk: "102 — құқықбұзушылық туралы хабарлама", ru: "102 — сообщение о правонарушении", en: "102 — report an offence" },
  "rep.heading": { kk: "Құқықбұзушылық туралы хабарлау", ru: "Сообщить о правонарушении", en: "Report an offence" },
  "rep.hint": {
    kk: "Жол ережесін бұзу немесе басқа құқықбұзушылық туралы фото не бейнемен хабарлаңыз.",
    ru: "Сообщите о нарушении ПДД или другом правонарушении, приложите фото или видео.",
    en: "Tell us about a traffic violation or another offence, with photos or video.",
  },
  "apl.title": { kk: "102 — полицияға өтініш", ru: "102 — обращение в полицию", en: "102 — appeal to the police" },
  "apl.heading": { kk: "Полицияға өтініш", ru: "Обращение в полицию", en: "Appeal to the police" },
  "apl.hint": { kk: "Жауап беру үшін байланыс деректері қажет.", ru: "Для ответа нужны ваши контактные данные.", en: "We need your contact details to answer you." },
  "cmp.title": { kk: "102 — ішкі қауіпсіздік қызметіне шағым", ru: "102 — жалоба в собственную безопасность", en: "102 — internal security complaint" },
  "cmp.heading": { kk: "Полиция қызметкеріне шағым", ru: "Жалоба на сотрудника полиции", en: "Complaint about a police officer" },
  "cmp.hint": {
    kk: "Сыбайлас жемқорлық, қорқытып алу немесе заңсыз әрекет туралы. Шағымды тек ішкі қауіпсіздік қызметі көреді.",
    ru: "О коррупции, вымогательстве или неправомерных действиях. Жалобу видит только служба собственной безопасности.",
    en: "Corruption, extortion or misconduct. Only internal security staff see the complaint.",
  },
  "cmp.anonymous": { kk: "Жасырын қалу", ru: "Остаться анонимным", en: "Stay anonymous" },
  "cmp.anon_note": {
    kk: "Байланыс деректері сақталмайды, сізді анықтайтын ештеңе жазылмайды. Фотосуреттерден (JPEG) түсірілген орын мен камера деректері құрылғыңызда жойылады; бейнеде олар қалуы мүмкін. Шағымды тек құпия сілтеме арқылы қадағалай аласыз.",
    ru: "Контактные данные не сохраняются, ничего, что вас идентифицирует, не записывается. С фотографий (JPEG) на вашем устройстве удаляются место съёмки и данные камеры; видео может их содержать. Следить за жалобой можно только по личной ссылке.",
    en: "No contact details are stored and nothing that identifies you is logged. Photos (JPEG) lose their location and camera details on your device before sending; videos may still carry them. You can follow the complaint only through its private link.",
  },
  "f.category": { kk: "Не болды", ru: "Что произошло", en: "What happened" },
  "f.description": { kk: "Сипаттама", ru: "Описание", en: "Description" },
  "f.occurred_at": { kk: "Қашан болды", ru: "Когда это было", en: "When it happened" },
  "f.where": { kk: "Қай жерде", ru: "Где", en: "Where" },
  "f.attachments": { kk: "Фото және бейне", ru: "Фото и видео", en: "Photos and videos" },
  "f.name": { kk: "Атыңыз", ru: "Ваше имя", en: "Your name" },
  "f.phone": { kk: "Телефон", ru: "Телефон", en: "Phone" },
  "f.email": { kk: "Электрондық пошта", ru: "Электронная почта", en: "Email" },
  "f.subject": { kk: "Тақырып", ru: "Тема", en: "Subject" },
  "f.text": { kk: "Мәтін", ru: "Текст", en: "Text" },
  "f.what_happened": { kk: "Не болды", ru: "Что произошло", en: "What happened" },
  "f.contact": { kk: "Байланыс деректері", ru: "Контактные данные", en: "Contact details" },
  "f.contact_hint": { kk: "Телефон немесе электрондық пошта (біреуі міндетті)", ru: "Телефон или эл. почта (хотя бы одно)", en: "Phone or email (at least one)" },
  "f.officer": { kk: "Қызметкер: төс белгісінің нөмірі немесе сипаттамасы", ru: "Сотрудник: номер жетона или описание", en: "Officer: badge number or description" },
  "f.unit": { kk: "Бөлімше", ru: "Подразделение", en: "Unit" },
  "f.place": { kk: "Орны (мекенжай, сипаттама)", ru: "Место (адрес, описание)", en: "Place (address, description)" },
  "f.submit": { kk: "Жіберу", ru: "Отправить", en: "Send" },
  "f.sending": { kk: "Жіберілуде… {pct}%", ru: "Отправка… {pct}%", en: "Sending… {pct}%" },
  "f.checking": { kk: "Файлдар тексерілуде…", ru: "Проверка файлов…", en: "Checking the files…" },
  "f.cancel": { kk: "Тоқтату", ru: "Отменить", en: "Cancel" },
  "loc.current": { kk: "Қазіргі орным", ru: "Моё местоположение", en: "My current position" },
  "loc.locating": { kk: "Орналасқан жер анықталуда…", ru: "Определяем местоположение…", en: "Finding your position…" },
  "loc.denied": { kk: "Геолокацияға рұқсат жоқ — картадағы белгіні жылжытыңыз", ru: "Нет доступа к геолокации — передвиньте метку на карте", en: "Location access denied — move the pin on the map" },
  "loc.unavailable": { kk: "Орналасқан жер анықталмады — картадағы белгіні жылжытыңыз", ru: "Местоположение не определено — передвиньте метку на карте", en: "Position unavailable — move the pin on the map" },
  "loc.pin_hint": { kk: "Оқиға орнын көрсету үшін картаны басыңыз немесе белгіні жылжытыңыз.", ru: "Нажмите на карту или перетащите метку туда, где это произошло.", en: "Tap the map or drag the pin to where it happened." },
  "loc.none": { kk: "Орын көрсетілмеген", ru: "Место не указано", en: "No place given" },
  "loc.chosen": { kk: "Орны: {lat}, {lon}", ru: "Место: {lat}, {lon}", en: "Place: {lat}, {lon}" },
  "loc.src.browser": { kk: "құрылғы бойынша ± {acc} м", ru: "по устройству ± {acc} м", en: "from the device ± {acc} m" },
  "loc.src.manual": { kk: "картадағы белгі", ru: "метка на карте", en: "pin on the map" },
  "loc.src.photo_exif": { kk: "фотодан", ru: "из фото", en: "from the photo" },
  "loc.clear": { kk: "Орынды алып тастау", ru: "Убрать место", en: "Remove the place" },
  "loc.photo_suggest": { kk: "«{name}» фотосында орын бар: {lat}, {lon}. Фотодағы орынды қолдану керек пе?", ru: "В фото «{name}» есть координаты: {lat}, {lon}. Использовать место из фото?", en: "The photo “{name}” has a location: {lat}, {lon}. Use the photo's location?" },
  "loc.photo_use": { kk: "Иә, фотодағы орын", ru: "Да, место из фото", en: "Yes, use it" },
  "loc.photo_dismiss": { kk: "Жоқ", ru: "Нет", en: "No" },
  "att.hint": {
    kk: "{n} файлға дейін: фото (JPEG, PNG, WebP, HEIC) {photo} МБ-қа дейін, бейне (MP4, MOV, WebM, 3GP) {video} МБ-қа дейін.",
    ru: "До {n} файлов: фото (JPEG, PNG, WebP, HEIC) до {photo} МБ, видео (MP4, MOV, WebM, 3GP) до {video} МБ.",
    en: "Up to {n} files: photos (JPEG, PNG, WebP, HEIC) up to {photo} MB, videos (MP4, MOV, WebM, 3GP) up to {video} MB.",
  },
  "att.add": { kk: "Фото немесе бейне қосу", ru: "Добавить фото или видео", en: "Add a photo or video" },
  "att.remove": { kk: "Алып тастау", ru: "Убрать", en: "Remove" },
  "att.too_many": { kk: "{n} файлдан артық болмайды", ru: "Не больше {n} файлов", en: "At most {n} files" },
  "att.too_big": { kk: "«{name}» тым үлкен (ең көбі {max} МБ)", ru: "«{name}» слишком большой (максимум {max} МБ)", en: "“{name}” is too large (at most {max} MB)" },
  "att.bad_type": { kk: "«{name}» фото немесе бейне емес", ru: "«{name}» — не фото и не видео", en: "“{name}” is not a photo or a video" },
  "err.required": { kk: "Толтырыңыз: {field}", ru: "Заполните: {field}", en: "Please fill in: {field}" },
  "err.too_long": { kk: "{field}: ең көбі {max} таңба", ru: "{field}: не более {max} символов", en: "{field}: at most {max} characters" },
  "err.future": { kk: "Уақыт болашақта болмауы керек", ru: "Время не может быть в будущем", en: "The time cannot be in the future" },
  "err.contact": { kk: "Телефонды немесе электрондық поштаны көрсетіңіз", ru: "Укажите телефон или электронную почту", en: "Give a phone number or an email address" },
  "err.payload_too_large": { kk: "Файлдар тым үлкен", ru: "Файлы слишком большие", en: "The files are too large" },
  "err.unsupported_media_type": { kk: "Файлдардың бірі фото немесе бейне емес", ru: "Один из файлов — не фото и не видео", en: "One of the files is not a photo or a video" },
  "err.too_many_files": { kk: "Файлдар тым көп", ru: "Слишком много файлов", en: "Too many files" },
  "err.invalid_payload": { kk: "Форманы тексеріңіз: {msg}", ru: "Проверьте форму: {msg}", en: "Please check the form: {msg}" },
  "err.not_found": { kk: "Табылмады", ru: "Не найдено", en: "Not found" },
  "err.illegal_transition": { kk: "Бұл күйге қазір ауыстыру мүмкін емес", ru: "Сейчас нельзя перевести в этот статус", en: "This status change is not possible now" },
  "err.forbidden": { kk: "Рұқсат жоқ", ru: "Нет доступа", en: "Not allowed" },
  "err.aborted": { kk: "Жіберу тоқтатылды, ештеңе сақталмады", ru: "Отправка прервана, ничего не сохранено", en: "Sending stopped; nothing was saved" },
  "done.heading": { kk: "Қабылданды", ru: "Принято", en: "Received" },
  "done.number": { kk: "Нөмірі", ru: "Номер", en: "Number" },
  "done.link": { kk: "Құпия сілтеме", ru: "Личная ссылка", en: "Private link" },
  "done.keep": {
    kk: "Бұл сілтемені сақтаңыз: ол арқылы күйі мен жауапты көресіз. Сілтемені басқаларға бермеңіз.",
    ru: "Сохраните эту ссылку: по ней видны статус и ответ. Не передавайте её другим.",
    en: "Keep this link: it shows the status and the answer. Do not share it.",
  },
  "done.copy": { kk: "Сілтемені көшіру", ru: "Скопировать ссылку", en: "Copy the link" },
  "done.copied": { kk: "Көшірілді", ru: "Скопировано", en: "Copied" },
  "done.another": { kk: "Тағы біреуін жіберу", ru: "Отправить ещё", en: "Send another" },
  "trk.title": { kk: "102 — өтініш күйі", ru: "102 — статус обращения", en: "102 — status" },
  "trk.heading": { kk: "Өтінішіңіздің күйі", ru: "Статус вашего обращения", en: "Status of your case" },
  "trk.created": { kk: "Жіберілді", ru: "Отправлено", en: "Sent" },
  "trk.updated": { kk: "Жаңартылды", ru: "Обновлено", en: "Updated" },
  "trk.answer": { kk: "Жауап", ru: "Ответ", en: "Answer" },
  "trk.no_answer": { kk: "Әзірге жауап жоқ", ru: "Ответа пока нет", en: "No answer yet" },
  "trk.history": { kk: "Тарихы", ru: "История", en: "History" },
  "trk.not_found": { kk: "Бұл сілтеме бойынша ештеңе табылмады", ru: "По этой ссылке ничего не найдено", en: "Nothing was found for this link" },
  "trk.refresh": { kk: "Жаңарту", ru: "Обновить", en: "Refresh" },
  "kind.report": { kk: "Хабарлама", ru: "Сообщение", en: "Report" },
  "kind.appeal": { kk: "Өтініш", ru: "Обращение", en: "Appeal" },
  "kind.complaint": { kk: "Шағым", ru: "Жалоба", en: "Complaint" },
  "cs.received": { kk: "Қабылданды", ru: "Принято", en: "Received" },
  "cs.assigned": { kk: "Тағайындалды", ru: "Назначено", en: "Assigned" },
  "cs.in_progress": { kk: "Қаралуда", ru: "В работе", en: "In progress" },
  "cs.answered": { kk: "Жауап берілді", ru: "Дан ответ", en: "Answered" },
  "cs.closed": { kk: "Жабылды", ru: "Закрыто", en: "Closed" },
  "cat.traffic_violation": { kk: "Жол жүрісі ережесін бұзу", ru: "Нарушение ПДД", en: "Traffic violation" },
  "cat.road_accident": { kk: "Жол-көлік оқиғасы", ru: "ДТП", en: "Road accident" },
  "cat.domestic_dispute": { kk: "Тұрмыстық жанжал", ru: "Семейно-бытовой конфликт", en: "Domestic dispute" },
  "cat.child_cruelty": { kk: "Балаларға қатыгездік", ru: "Жестокое обращение с детьми", en: "Cruelty to children" },
  "cat.animal_cruelty": { kk: "Жануарларға қатыгездік", ru: "Жестокое обращение с животными", en: "Cruelty to animals" },
  "cat.hooliganism": { kk: "Бұзақылық", ru: "Хулиганство", en: "Hooliganism" },
  "cat.fight": { kk: "Төбелес", ru: "Драка", en: "Fight" },
  "cat.night_noise": { kk: "Түнгі шу", ru: "Шум ночью", en: "Noise at night" },
  "cat.public_drunkenness": { kk: "Қоғамдық орында мас болу", ru: "Распитие / опьянение в общественном месте", en: "Public drunkenness" },
  "cat.drunk_driver": { kk: "Мас жүргізуші", ru: "Пьяный водитель", en: "Drunk driver" },
  "cat.suspicious_person": { kk: "Күдікті адам", ru: "Подозрительный человек", en: "Suspicious person" },
  "cat.other": { kk: "Басқа", ru: "Другое", en: "Other" },
  "cases.tab.calls": { kk: "Қоңыраулар", ru: "Вызовы", en: "Calls" },
  "cases.tab.reports": { kk: "Хабарламалар", ru: "Сообщения", en: "Reports" },
  "cases.kind": { kk: "Түрі", ru: "Вид", en: "Kind" },
  "cases.all": { kk: "Барлығы", ru: "Все", en: "All" },
  "cases.all_kinds": { kk: "Барлық түрі", ru: "Все виды", en: "All kinds" },
  "cases.all_statuses": { kk: "Барлық күйі", ru: "Все статусы", en: "All statuses" },
  "cases.status": { kk: "Күйі", ru: "Статус", en: "Status" },
  "cases.refresh": { kk: "Жаңарту", ru: "Обновить", en: "Refresh" },
  "cases.empty": { kk: "Ештеңе жоқ", ru: "Ничего нет", en: "Nothing here" },
  "cases.pick": { kk: "Тізімнен біреуін ашыңыз", ru: "Откройте запись из списка", en: "Open one from the list" },
  "cases.files": { kk: "{n} файл", ru: "файлов: {n}", en: "{n} files" },
  "cases.region": { kk: "Өңір", ru: "Регион", en: "Region" },
  "cases.created": { kk: "Түсті", ru: "Поступило", en: "Received" },
  "cases.updated": { kk: "Жаңартылды", ru: "Обновлено", en: "Updated" },
  "cases.occurred": { kk: "Болған уақыты", ru: "Время события", en: "Happened" },
  "cases.contact": { kk: "Байланыс", ru: "Контакты", en: "Contact" },
  "cases.anonymous": { kk: "Жасырын", ru: "Анонимно", en: "Anonymous" },
  "cases.location": { kk: "Орны", ru: "Место", en: "Location" },
  "cases.no_location": { kk: "Орны көрсетілмеген", ru: "Место не указано", en: "No location given" },
  "cases.evidence": { kk: "Дәлелдер", ru: "Материалы", en: "Evidence" },
  "cases.no_files": { kk: "Файл жоқ", ru: "Файлов нет", en: "No files" },
  "cases.history": { kk: "Тарихы", ru: "История", en: "History" },
  "cases.answer": { kk: "Жауап", ru: "Ответ", en: "Answer" },
  "cases.answer_send": { kk: "Жауап жіберу", ru: "Отправить ответ", en: "Send the answer" },
  "cases.set_status": { kk: "Күйін өзгерту", ru: "Изменить статус", en: "Set status" },
  "cases.note": { kk: "Ескертпе", ru: "Примечание", en: "Note" },
  "cases.link": { kk: "Байланыстыру", ru: "Связать", en: "Link" },
  "cases.link_call": { kk: "Қоңырау ID", ru: "ID вызова", en: "Call id" },
  "cases.link_incident": { kk: "Оқиға нөмірі", ru: "Номер происшествия", en: "Incident number" },
  "cases.links": { kk: "Байланыстар", ru: "Связи", en: "Links" },
  "cases.saved": { kk: "Сақталды", ru: "Сохранено", en: "Saved" },
  "cases.back": { kk: "← Тізім", ru: "← Список", en: "← List" },
  "sec.title": { kk: "102 — ішкі қауіпсіздік", ru: "102 — собственная безопасность", en: "102 — internal security" },
  "sec.heading": { kk: "Шағымдар", ru: "Жалобы", en: "Complaints" },
  "sec.forbidden": { kk: "Бұл тіркелгі ішкі қауіпсіздік қызметіне жатпайды", ru: "Эта учётная запись не относится к собственной безопасности", en: "This account is not internal security" },
  "aud.title": { kk: "102 — аудит журналы", ru: "102 — журнал аудита", en: "102 — audit log" },
  "aud.when": { kk: "Уақыты", ru: "Время", en: "When" },
  "aud.actor": { kk: "Кім", ru: "Кто", en: "Who" },
  "aud.action": { kk: "Әрекет", ru: "Действие", en: "Action" },
  "aud.subject": { kk: "Нысан", ru: "Объект", en: "Subject" },
  "aud.detail": { kk: "Толығырақ", ru: "Подробности", en: "Detail" },
  "aud.filter": { kk: "Нысан бойынша сүзу", ru: "Фильтр по объекту", en: "Filter by subject" },
  "aud.forbidden": { kk: "Аудит журналын тек әкімшілер оқи алады", ru: "Журнал аудита доступен только администраторам", en: "Only administrators can read the audit log" },
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
