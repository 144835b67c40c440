//! The landing page's own words in English, French and Arabic, all in this one table, and the
//! choice of language for a request: `?lang=` when it names one of the three, else the best of
//! them that `Accept-Language` accepts, else English.
//!
//! Names of records (states, organisations, processes) are not here: they come from the record
//! and its archived translations ([`crate::seed::reference`]). Templates name their values in
//! braces (`{name}`), filled by [`fill`]; Arabic sentences are worded so that a number never has
//! to agree with its noun (Arabic has a dual and several plurals), e.g. "the states: 47".

use crate::domain::{Language, MeetingKind};

/// Every text the page shows, in one language.
pub struct Texts {
    /// The language.
    pub lang: Language,
    /// Its BCP 47 code, for `lang` attributes and `?lang=`.
    pub code: &'static str,
    /// Its writing direction, for `dir`.
    pub dir: &'static str,
    /// Its name in itself, for the links between languages.
    pub own_name: &'static str,
    /// The label of the links between languages.
    pub languages: &'static str,
    /// The window title: `{name}`.
    pub title: &'static str,
    /// The page heading: `{name}`.
    pub heading: &'static str,
    /// The opening paragraph: `{name}`, `{alias}`, `{established}`, `{states}`,
    /// `{organizations}`, `{chairmanships}`, `{processes}`, `{meetings}`, `{commitments}`.
    pub intro: &'static str,
    /// When the process was established: `{date}`.
    pub established: &'static str,
    /// Joins the last two process names.
    pub and: &'static str,
    /// The label of the list of links.
    pub where_to_go: &'static str,
    /// What GraphiQL is, after its link.
    pub graphiql: &'static str,
    /// What schema.graphql is, after its link.
    pub schema: &'static str,
    /// The link to the exports.
    pub exports: &'static str,
    /// The link to the examples.
    pub examples_link: &'static str,
    /// What /health is, after its link.
    pub health: &'static str,
    /// How to send a query.
    pub how_to_query: &'static str,
    /// The chair timeline's heading: `{name}`.
    pub chairs_heading: &'static str,
    /// The chair timeline's caption: `{undated}`.
    pub chairs_caption: &'static str,
    /// One term without a known start.
    pub undated_one: &'static str,
    /// `{n}` terms without a known start.
    pub undated_many: &'static str,
    /// The meetings chart's heading.
    pub meetings_heading: &'static str,
    /// The meetings chart's caption: `{meetings}`, `{name}`.
    pub meetings_caption: &'static str,
    /// The map's heading.
    pub map_heading: &'static str,
    /// The map's caption: `{cities}`, `{placed}`, `{name}`, `{elsewhere}`.
    pub map_caption: &'static str,
    /// The network's heading.
    pub network_heading: &'static str,
    /// The network's caption: `{actors}`, `{pairs}`, `{name}`.
    pub network_caption: &'static str,
    /// The examples' heading.
    pub examples_heading: &'static str,
    /// What an example link does.
    pub examples_intro: &'static str,
    /// The footer: `{version}`, `{last_change}`.
    pub footer: &'static str,
    /// The chair timeline's title: `{first}`, `{last}` (years).
    pub terms_title: &'static str,
    /// A running term's dates: `{start}`.
    pub since: &'static str,
    /// Who chaired for the chair: `{person}`.
    pub chaired_by: &'static str,
    /// A stretch no term covers: `{from}`, `{until}`.
    pub no_chair: &'static str,
    /// A date known only to the month or year: `{date}`.
    pub known_only_as: &'static str,
    /// The arrow of the running term.
    pub still_running: &'static str,
    /// The line of today: `{date}`.
    pub today: &'static str,
    /// A timeline with no dated terms.
    pub no_terms: &'static str,
    /// A chart with no meetings.
    pub no_meetings: &'static str,
    /// One meeting.
    pub one_meeting: &'static str,
    /// `{n}` meetings.
    pub many_meetings: &'static str,
    /// A city's tooltip on the map: `{city}`, `{country}`, `{count}`.
    pub city_title: &'static str,
    /// A node's tooltip in the network: `{actor}`, `{partners}`, `{meetings}`.
    pub actor_title: &'static str,
    /// An edge's tooltip in the network: `{a}`, `{b}`, `{count}`.
    pub pair_title: &'static str,
}

