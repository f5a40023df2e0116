//! **The** catalog of built-in defects: each a realistic broken PNT the scenario suite must
//! catch. A defect is declared once, in the `defectos!` table below (variant, stable id, layer,
//! Spanish description, the scenario files most likely to catch it, the requirements it breaks);
//! the enum, `ALL`, the
//! lookups and docs/selftest.md's table (held to it by `tests/selftest.rs`) follow from it.

/// Where a defect lives: what it changes between the runner and the reference server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capa {
    /// The request is changed (or answered) before it reaches the reference server.
    Peticion,
    /// The reference server's response is changed on its way back.
    Respuesta,
    /// The reference server itself is configured differently from what it publishes.
    Referencia,
}

impl Capa {
    pub fn id(self) -> &'static str {
        match self {
            Capa::Peticion => "peticion",
            Capa::Respuesta => "respuesta",
            Capa::Referencia => "referencia",
        }
    }
}

macro_rules! defectos {
    ($( $variant:ident => $id:literal, $capa:ident, $descripcion:literal, [$($pista:literal),* $(,)?], [$($req:literal),* $(,)?]; )*) => {
        /// One kind of built-in defect.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Defecto {
            $($variant,)*
        }

        impl Defecto {
            /// Every defect, in catalog order.
            pub const ALL: &'static [Defecto] = &[$(Defecto::$variant,)*];

            /// The stable id (`fila_omitida`), as `--defect` takes it.
            pub fn id(self) -> &'static str {
                match self {
                    $(Defecto::$variant => $id,)*
                }
            }

            /// What the broken PNT does, in one Spanish line.
            pub fn descripcion(self) -> &'static str {
                match self {
                    $(Defecto::$variant => $descripcion,)*
                }
            }

            pub fn capa(self) -> Capa {
                match self {
                    $(Defecto::$variant => Capa::$capa,)*
                }
            }

            /// Scenario files (under `scenarios/`, without `.yaml`) expected to catch it: run
            /// first by `--rapido`. Only an ordering: every other scenario still runs after them.
            pub fn pistas(self) -> &'static [&'static str] {
                match self {
                    $(Defecto::$variant => &[$($pista),*],)*
                }
            }

            /// The requirements (docs/requisitos.md) a PNT with this defect breaks.
            pub fn requisitos(self) -> &'static [&'static str] {
                match self {
                    $(Defecto::$variant => &[$($req),*],)*
                }
            }
        }
    };
}

