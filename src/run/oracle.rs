//! The oracle: after every linkage, the target's Mi Historial and details are compared with the
//! simulator's own data (docs/infomex-sim.md, `GET /__admin/accounts/{slug}/{usuario}`).
//!
//! Every folio the account holds must be in the history exactly once, with its type,
//! institution, dates, estado, answers and attachment checksums equal to the simulator's, and
//! its fecha límite and semáforo as pnt-model computes them for the target's "today" — or the
//! linkage must have reported it in `pendientes`, with a reason. Pure: data in, misses out.

use std::collections::{BTreeMap, BTreeSet};

use pnt_model::{Date, Jurisdiccion, ReglasAplicadas, Respuesta, Solicitud, Tramite};
use serde::Deserialize;
use serde_json::Value;

use super::verify::{Miss, value_diff};
use crate::report::Diff;

/// An Infomex account as the simulator's admin API returns it: its solicitudes are the model's
/// own, attachment ids and checksums included.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SimAccount {
    pub usuario: String,
    pub contrasena: String,
    #[serde(default)]
    pub bloqueada: bool,
    pub solicitudes: Vec<Solicitud>,
}

/// What the target showed after a linkage.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetView {
    /// The linkage result (`POST /api/v1/vinculaciones`).
    pub linkage: Value,
    /// The target's "today" (Mi Historial's `hoy`).
    pub hoy: Date,
    /// Every row of Mi Historial of this jurisdiction, all pages.
    pub rows: Vec<Value>,
    /// The detail of each folio in `rows`.
    pub details: BTreeMap<String, Value>,
    /// The rules (calendars, terms, semáforo threshold) the target publishes in its discovery
    /// document, or LFT's when it publishes none.
    pub reglas: ReglasAplicadas,
    /// Whether `reglas` were published by the target (else they are assumed).
    pub reglas_publicadas: bool,
}

/// The most differences listed per check, so a broken migration of 5,000 solicitudes still
/// gives a report a person can read.
const MAX_LISTED: usize = 12;

const COLUMNS: [&str; 7] = [
    "Folio",
    "Tipo",
    "Institución",
    "Recepción oficial",
    "Fecha límite",
    "Semáforo",
    "Estado",
];

/// Compares the target's view of jurisdiction `j` with the accounts the user linked there.
///
/// Each check is a function of its own; they run in the order their failures are reported.
pub fn compare(j: Jurisdiccion, accounts: &[&SimAccount], view: &TargetView) -> Vec<Miss> {
    let pending = Pending::of(&view.linkage);
    let rows = Rows::of(&view.rows);
    let solicitudes: Vec<&Solicitud> = accounts.iter().flat_map(|a| &a.solicitudes).collect();
    let mut misses = check_pendientes_explained(&pending);
    misses.extend(check_linkage_estado(&view.linkage, &pending));
    misses.extend(check_duplicates(&rows));
    misses.extend(check_missing(&solicitudes, &rows, &pending));
    misses.extend(check_extra(&solicitudes, &rows));
    misses.extend(check_rows(j, &solicitudes, &rows, view));
    misses.extend(check_details(&solicitudes, &rows, view));
    misses
}

/// The linkage's `pendientes`: the folios it names, and how many name none.
struct Pending<'a> {
    entries: Vec<&'a Value>,
    folios: BTreeSet<String>,
    unnamed: usize,
}

impl Pending<'_> {
    fn of(linkage: &Value) -> Pending<'_> {
        let entries: Vec<&Value> = linkage
            .get("pendientes")
            .and_then(Value::as_array)
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        let folios = entries
            .iter()
            .filter_map(|p| p.get("folio").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
        let unnamed = entries
            .iter()
            .filter(|p| p.get("folio").and_then(Value::as_str).is_none())
            .count();
        Pending {
            entries,
            folios,
            unnamed,
        }
    }
}

/// Mi Historial's rows by folio, and the folios shown more than once.
struct Rows<'a> {
    by_folio: BTreeMap<String, &'a Value>,
    duplicated: Vec<String>,
}

impl Rows<'_> {
    fn of(rows: &[Value]) -> Rows<'_> {
        let mut by_folio = BTreeMap::new();
        let mut duplicated = Vec::new();
        for row in rows {
            let folio = row
                .get("folio")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if by_folio.insert(folio.clone(), row).is_some() {
                duplicated.push(folio);
            }
        }
        Rows {
            by_folio,
            duplicated,
        }
    }
}