/// The page in English.
pub const EN: Texts = Texts {
    lang: Language::En,
    code: "en",
    dir: "ltr",
    own_name: "English",
    languages: "Languages",
    title: "{name} · GraphQL API",
    heading: "The {name}, as a GraphQL API",
    intro: "The public record of the <strong>{name}</strong>{alias}{established}: {states} states and {organizations} organisations with their memberships over time, {chairmanships} chair terms of the {processes}, {meetings} meetings with their hosts, co-hosts and chairs, and the declarations and action plans down to each of {commitments} commitments. Every record cites its sources; dates are as precise as the sources allow.",
    established: ", established {date}",
    and: " and ",
    where_to_go: "Where to go",
    graphiql: "write and run queries in the browser, every type and field documented",
    schema: "the schema in SDL",
    exports: "Bulk exports (CSV, JSON, GraphML)",
    examples_link: "Example queries",
    health: "status and dataset version",
    how_to_query: "Send queries to <code>/graphql</code>: a GET with <code>?query=</code>, or a POST with a JSON body. Reads need no token.",
    chairs_heading: "Who chaired the {name}",
    chairs_caption: "One row per chair term, on a time axis. A bar runs from the first day its start may mean to the last day its end may mean; hatched ends are dates known only to the month or the year. The running term reaches today (dashed line). Shaded stretches would be days no term covers.{undated} Hover a bar for its dates.",
    undated_one: " One term has no known start and is not drawn.",
    undated_many: " {n} terms have no known start and are not drawn.",
    meetings_heading: "Meetings per year, by kind",
    meetings_caption: "The {meetings} meetings of the {name}, by the year they began, stacked by kind. Hover a segment for its count.",
    map_heading: "Where the meetings were held",
    map_caption: "The {cities} cities where {placed} meetings of the {name} were held in person, each circle sized by its number of meetings; {elsewhere} more were held online or where the record names no city. Hover a city for its count; click it to list its meetings in GraphiQL. Country outlines: made with Natural Earth.",
    network_heading: "Who organised meetings with whom",
    network_caption: "The {actors} states and organisations that organised meetings of the {name} together (as host, co-host, chair or co-chair), on a circle ordered by how many partners each has. Each of the {pairs} lines joins two of them; the more meetings they organised together, the thicker it is. Hover a name or a line for the count.",
    examples_heading: "Example queries",
    examples_intro: "Each link opens the query in GraphiQL, ready to run.",
    footer: "Dataset version <code>{version}</code>, last changed {last_change}. The pictures are drawn from the data being served, at each page load.",
    terms_title: "Chair terms, {first} to {last}",
    since: "since {start}",
    chaired_by: ", chaired by {person}",
    no_chair: "No chair known from {from} to {until}",
    known_only_as: "known only as {date}",
    still_running: "still running",
    today: "today, {date}",
    no_terms: "No dated chair terms are recorded.",
    no_meetings: "No meetings are recorded.",
    one_meeting: "1 meeting",
    many_meetings: "{n} meetings",
    city_title: "{city} ({country}): {count}",
    actor_title: "{actor}: {partners} partners, {meetings} meetings organised with others",
    pair_title: "{a} and {b}: {count}",
};

