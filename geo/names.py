"""Names in English, Russian and Kazakh: regions, neighbouring countries, compass phrases.

Kazakhstan's dispatchers work in Russian and Kazakh, so every text the operator console shows
comes in all three. English region names are the ones in ``domain.routing.KZ_UNITS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from domain.routing import KZ_UNITS


class Names(NamedTuple):
    en: str
    ru: str
    kk: str


_REGIONS_RU_KK: dict[str, tuple[str, str]] = {
    "KZ-10": ("Абайская область", "Абай облысы"),
    "KZ-11": ("Акмолинская область", "Ақмола облысы"),
    "KZ-15": ("Актюбинская область", "Ақтөбе облысы"),
    "KZ-19": ("Алматинская область", "Алматы облысы"),
    "KZ-23": ("Атырауская область", "Атырау облысы"),
    "KZ-27": ("Западно-Казахстанская область", "Батыс Қазақстан облысы"),
    "KZ-31": ("Жамбылская область", "Жамбыл облысы"),
    "KZ-33": ("Жетысуская область", "Жетісу облысы"),
    "KZ-35": ("Карагандинская область", "Қарағанды облысы"),
    "KZ-39": ("Костанайская область", "Қостанай облысы"),
    "KZ-43": ("Кызылординская область", "Қызылорда облысы"),
    "KZ-47": ("Мангистауская область", "Маңғыстау облысы"),
    "KZ-55": ("Павлодарская область", "Павлодар облысы"),
    "KZ-59": ("Северо-Казахстанская область", "Солтүстік Қазақстан облысы"),
    "KZ-61": ("Туркестанская область", "Түркістан облысы"),
    "KZ-62": ("Улытауская область", "Ұлытау облысы"),
    "KZ-63": ("Восточно-Казахстанская область", "Шығыс Қазақстан облысы"),
    "KZ-71": ("Астана", "Астана"),
    "KZ-75": ("Алматы", "Алматы"),
    "KZ-79": ("Шымкент", "Шымкент"),
}

REGION_NAMES: Mapping[str, Names] = MappingProxyType(
    {code: Names(KZ_UNITS[code], *_REGIONS_RU_KK[code]) for code in KZ_UNITS}
)

# Cities of republican significance: "of Almaty, Almaty" would read as a stutter.
CITY_CODES = frozenset({"KZ-71", "KZ-75", "KZ-79"})

# Kazakhstan and the countries whose settlements the offline geocoder may name.
COUNTRY_NAMES: Mapping[str, Names] = MappingProxyType(
    {
        "KZ": Names("Kazakhstan", "Казахстан", "Қазақстан"),
        "KG": Names("Kyrgyzstan", "Кыргызстан", "Қырғызстан"),
        "UZ": Names("Uzbekistan", "Узбекистан", "Өзбекстан"),
        "TM": Names("Turkmenistan", "Туркменистан", "Түрікменстан"),
        "RU": Names("Russia", "Россия", "Ресей"),
        "CN": Names("China", "Китай", "Қытай"),
    }
)

# Bearing FROM the settlement TO the caller, as each language phrases "N of X".
COMPASS_RU: Mapping[str, str] = MappingProxyType(
    {
        "N": "к северу",
        "NE": "к северо-востоку",
        "E": "к востоку",
        "SE": "к юго-востоку",
        "S": "к югу",
        "SW": "к юго-западу",
        "W": "к западу",
        "NW": "к северо-западу",
    }
)
COMPASS_KK: Mapping[str, str] = MappingProxyType(
    {
        "N": "солтүстікке",
        "NE": "солтүстік-шығысқа",
        "E": "шығысқа",
        "SE": "оңтүстік-шығысқа",
        "S": "оңтүстікке",
        "SW": "оңтүстік-батысқа",
        "W": "батысқа",
        "NW": "солтүстік-батысқа",
    }
)

# GeoNames' primary names are transliterations that differ from the names used in Kazakhstan
# today (Konayev, Zhezqazghan, Ust-Kamenogorsk); its alternate names mix Russian, Kazakh,
# Kyrgyz and Uzbek Cyrillic without language tags. For the places a dispatcher hears most,
# the names are curated here: (country, GeoNames name) -> (en, ru, kk).
CURATED_SETTLEMENTS: Mapping[tuple[str, str], Names] = MappingProxyType(
    {
        ("KZ", "Astana"): Names("Astana", "Астана", "Астана"),
        ("KZ", "Almaty"): Names("Almaty", "Алматы", "Алматы"),
        ("KZ", "Shymkent"): Names("Shymkent", "Шымкент", "Шымкент"),
        ("KZ", "Karagandy"): Names("Karaganda", "Караганда", "Қарағанды"),
        ("KZ", "Aktobe"): Names("Aktobe", "Актобе", "Ақтөбе"),
        ("KZ", "Taraz"): Names("Taraz", "Тараз", "Тараз"),
        ("KZ", "Pavlodar"): Names("Pavlodar", "Павлодар", "Павлодар"),
        ("KZ", "Ust-Kamenogorsk"): Names("Oskemen", "Усть-Каменогорск", "Өскемен"),
        ("KZ", "Semey"): Names("Semey", "Семей", "Семей"),
        ("KZ", "Atyrau"): Names("Atyrau", "Атырау", "Атырау"),
        ("KZ", "Kostanay"): Names("Kostanay", "Костанай", "Қостанай"),
        ("KZ", "Kyzylorda"): Names("Kyzylorda", "Кызылорда", "Қызылорда"),
        ("KZ", "Oral"): Names("Oral", "Уральск", "Орал"),
        ("KZ", "Petropavl"): Names("Petropavl", "Петропавловск", "Петропавл"),
        ("KZ", "Aktau"): Names("Aktau", "Актау", "Ақтау"),
        ("KZ", "Temirtau"): Names("Temirtau", "Темиртау", "Теміртау"),
        ("KZ", "Turkistan"): Names("Turkistan", "Туркестан", "Түркістан"),
        ("KZ", "Kokshetau"): Names("Kokshetau", "Кокшетау", "Көкшетау"),
        ("KZ", "Taldykorgan"): Names("Taldykorgan", "Талдыкорган", "Талдықорған"),
        ("KZ", "Ekibastuz"): Names("Ekibastuz", "Экибастуз", "Екібастұз"),
        ("KZ", "Rudnyy"): Names("Rudny", "Рудный", "Рудный"),
        ("KZ", "Zhanaozen"): Names("Zhanaozen", "Жанаозен", "Жаңаөзен"),
        ("KZ", "Zhezqazghan"): Names("Zhezkazgan", "Жезказган", "Жезқазған"),
        ("KZ", "Konayev"): Names("Konaev", "Конаев", "Қонаев"),
        ("KZ", "Balqash"): Names("Balkhash", "Балхаш", "Балқаш"),
        ("KZ", "Satpayev"): Names("Satpayev", "Сатпаев", "Сәтбаев"),
        ("KZ", "Baikonur"): Names("Baikonur", "Байконур", "Байқоңыр"),
        ("KZ", "Sarqant"): Names("Sarkand", "Сарканд", "Сарқан"),
        ("KZ", "Kentau"): Names("Kentau", "Кентау", "Кентау"),
        ("KZ", "Saryaghash"): Names("Saryagash", "Сарыагаш", "Сарыағаш"),
        ("KZ", "Ridder"): Names("Ridder", "Риддер", "Риддер"),
        ("KZ", "Kaskelen"): Names("Kaskelen", "Каскелен", "Қаскелең"),
        ("KZ", "Talghar"): Names("Talgar", "Талгар", "Талғар"),
        ("KZ", "Esik"): Names("Esik", "Есик", "Есік"),
        ("KZ", "Zharkent"): Names("Zharkent", "Жаркент", "Жаркент"),
        ("KG", "Bishkek"): Names("Bishkek", "Бишкек", "Бішкек"),
        ("UZ", "Tashkent"): Names("Tashkent", "Ташкент", "Ташкент"),
        ("TM", "Dashoguz"): Names("Dashoguz", "Дашогуз", "Дашогуз"),
        ("RU", "Omsk"): Names("Omsk", "Омск", "Омбы"),
        ("RU", "Orenburg"): Names("Orenburg", "Оренбург", "Орынбор"),
        ("RU", "Barnaul"): Names("Barnaul", "Барнаул", "Барнауыл"),
        ("RU", "Astrakhan"): Names("Astrakhan", "Астрахань", "Астрахан"),
        ("CN", "Ürümqi"): Names("Urumqi", "Урумчи", "Үрімші"),
    }
)