/// Every pending folio says its `codigo` and its `motivo`.
fn check_pendientes_explained(pending: &Pending<'_>) -> Vec<Miss> {
    pending
        .entries
        .iter()
        .filter(|p| {
            let codigo = p.get("codigo").and_then(Value::as_str).unwrap_or("");
            let motivo = p.get("motivo").and_then(Value::as_str).unwrap_or("");
            codigo.is_empty() || motivo.trim().is_empty()
        })
        .map(|p| Miss {
            check: "oráculo: pendientes".into(),
            message: "cada pendiente debe decir su `codigo` y su `motivo`".into(),
            diff: Some(value_diff(
                &Value::String("{folio, codigo, motivo}".into()),
                p,
            )),
        })
        .collect()
}

/// The linkage is `completa` exactly when nothing is pending.
fn check_linkage_estado(linkage: &Value, pending: &Pending<'_>) -> Option<Miss> {
    let estado = linkage.get("estado").and_then(Value::as_str).unwrap_or("");
    let n = pending.entries.len();
    let expected = if n == 0 { "completa" } else { "incompleta" };
    (estado != expected).then(|| Miss {
        check: "oráculo: estado".into(),
        message: format!("con {n} pendientes, la vinculación debe quedar `{expected}`"),
        diff: Some(Diff::Value {
            expected: expected.into(),
            actual: estado.into(),
        }),
    })
}

/// No folio appears twice in Mi Historial.
fn check_duplicates(rows: &Rows<'_>) -> Option<Miss> {
    (!rows.duplicated.is_empty()).then(|| {
        listed(
            "oráculo: duplicados",
            format!(
                "{} folios aparecen más de una vez en Mi Historial",
                rows.duplicated.len()
            ),
            &rows.duplicated,
        )
    })
}

/// Every folio of the accounts is in Mi Historial or pending (a pending entry without a folio
/// accounts for one missing folio).
fn check_missing(
    solicitudes: &[&Solicitud],
    rows: &Rows<'_>,
    pending: &Pending<'_>,
) -> Option<Miss> {
    let missing: Vec<String> = solicitudes
        .iter()
        .map(|s| s.folio.to_string())
        .filter(|f| !rows.by_folio.contains_key(f) && !pending.folios.contains(f))
        .collect();
    let unaccounted = missing.len().saturating_sub(pending.unnamed);
    (unaccounted > 0).then(|| {
        listed(
            "oráculo: faltantes",
            format!(
                "{unaccounted} solicitudes de Infomex no están en Mi Historial ni en `pendientes`"
            ),
            &missing,
        )
    })
}

/// Every folio of Mi Historial exists in the accounts.
fn check_extra(solicitudes: &[&Solicitud], rows: &Rows<'_>) -> Option<Miss> {
    let known: BTreeSet<String> = solicitudes.iter().map(|s| s.folio.to_string()).collect();
    let extra: Vec<String> = rows
        .by_folio
        .keys()
        .filter(|f| !known.contains(*f))
        .cloned()
        .collect();
    (!extra.is_empty()).then(|| {
        listed(
            "oráculo: sobrantes",
            format!(
                "{} folios de Mi Historial no existen en la cuenta de Infomex",
                extra.len()
            ),
            &extra,
        )
    })
}

/// Each shown folio's row is what Infomex holds and pnt-model computes for the target's today.
fn check_rows(
    j: Jurisdiccion,
    solicitudes: &[&Solicitud],
    rows: &Rows<'_>,
    view: &TargetView,
) -> Option<Miss> {
    let mut expected_rows = Vec::new();
    let mut actual_rows = Vec::new();
    for s in solicitudes {
        let Some(row) = rows.by_folio.get(&s.folio.to_string()) else {
            continue;
        };
        let expected = expected_row(j, s, view);
        let actual = actual_row(row);
        if expected != actual {
            expected_rows.push(expected);
            actual_rows.push(actual);
        }
    }
    if expected_rows.is_empty() {
        return None;
    }
    let n = expected_rows.len();
    expected_rows.truncate(MAX_LISTED);
    actual_rows.truncate(MAX_LISTED);
    Some(Miss {
        check: "oráculo: Mi Historial".into(),
        message: format!(
            "{n} filas difieren de lo que Infomex tiene y pnt-model calcula al {} con el calendario «{}» ({}){}",
            view.hoy,
            view.reglas.calendario(j).descripcion(),
            if view.reglas_publicadas {
                "publicado por el destino"
            } else {
                "supuesto: el destino no publica `reglas`"
            },
            more(n)
        ),
        diff: Some(Diff::Table {
            columns: COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
            expected: expected_rows,
            actual: actual_rows,
        }),
    })
}