defectos! {
    FilaOmitida => "fila_omitida", Respuesta,
        "Mi Historial omite la última solicitud de cada página (el total no cambia)",
        ["fallas-2021/ninguna-solicitud-falta", "vinculacion/solicitud-semilla"],
        ["R-VINC-04", "R-HIST-01"];
    FilaDuplicada => "fila_duplicada", Respuesta,
        "Mi Historial muestra dos veces la primera solicitud de cada página",
        ["fallas-2021/historial-tras-vinculacion", "vinculacion/solicitud-semilla"],
        ["R-VINC-04", "R-HIST-05"];
    OrdenInvertido => "orden_invertido", Respuesta,
        "Mi Historial muestra primero las solicitudes más antiguas",
        ["fallas-2021/historial-tras-vinculacion", "vinculacion/varias-jurisdicciones"],
        ["R-HIST-05"];
    TotalEquivocado => "total_equivocado", Respuesta,
        "El total de Mi Historial cuenta una solicitud de más",
        ["fallas-2021/ninguna-solicitud-falta", "vinculacion/solicitud-semilla"],
        ["R-HIST-02"];
    LeyendaEquivocada => "leyenda_equivocada", Respuesta,
        "La leyenda de Mi Historial omite el total («Mostrando X solicitudes»)",
        ["fallas-2021/historial-tras-vinculacion", "vinculacion/solicitud-semilla"],
        ["R-HIST-02"];
    FiltrosIgnorados => "filtros_ignorados", Peticion,
        "Mi Historial ignora los filtros de semáforo y de tipo",
        ["plazos/semaforo", "vinculacion/solicitud-semilla"],
        ["R-HIST-06", "R-SEM-02"];
    PaginacionIgnorada => "paginacion_ignorada", Peticion,
        "Mi Historial ignora pagina y por_pagina: siempre la primera página de 20",
        ["fallas-2021/ninguna-solicitud-falta", "escala/revinculacion-idempotente"],
        ["R-HIST-05"];
    PaginacionSinValidar => "paginacion_sin_validar", Peticion,
        "Mi Historial acepta pagina 0 y por_pagina fuera de 1–100 en lugar de responder 400",
        ["seguridad/entradas-invalidas"],
        ["R-ERR-05"];
    FechaLimiteCorrida => "fecha_limite_corrida", Respuesta,
        "La fecha límite de entrega se corre un día hábil",
        ["plazos/semaforo", "plazos/presentada-en-fin-de-semana"],
        ["R-PLAZO-01", "R-HIST-04"];
    SemaforoEquivocado => "semaforo_equivocado", Respuesta,
        "El semáforo muestra el color siguiente (en tiempo → en alerta → fuera de tiempo → en tiempo)",
        ["plazos/semaforo"],
        ["R-SEM-01"];
    SemaforoSinAlerta => "semaforo_sin_alerta", Respuesta,
        "El semáforo nunca dice en alerta: muestra en tiempo hasta que vence",
        ["plazos/semaforo"],
        ["R-SEM-01"];
    FestivosIgnorados => "festivos_ignorados", Respuesta,
        "Los plazos cuentan solo sábados y domingos como inhábiles: olvidan los días de descanso de la LFT",
        ["plazos/dias-festivos-lft-varios-anios", "plazos/presentada-en-dia-festivo"],
        ["R-PLAZO-03", "R-PLAZO-04"];
    EstadoEquivocado => "estado_equivocado", Respuesta,
        "El estatus no es el de Infomex: terminada y en proceso se intercambian",
        ["fallas-2021/estatus-iguales-a-infomex"],
        ["R-HIST-07"];
    TipoEquivocado => "tipo_equivocado", Respuesta,
        "El tipo de solicitud se invierte (acceso ↔ datos personales)",
        ["vinculacion/solicitud-semilla", "fallas-2021/historial-tras-vinculacion"],
        ["R-HIST-03"];
    JurisdiccionEquivocada => "jurisdiccion_equivocada", Respuesta,
        "Toda solicitud aparece como de la Federación, sea cual sea su jurisdicción",
        ["vinculacion/varias-jurisdicciones", "vinculacion/todas-las-jurisdicciones"],
        ["R-HIST-03", "R-VINC-02"];
    Mojibake => "mojibake", Respuesta,
        "Los textos salen en mojibake: UTF-8 leído como Windows-1252",
        ["fallas/codificacion-equivocada", "vinculacion/solicitud-semilla"],
        ["R-VINC-10", "R-FALLA-06"];
    QuejaDisponibleInvertida => "queja_disponible_invertida", Respuesta,
        "Mi Historial invierte queja_disponible",
        ["plazos/ventana-de-queja", "fallas-2021/queja-en-solicitudes-migradas"],
        ["R-QUEJA-04"];
    VentanaDeQuejaCorrida => "ventana_de_queja_corrida", Respuesta,
        "La ventana de queja del detalle cierra un día hábil después",
        ["plazos/ventana-de-queja", "plazos/queja-contra-respuesta"],
        ["R-QUEJA-01", "R-QUEJA-02"];
    QuejaRechazada => "queja_rechazada", Peticion,
        "Toda queja se rechaza como fuera de plazo (409 queja_fuera_de_plazo)",
        ["fallas-2021/queja-en-solicitudes-migradas", "plazos/ventana-de-queja"],
        ["R-QUEJA-01", "R-QUEJA-02"];
    QuejaFueraDePlazoAceptada => "queja_fuera_de_plazo_aceptada", Respuesta,
        "Se aceptan quejas fuera de la ventana legal",
        ["plazos/ventana-de-queja", "plazos/queja-contra-respuesta"],
        ["R-QUEJA-03"];
    QuejaDuplicadaAceptada => "queja_duplicada_aceptada", Respuesta,
        "Se acepta una segunda queja contra la misma solicitud",
        ["fallas-2021/queja-en-solicitudes-migradas", "plazos/ventana-de-queja"],
        ["R-QUEJA-03"];
    QuejaFolioOmitido => "queja_folio_omitido", Respuesta,
        "Mi Historial no muestra el folio de la queja interpuesta ni el detalle sus quejas",
        ["fallas-2021/queja-en-solicitudes-migradas", "plazos/queja-contra-respuesta"],
        ["R-QUEJA-04"];
    RespuestaOmitida => "respuesta_omitida", Respuesta,
        "El detalle omite la última respuesta de cada solicitud",
        ["fallas-2021/adjuntos-identicos", "vinculacion/solicitud-semilla"],
        ["R-HIST-08", "R-VINC-06"];
    PrevencionOmitida => "prevencion_omitida", Respuesta,
        "El detalle no muestra la prevención",
        ["plazos/prevencion"],
        ["R-HIST-08", "R-PLAZO-06"];
    AmpliacionInvertida => "ampliacion_invertida", Respuesta,
        "El detalle invierte la marca de ampliación de plazo",
        ["plazos/ampliacion-de-plazo"],
        ["R-HIST-08", "R-PLAZO-02"];
    AdjuntoAlterado => "adjunto_alterado", Respuesta,
        "Un byte de cada adjunto cambia; X-Sha256 sigue siendo el que declaró Infomex",
        ["fallas-2021/adjuntos-identicos"],
        ["R-ADJ-01"];
    AdjuntoRehasheado => "adjunto_rehasheado", Respuesta,
        "Un byte de cada adjunto cambia y X-Sha256 se calcula sobre los bytes alterados",
        ["fallas-2021/adjuntos-identicos"],
        ["R-ADJ-01"];
    TipoDeMedioGenerico => "tipo_de_medio_generico", Respuesta,
        "Los adjuntos se sirven como application/octet-stream",
        ["fallas-2021/adjuntos-identicos"],
        ["R-ADJ-01"];
    SinContentDisposition => "sin_content_disposition", Respuesta,
        "Las descargas no llevan Content-Disposition",
        ["fallas-2021/adjuntos-identicos"],
        ["R-ADJ-01"];
    PendientesOcultos => "pendientes_ocultos", Respuesta,
        "La vinculación oculta los pendientes y se dice completa",
        ["fallas/detalle-caido", "fallas/adjunto-404"],
        ["R-VINC-04", "R-FALLA-04"];
    RevinculacionNoIncremental => "revinculacion_no_incremental", Respuesta,
        "Volver a vincular informa todas las solicitudes como nuevas",
        ["escala/revinculacion-idempotente", "escala/revinculacion-incremental"],
        ["R-VINC-05"];
    DatosAjenos => "datos_ajenos", Peticion,
        "Mi Historial, el detalle y las descargas responden con los datos del primer usuario que inició sesión",
        ["seguridad/acceso-cruzado"],
        ["R-SES-04"];
    SesionNoRevocada => "sesion_no_revocada", Peticion,
        "Cerrar sesión responde 204 pero el token sigue valiendo",
        ["seguridad/cierre-de-sesion"],
        ["R-SES-01"];
    SinRetryAfter => "sin_retry_after", Respuesta,
        "Los 429 no llevan Retry-After",
        ["seguridad/limite-de-inicios-de-sesion"],
        ["R-SES-02"];
    BloqueoAusente => "bloqueo_ausente", Respuesta,
        "Los inicios de sesión fallidos nunca se bloquean: siempre 401, nunca 429",
        ["seguridad/limite-de-inicios-de-sesion", "seguridad/contrasena-y-bloqueo"],
        ["R-SES-02"];
    ErroresGenericos => "errores_genericos", Respuesta,
        "Todo error dice «Ocurrió un error, consulte con el administrador» con un código genérico",
        ["fallas-2021/sin-error-generico"],
        ["R-ERR-01"];
    EstadoHttpGenerico => "estado_http_generico", Respuesta,
        "Todo error responde HTTP 500, sea cual sea su causa",
        ["fallas-2021/sin-error-generico", "seguridad/contrasena-y-bloqueo"],
        ["R-ERR-01"];
    CaracteresDeControlAceptados => "caracteres_de_control_aceptados", Peticion,
        "Los textos con caracteres de control se aceptan (limpiados en silencio) en lugar de responder 400",
        ["seguridad/entradas-invalidas"],
        ["R-ERR-05"];
    CabecerasDeSeguridadAusentes => "cabeceras_de_seguridad_ausentes", Respuesta,
        "Las respuestas no llevan X-Content-Type-Options, X-Frame-Options, Referrer-Policy ni Content-Security-Policy",
        ["seguridad/cabeceras-de-seguridad"],
        ["R-SES-07"];
    CalendarioIgnorado => "calendario_ignorado", Referencia,
        "Publica los días inhábiles del órgano garante pero calcula los plazos con la LFT sola",
        ["plazos/suspension-sisai-2021"],
        ["R-PLAZO-05"];
}