/// The page in French.
pub const FR: Texts = Texts {
    lang: Language::Fr,
    code: "fr",
    dir: "ltr",
    own_name: "Français",
    languages: "Langues",
    title: "{name} · API GraphQL",
    heading: "Le {name}, en API GraphQL",
    intro: "Les données publiques du <strong>{name}</strong>{alias}{established} : {states} États et {organizations} organisations avec leur participation au fil du temps, {chairmanships} mandats de présidence du {processes}, {meetings} réunions avec leurs hôtes, co-organisateurs et présidents, et les déclarations et plans d’action jusqu’à chacun de leurs {commitments} engagements. Chaque donnée cite ses sources ; les dates sont aussi précises que les sources le permettent.",
    established: ", créé en {date}",
    and: " et du ",
    where_to_go: "Par où commencer",
    graphiql: "écrire et exécuter des requêtes dans le navigateur, chaque type et chaque champ documenté",
    schema: "le schéma en SDL",
    exports: "Exports complets (CSV, JSON, GraphML)",
    examples_link: "Exemples de requêtes",
    health: "état du service et version des données",
    how_to_query: "Envoyez les requêtes à <code>/graphql</code> : un GET avec <code>?query=</code>, ou un POST avec un corps JSON. La lecture ne demande aucun jeton.",
    chairs_heading: "Qui a présidé le {name}",
    chairs_caption: "Une ligne par mandat de présidence, sur un axe du temps. Une barre va du premier jour que peut désigner son début au dernier jour que peut désigner sa fin ; les extrémités hachurées sont des dates connues seulement au mois ou à l’année. Le mandat en cours s’étend jusqu’à aujourd’hui (ligne pointillée). Les plages ombrées seraient des jours qu’aucun mandat ne couvre.{undated} Survolez une barre pour voir ses dates.",
    undated_one: " Un mandat n’a pas de début connu et n’est pas dessiné.",
    undated_many: " {n} mandats n’ont pas de début connu et ne sont pas dessinés.",
    meetings_heading: "Réunions par année, par type",
    meetings_caption: "Les {meetings} réunions du {name}, selon l’année de leur début, empilées par type. Survolez un segment pour voir son nombre.",
    map_heading: "Où se sont tenues les réunions",
    map_caption: "Les {cities} villes où se sont tenues en présentiel {placed} réunions du {name}, chaque cercle à la mesure de son nombre de réunions ; {elsewhere} autres se sont tenues en ligne ou là où les données ne nomment pas de ville. Survolez une ville pour voir son nombre ; cliquez-la pour lister ses réunions dans GraphiQL. Contours des pays : réalisés avec Natural Earth.",
    network_heading: "Qui a organisé des réunions avec qui",
    network_caption: "Les {actors} États et organisations qui ont organisé ensemble des réunions du {name} (comme hôte, co-organisateur, président ou co-président), sur un cercle, dans l’ordre du nombre de leurs partenaires. Chacune des {pairs} lignes relie deux d’entre eux ; plus ils ont organisé de réunions ensemble, plus elle est épaisse. Survolez un nom ou une ligne pour voir le nombre.",
    examples_heading: "Exemples de requêtes",
    examples_intro: "Chaque lien ouvre la requête dans GraphiQL, prête à être exécutée. Les requêtes et leurs titres sont en anglais, comme le schéma.",
    footer: "Version des données <code>{version}</code>, dernière modification {last_change}. Les graphiques sont dessinés à chaque chargement de la page, à partir des données servies.",
    terms_title: "Mandats de présidence, de {first} à {last}",
    since: "depuis {start}",
    chaired_by: ", présidé par {person}",
    no_chair: "Aucune présidence connue du {from} au {until}",
    known_only_as: "connue seulement comme {date}",
    still_running: "en cours",
    today: "aujourd’hui, {date}",
    no_terms: "Aucun mandat de présidence daté n’est enregistré.",
    no_meetings: "Aucune réunion n’est enregistrée.",
    one_meeting: "1 réunion",
    many_meetings: "{n} réunions",
    city_title: "{city} ({country}) : {count}",
    actor_title: "{actor} : {partners} partenaires, {meetings} réunions organisées avec d’autres",
    pair_title: "{a} et {b} : {count}",
};