/// The Mi Historial row of `s` in [`COLUMNS`] order, as pnt-model computes it on `view.hoy`.
fn expected_row(j: Jurisdiccion, s: &Solicitud, view: &TargetView) -> Vec<String> {
    // pnt-model's row under the target's published rules, incoherent dates included
    // (model/src/historial.rs).
    let fila = view.reglas.fila(
        &Tramite {
            jurisdiccion: j,
            ..s.tramite()
        },
        view.hoy,
    );
    vec![
        s.folio.to_string(),
        s.tipo.slug().to_owned(),
        s.institucion.clone(),
        fila.recepcion_oficial.to_string(),
        fila.fecha_limite.map_or("—".into(), |d| d.to_string()),
        fila.semaforo.slug().to_owned(),
        s.estado.slug().to_owned(),
    ]
}

/// The target's row in [`COLUMNS`] order; an absent or null cell shows as "—".
fn actual_row(row: &Value) -> Vec<String> {
    let cell = |k: &str| match row.get(k) {
        Some(Value::String(v)) => v.clone(),
        Some(Value::Null) | None => "—".into(),
        Some(other) => other.to_string(),
    };
    vec![
        cell("folio"),
        cell("tipo"),
        cell("institucion"),
        cell("fecha_recepcion_oficial"),
        cell("fecha_limite_entrega"),
        cell("semaforo"),
        cell("estado"),
    ]
}

/// Each shown folio's detail has Infomex's answers and attachments.
fn check_details(solicitudes: &[&Solicitud], rows: &Rows<'_>, view: &TargetView) -> Option<Miss> {
    let mut out = Vec::new();
    for s in solicitudes {
        let folio = s.folio.to_string();
        if !rows.by_folio.contains_key(&folio) {
            continue;
        }
        match view.details.get(&folio) {
            Some(detail) => compare_detail(s, detail, &mut out),
            None => out.push(format!("{folio}: no se pudo abrir su detalle")),
        }
    }
    if out.is_empty() {
        return None;
    }
    let n = out.len();
    out.truncate(MAX_LISTED);
    Some(Miss {
        check: "oráculo: respuestas y adjuntos".into(),
        message: format!("{n} diferencias en los detalles{}", more(n)),
        diff: Some(Diff::Text {
            expected: String::new(),
            actual: out.join("\n") + "\n",
        }),
    })
}

fn more(n: usize) -> String {
    if n > MAX_LISTED {
        format!(" (se muestran {MAX_LISTED})")
    } else {
        String::new()
    }
}

fn listed(check: &str, message: String, folios: &[String]) -> Miss {
    let shown: Vec<&str> = folios.iter().take(MAX_LISTED).map(String::as_str).collect();
    Miss {
        check: check.into(),
        message: format!("{message}{}", more(folios.len())),
        diff: Some(Diff::Value {
            expected: "(ninguno)".into(),
            actual: shown.join(", "),
        }),
    }
}

/// A JSON value's text field, "" when absent.
fn text(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_owned()
}

/// A JSON value's array field, empty when absent.
fn array<'v>(v: &'v Value, k: &str) -> &'v [Value] {
    v.get(k)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Answers and attachments of one folio: count, then each answer.
fn compare_detail(s: &Solicitud, detail: &Value, out: &mut Vec<String>) {
    let folio = s.folio.to_string();
    let respuestas = array(detail, "respuestas");
    if respuestas.len() != s.respuestas.len() {
        out.push(format!(
            "{folio}: {} respuestas en Infomex, {} en la PNT",
            s.respuestas.len(),
            respuestas.len()
        ));
        return;
    }
    for (i, (e, a)) in s.respuestas.iter().zip(respuestas).enumerate() {
        compare_respuesta(&folio, i, e, a, out);
    }
}

/// One answer: type, date, text, then its attachments' count and each attachment.
fn compare_respuesta(folio: &str, i: usize, e: &Respuesta, a: &Value, out: &mut Vec<String>) {
    for (field, expected, actual) in [
        ("tipo", e.tipo.texto().to_owned(), text(a, "tipo")),
        ("fecha", e.fecha.to_string(), text(a, "fecha")),
        ("texto", e.texto.clone(), text(a, "texto")),
    ] {
        if expected != actual {
            out.push(format!(
                "{folio}: respuesta {i}, `{field}`: Infomex «{expected}», PNT «{actual}»"
            ));
        }
    }
    let adjuntos = array(a, "adjuntos");
    if adjuntos.len() != e.adjuntos.len() {
        out.push(format!(
            "{folio}: respuesta {i}: {} adjuntos en Infomex, {} en la PNT",
            e.adjuntos.len(),
            adjuntos.len()
        ));
        return;
    }
    for (k, (ea, aa)) in e.adjuntos.iter().zip(adjuntos).enumerate() {
        compare_adjunto(folio, i, k, ea, aa, out);
    }
}