impl Defecto {
    /// The defect with this id.
    pub fn from_id(id: &str) -> Option<Defecto> {
        Defecto::ALL.iter().copied().find(|d| d.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_snake_case_and_at_least_25() {
        assert!(Defecto::ALL.len() >= 25, "the issue asks for at least 25");
        let mut seen = std::collections::HashSet::new();
        for d in Defecto::ALL {
            assert!(seen.insert(d.id()), "{} twice", d.id());
            assert!(
                d.id().chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                d.id()
            );
            assert_eq!(Defecto::from_id(d.id()), Some(*d));
        }
    }

    #[test]
    fn every_defect_breaks_requirements_of_the_catalog() {
        let catalogo = crate::requisitos::catalogo();
        for d in Defecto::ALL {
            assert!(
                !d.requisitos().is_empty(),
                "{} breaks no requirement",
                d.id()
            );
            for r in d.requisitos() {
                assert!(
                    catalogo.requisitos.iter().any(|x| x.id == *r),
                    "{}: {r} is not in data/requisitos.toml",
                    d.id()
                );
            }
        }
    }

    #[test]
    fn every_hint_names_a_shipped_scenario() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        for d in Defecto::ALL {
            assert!(!d.pistas().is_empty(), "{} has no hint", d.id());
            for p in d.pistas() {
                assert!(
                    root.join(format!("{p}.yaml")).is_file(),
                    "{}: no scenario {p}.yaml",
                    d.id()
                );
            }
        }
    }
}