/// The page in Arabic.
pub const AR: Texts = Texts {
    lang: Language::Ar,
    code: "ar",
    dir: "rtl",
    own_name: "العربية",
    languages: "اللغات",
    title: "{name} · واجهة GraphQL البرمجية",
    heading: "{name} في واجهة GraphQL البرمجية",
    intro: "السجل العام لـ<strong>{name}</strong>{alias}{established}: الدول ({states}) والمنظمات ({organizations}) وعضويتها عبر الزمن، وفترات الرئاسة ({chairmanships}) في {processes}، والاجتماعات ({meetings}) بمضيفيها ومضيفيها المشاركين ورؤسائها، والإعلانات وخطط العمل حتى كل التزام من التزاماتها ({commitments}). يذكر كل سجل مصادره؛ والتواريخ دقيقة بقدر ما تسمح به المصادر.",
    established: "، تأسست في {date}",
    and: " و",
    where_to_go: "إلى أين",
    graphiql: "كتابة الاستعلامات وتشغيلها في المتصفح، مع توثيق كل نوع وكل حقل",
    schema: "المخطط بلغة SDL",
    exports: "التصدير الكامل (CSV وJSON وGraphML)",
    examples_link: "أمثلة على الاستعلامات",
    health: "حالة الخدمة وإصدار البيانات",
    how_to_query: "أرسل الاستعلامات إلى <code>/graphql</code>: طلب GET مع <code>?query=</code>، أو طلب POST بجسم JSON. القراءة لا تحتاج إلى رمز دخول.",
    chairs_heading: "من تولى رئاسة {name}",
    chairs_caption: "صف لكل فترة رئاسة على محور زمني. يمتد كل شريط من أول يوم قد تعنيه بدايته إلى آخر يوم قد تعنيه نهايته؛ والأطراف المظللة بخطوط تواريخ معروفة بالشهر أو بالسنة فقط. وتمتد الفترة الجارية حتى اليوم (الخط المتقطع). والمساحات المظللة أيام لا تغطيها أي فترة.{undated} مرر المؤشر فوق شريط لترى تواريخه.",
    undated_one: " فترة واحدة بداية غير معروفة ولم تُرسم.",
    undated_many: " فترات بلا بداية معروفة لم تُرسم (عددها: {n}).",
    meetings_heading: "الاجتماعات في كل سنة، حسب النوع",
    meetings_caption: "اجتماعات {name} (عددها: {meetings})، حسب سنة بدايتها، مكدسة حسب النوع. مرر المؤشر فوق جزء لترى عدده.",
    map_heading: "أين عُقدت الاجتماعات",
    map_caption: "المدن التي عُقدت فيها اجتماعات {name} حضوريًا (المدن: {cities}، الاجتماعات: {placed})، وحجم كل دائرة بقدر عدد اجتماعاتها؛ وعُقدت اجتماعات أخرى عبر الإنترنت أو في مكان لا يذكر السجل مدينته (عددها: {elsewhere}). مرر المؤشر فوق مدينة لترى عددها، وانقر عليها لتعرض اجتماعاتها في GraphiQL. حدود الدول: من Natural Earth.",
    network_heading: "من نظّم الاجتماعات مع من",
    network_caption: "الدول والمنظمات التي نظّمت معًا اجتماعات {name} (مضيفةً أو مضيفةً مشاركة أو رئيسةً أو رئيسةً مشاركة)، على دائرة مرتبة حسب عدد شركاء كل منها (عددها: {actors}). يصل كل خط بين اثنتين منها (الخطوط: {pairs})، ويزداد سمكه بقدر الاجتماعات التي نظّمتاها معًا. مرر المؤشر فوق اسم أو خط لترى العدد.",
    examples_heading: "أمثلة على الاستعلامات",
    examples_intro: "يفتح كل رابط الاستعلام في GraphiQL جاهزًا للتشغيل. الاستعلامات وعناوينها بالإنجليزية، مثل المخطط.",
    footer: "إصدار البيانات <code>{version}</code>، آخر تغيير {last_change}. تُرسم الأشكال من البيانات المقدَّمة عند كل تحميل للصفحة.",
    terms_title: "فترات الرئاسة، من {first} إلى {last}",
    since: "منذ {start}",
    chaired_by: "، برئاسة {person}",
    no_chair: "لا رئاسة معروفة من {from} إلى {until}",
    known_only_as: "معروف فقط بـ {date}",
    still_running: "ما زالت جارية",
    today: "اليوم، {date}",
    no_terms: "لا توجد فترات رئاسة مؤرخة مسجلة.",
    no_meetings: "لا توجد اجتماعات مسجلة.",
    one_meeting: "اجتماع واحد",
    many_meetings: "الاجتماعات: {n}",
    city_title: "{city} ({country}): {count}",
    actor_title: "{actor}: الشركاء: {partners}، الاجتماعات المنظمة مع غيرها: {meetings}",
    pair_title: "{a} و{b}: {count}",
};