/// One attachment: name, media type, size and SHA-256 (not its id, which each system issues).
fn compare_adjunto(
    folio: &str,
    i: usize,
    k: usize,
    ea: &pnt_model::Adjunto,
    aa: &Value,
    out: &mut Vec<String>,
) {
    for (field, expected, actual) in [
        ("nombre", ea.nombre.clone(), text(aa, "nombre")),
        ("media_type", ea.media_type.clone(), text(aa, "media_type")),
        (
            "tamano",
            ea.tamano.to_string(),
            aa.get("tamano").map(Value::to_string).unwrap_or_default(),
        ),
        ("sha256", ea.sha256.to_string(), text(aa, "sha256")),
    ] {
        if expected != actual {
            out.push(format!(
                "{folio}: respuesta {i}, adjunto {k}, `{field}`: Infomex «{expected}», PNT «{actual}»"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pnt_model::Sha256;
    use serde_json::json;

    /// The seed's federal solicitud, unanswered, plus one answered with an attachment.
    fn account() -> SimAccount {
        serde_json::from_value(json!({
            "usuario": "ciudadano.federal", "contrasena": "x", "bloqueada": false,
            "solicitudes": [
                {"folio": "0623800160321", "tipo": "acceso", "institucion": "INAI",
                 "descripcion": "Directorio", "fecha_presentacion": "2021-08-26",
                 "estado": "en_proceso", "prevencion": null, "ampliacion": false, "respuestas": []},
                {"folio": "0623800150221", "tipo": "datos-personales", "institucion": "IMSS",
                 "descripcion": "Mis datos", "fecha_presentacion": "2021-02-01",
                 "estado": "terminada", "prevencion": null, "ampliacion": false,
                 "respuestas": [{"tipo": "Entrega de información en medio electrónico",
                                 "fecha": "2021-02-20", "texto": "Se entrega.",
                                 "adjuntos": [{"id": "1-0-0", "nombre": "r.pdf", "media_type": "application/pdf",
                                               "tamano": 3, "sha256": Sha256::of(b"abc").to_string()}]}]}
            ]
        }))
        .unwrap()
    }

    fn row(
        folio: &str,
        tipo: &str,
        inst: &str,
        rec: &str,
        lim: &str,
        sem: &str,
        estado: &str,
    ) -> Value {
        json!({"folio": folio, "tipo": tipo, "institucion": inst, "fecha_recepcion_oficial": rec,
               "fecha_limite_entrega": lim, "semaforo": sem, "estado": estado})
    }

    fn detail(respuestas: Value) -> Value {
        json!({"respuestas": respuestas})
    }

    /// What a correct PNT shows on 2021-09-20 (the seed's row: due 24/09/2021, En alerta).
    fn correct_view() -> TargetView {
        let answered = json!([{"tipo": "Entrega de información en medio electrónico", "fecha": "2021-02-20",
            "texto": "Se entrega.", "adjuntos": [{"id": "a1", "nombre": "r.pdf", "media_type": "application/pdf",
            "tamano": 3, "sha256": Sha256::of(b"abc").to_string()}]}]);
        TargetView {
            linkage: json!({"estado": "completa", "pendientes": []}),
            hoy: "2021-09-20".parse().unwrap(),
            reglas: ReglasAplicadas::default(),
            reglas_publicadas: true,
            rows: vec![
                row(
                    "0623800160321",
                    "acceso",
                    "INAI",
                    "2021-08-26",
                    "2021-09-24",
                    "en_alerta",
                    "en_proceso",
                ),
                row(
                    "0623800150221",
                    "datos-personales",
                    "IMSS",
                    "2021-02-02",
                    "2021-03-02",
                    "en_tiempo",
                    "terminada",
                ),
            ],
            details: BTreeMap::from([
                ("0623800160321".to_owned(), detail(json!([]))),
                ("0623800150221".to_owned(), detail(answered)),
            ]),
        }
    }

    fn checks(view: &TargetView) -> Vec<String> {
        let a = account();
        compare(Jurisdiccion::Federacion, &[&a], view)
            .into_iter()
            .map(|m| format!("{}: {}", m.check, m.message))
            .collect()
    }

    #[test]
    fn a_faithful_migration_passes() {
        assert_eq!(checks(&correct_view()), Vec::<String>::new());
    }

    #[test]
    fn wrong_deadline_and_semaforo_show_as_a_table_diff() {
        let mut view = correct_view();
        view.rows[0] = row(
            "0623800160321",
            "acceso",
            "INAI",
            "2021-08-26",
            "2021-09-23",
            "en_tiempo",
            "en_proceso",
        );
        let a = account();
        let misses = compare(Jurisdiccion::Federacion, &[&a], &view);
        assert_eq!(misses.len(), 1);
        assert_eq!(
            misses[0].message,
            "1 filas difieren de lo que Infomex tiene y pnt-model calcula al 2021-09-20 con el calendario «LFT art. 74» (publicado por el destino)"
        );
        match &misses[0].diff {
            Some(Diff::Table {
                expected, actual, ..
            }) => {
                assert_eq!(expected[0][4..6], ["2021-09-24", "en_alerta"]);
                assert_eq!(actual[0][4..6], ["2021-09-23", "en_tiempo"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_semaforo_follows_the_threshold_the_target_declares() {
        // Due 2021-09-24, four días hábiles after 2021-09-20: En alerta with the default 5, En
        // tiempo for a target that declares 3.
        let mut view = correct_view();
        view.reglas.semaforo = pnt_model::ReglaSemaforo { umbral_alerta: 3 };
        let misses = checks(&view);
        assert_eq!(misses.len(), 1, "{misses:?}");
        view.rows[0]["semaforo"] = json!("en_tiempo");
        assert_eq!(checks(&view), Vec::<String>::new());
    }

    /// A target that publishes the SISAI 2.0 suspension for the federation is judged by it: the
    /// seed's row is due on 7 Oct, not on LFT's 24 Sept, and the message says which calendar.
    #[test]
    fn rows_follow_the_calendar_the_target_publishes() {
        let sisai = pnt_model::Calendario::from_toml(include_str!(
            "../../calendars/federacion-2021-suspension-sisai.toml"
        ))
        .unwrap();
        let mut view = correct_view();
        view.reglas
            .calendarios
            .insert(Jurisdiccion::Federacion, sisai);
        let misses = checks(&view);
        assert_eq!(misses.len(), 1, "{misses:?}");
        assert!(
            misses[0]
                .contains("«LFT art. 74 + suspensión de plazos por el lanzamiento de SISAI 2.0"),
            "{misses:?}"
        );
        view.rows[0]["fecha_limite_entrega"] = json!("2021-10-07");
        view.rows[0]["semaforo"] = json!("en_tiempo");
        assert_eq!(checks(&view), Vec::<String>::new());
    }

    #[test]
    fn missing_duplicated_and_extra_folios_are_named_unless_pending() {
        let mut view = correct_view();
        let dup = view.rows[1].clone();
        view.rows = vec![dup.clone(), dup, row("X-1", "acceso", "?", "", "", "", "")];
        assert_eq!(
            checks(&view),
            [
                "oráculo: duplicados: 1 folios aparecen más de una vez en Mi Historial",
                "oráculo: faltantes: 1 solicitudes de Infomex no están en Mi Historial ni en `pendientes`",
                "oráculo: sobrantes: 1 folios de Mi Historial no existen en la cuenta de Infomex",
            ]
        );
        let mut pending = correct_view();
        pending.rows.remove(0);
        pending.linkage = json!({"estado": "incompleta", "pendientes": [
            {"folio": "0623800160321", "codigo": "detalle_no_disponible", "motivo": "Infomex no respondió."}]});
        assert_eq!(checks(&pending), Vec::<String>::new());
        pending.linkage["estado"] = json!("completa");
        assert_eq!(
            checks(&pending),
            ["oráculo: estado: con 1 pendientes, la vinculación debe quedar `incompleta`"]
        );
    }

    #[test]
    fn answers_and_checksums_are_compared() {
        let mut view = correct_view();
        view.details.get_mut("0623800150221").unwrap()["respuestas"][0]["adjuntos"][0]["sha256"] =
            json!(Sha256::of(b"abd").to_string());
        view.details.get_mut("0623800150221").unwrap()["respuestas"][0]["texto"] =
            json!("Se entrega.<br/>");
        let a = account();
        let misses = compare(Jurisdiccion::Federacion, &[&a], &view);
        assert_eq!(misses.len(), 1);
        match &misses[0].diff {
            Some(Diff::Text { actual, .. }) => {
                assert!(actual.contains("0623800150221: respuesta 0, `texto`: Infomex «Se entrega.», PNT «Se entrega.<br/>»"), "{actual}");
                assert!(actual.contains("adjunto 0, `sha256`"), "{actual}");
            }
            other => panic!("{other:?}"),
        }
    }
}