/// Every language the page is in, English first.
pub const ALL: [&Texts; 3] = [&EN, &FR, &AR];

impl Texts {
    /// The page's texts in `lang`.
    pub fn of(lang: Language) -> &'static Texts {
        match lang {
            Language::En => &EN,
            Language::Fr => &FR,
            Language::Ar => &AR,
        }
    }

    /// A number of meetings, as tooltips show it.
    pub fn meetings(&self, n: usize) -> String {
        if n == 1 {
            self.one_meeting.to_owned()
        } else {
            fill(self.many_meetings, &[("n", &n.to_string())])
        }
    }

    /// The label of a meeting kind, as the meetings chart's legend and tooltips show it.
    pub fn kind(&self, kind: MeetingKind) -> &'static str {
        use MeetingKind::*;
        match (self.lang, kind) {
            (Language::En, MinisterialConference) => "Ministerial conference",
            (Language::En, Summit) => "Summit",
            (Language::En, SeniorOfficialsMeeting) => "Senior officials' meeting",
            (Language::En, SteeringCommitteeMeeting) => "Steering committee meeting",
            (Language::En, ThematicMeeting) => "Thematic meeting",
            (Language::En, ThematicWorkshop) => "Thematic workshop",
            (Language::En, Roundtable) => "Roundtable",
            (Language::En, Training) => "Training",
            (Language::En, Webinar) => "Webinar",
            (Language::En, VirtualMeeting) => "Virtual meeting",
            (Language::Fr, MinisterialConference) => "Conférence ministérielle",
            (Language::Fr, Summit) => "Sommet",
            (Language::Fr, SeniorOfficialsMeeting) => "Réunion de hauts fonctionnaires",
            (Language::Fr, SteeringCommitteeMeeting) => "Réunion du comité de pilotage",
            (Language::Fr, ThematicMeeting) => "Réunion thématique",
            (Language::Fr, ThematicWorkshop) => "Atelier thématique",
            (Language::Fr, Roundtable) => "Table ronde",
            (Language::Fr, Training) => "Formation",
            (Language::Fr, Webinar) => "Webinaire",
            (Language::Fr, VirtualMeeting) => "Réunion en ligne",
            (Language::Ar, MinisterialConference) => "مؤتمر وزاري",
            (Language::Ar, Summit) => "قمة",
            (Language::Ar, SeniorOfficialsMeeting) => "اجتماع كبار المسؤولين",
            (Language::Ar, SteeringCommitteeMeeting) => "اجتماع اللجنة التوجيهية",
            (Language::Ar, ThematicMeeting) => "اجتماع مواضيعي",
            (Language::Ar, ThematicWorkshop) => "ورشة عمل مواضيعية",
            (Language::Ar, Roundtable) => "مائدة مستديرة",
            (Language::Ar, Training) => "تدريب",
            (Language::Ar, Webinar) => "ندوة عبر الإنترنت",
            (Language::Ar, VirtualMeeting) => "اجتماع عبر الإنترنت",
        }
    }
}

/// A template with each `{key}` replaced by its value. Values are put in as given: escape them
/// first where they come from data.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

/// The language of a `?lang=` value or an `Accept-Language` range: its primary subtag, in any
/// case (`fr`, `FR`, `fr-CH`).
fn language(tag: &str) -> Option<Language> {
    match tag.split('-').next().unwrap_or_default().trim().to_ascii_lowercase().as_str() {
        "en" => Some(Language::En),
        "fr" => Some(Language::Fr),
        "ar" => Some(Language::Ar),
        _ => None,
    }
}

/// The language an `Accept-Language` header prefers among the three: the one with the highest
/// weight (`q`), the first listed among equals; `*` stands for English. `None` when it accepts
/// none of them.
fn preferred(accept_language: &str) -> Option<Language> {
    let mut best: Option<(f32, Language)> = None;
    for range in accept_language.split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let q =
            parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        let lang = if tag == "*" { Some(Language::En) } else { language(tag) };
        if let Some(lang) = lang.filter(|_| q > 0.0) {
            if best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
    }
    best.map(|(_, lang)| lang)
}

/// The page's language for a request, and whether `Accept-Language` chose it (so that the
/// response must say `Vary: Accept-Language`). A `?lang=` that names one of the three wins; an
/// unknown one is ignored.
pub fn choose(lang_param: Option<&str>, accept_language: Option<&str>) -> (Language, bool) {
    match lang_param.and_then(language) {
        Some(lang) => (lang, false),
        None => (accept_language.and_then(preferred).unwrap_or(Language::En), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_lang_wins_over_accept_language() {
        assert_eq!(choose(Some("ar"), Some("fr")), (Language::Ar, false));
        assert_eq!(choose(Some("FR"), None), (Language::Fr, false));
        assert_eq!(choose(Some("en"), Some("ar")), (Language::En, false));
    }

    #[test]
    fn accept_language_chooses_by_weight_then_order() {
        assert_eq!(choose(None, Some("fr-CH, fr;q=0.9, en;q=0.8")), (Language::Fr, true));
        assert_eq!(choose(None, Some("de, en;q=0.5, ar;q=0.7")), (Language::Ar, true));
        assert_eq!(choose(None, Some("ar;q=0.5, fr;q=0.5")), (Language::Ar, true));
        assert_eq!(choose(None, Some("fr;q=0, *;q=0.1")), (Language::En, true));
    }

    #[test]
    fn no_known_language_means_english() {
        assert_eq!(choose(None, None), (Language::En, true));
        assert_eq!(choose(Some("de"), Some("de, it;q=0.5")), (Language::En, true));
        assert_eq!(choose(Some(""), Some("garbage;;q=x")), (Language::En, true));
    }

    /// Every text of a language that has placeholders, by field.
    fn templates(t: &Texts) -> Vec<(&'static str, &'static str)> {
        vec![
            ("title", t.title),
            ("heading", t.heading),
            ("intro", t.intro),
            ("established", t.established),
            ("chairs_heading", t.chairs_heading),
            ("chairs_caption", t.chairs_caption),
            ("undated_many", t.undated_many),
            ("meetings_caption", t.meetings_caption),
            ("map_caption", t.map_caption),
            ("network_caption", t.network_caption),
            ("footer", t.footer),
            ("terms_title", t.terms_title),
            ("since", t.since),
            ("chaired_by", t.chaired_by),
            ("no_chair", t.no_chair),
            ("known_only_as", t.known_only_as),
            ("today", t.today),
            ("many_meetings", t.many_meetings),
            ("city_title", t.city_title),
            ("actor_title", t.actor_title),
            ("pair_title", t.pair_title),
        ]
    }

    /// The placeholders of a template.
    fn keys(template: &str) -> std::collections::BTreeSet<&str> {
        template.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(key, _)| key)).collect()
    }

    #[test]
    fn every_language_has_the_placeholders_of_english_in_every_text() {
        for t in [&FR, &AR] {
            for ((field, en), (_, other)) in templates(&EN).into_iter().zip(templates(t)) {
                assert_eq!(keys(other), keys(en), "{} {field}", t.code);
            }
        }
        // Texts without placeholders have none.
        for t in ALL {
            for text in [t.languages, t.where_to_go, t.graphiql, t.schema, t.exports, t.health, t.no_meetings] {
                assert!(keys(text).is_empty(), "{}: {text}", t.code);
            }
        }
    }

    #[test]
    fn every_template_placeholder_is_filled_in_every_language() {
        for t in ALL {
            let intro = fill(
                t.intro,
                &[
                    ("name", "N"),
                    ("alias", ""),
                    ("established", ""),
                    ("states", "1"),
                    ("organizations", "2"),
                    ("chairmanships", "3"),
                    ("processes", "P"),
                    ("meetings", "4"),
                    ("commitments", "5"),
                ],
            );
            assert!(!intro.contains('{'), "{}: {intro}", t.code);
            assert_eq!(Texts::of(t.lang).code, t.code);
        }
    }
}
