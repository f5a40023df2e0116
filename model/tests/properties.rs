//! Properties of plazos that must hold for every filing date, jurisdiction and term.

use jiff::ToSpan;
use pnt_model::{Calendario, Date, Folio, Jurisdiccion, Plazo, Terminos, TipoSolicitud};
use proptest::prelude::*;

/// Any day from 2000-01-01 to 2035-12-31.
fn any_date() -> impl Strategy<Value = Date> {
    (0i64..13149).prop_map(|offset| {
        jiff::civil::date(2000, 1, 1)
            .checked_add(offset.days())
            .unwrap()
    })
}

fn any_jurisdiccion() -> impl Strategy<Value = Jurisdiccion> {
    (1u8..=33).prop_map(|c| Jurisdiccion::from_code(c).unwrap())
}

fn plazo(filed: Date, j: Jurisdiccion, ampliacion: bool) -> Plazo {
    Plazo::calcular(
        &Calendario::lft(),
        &Terminos::de(j, TipoSolicitud::AccesoInformacion),
        filed,
        ampliacion,
        None,
    )
    .unwrap()
}

proptest! {
    #[test]
    fn fecha_limite_is_a_working_day_after_receipt(
        filed in any_date(), j in any_jurisdiccion(), amp in any::<bool>()
    ) {
        let cal = Calendario::lft();
        let p = plazo(filed, j, amp);
        let limite = p.fecha_limite().unwrap();
        prop_assert!(cal.es_habil(limite));
        prop_assert!(cal.es_habil(p.recepcion_oficial));
        prop_assert!(p.recepcion_oficial >= filed);
        prop_assert!(limite > p.recepcion_oficial);
        let terms = Terminos::de(j, TipoSolicitud::AccesoInformacion);
        let dias = terms.respuesta + if amp { terms.ampliacion } else { 0 };
        prop_assert_eq!(cal.dias_habiles_entre(p.recepcion_oficial, limite), dias);
    }

    #[test]
    fn fecha_limite_is_monotonic_in_the_filing_date(
        a in any_date(), b in any_date(), j in any_jurisdiccion()
    ) {
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(plazo(early, j, false).fecha_limite() <= plazo(late, j, false).fecha_limite());
    }

    #[test]
    fn ampliacion_never_shortens_the_term(filed in any_date(), j in any_jurisdiccion()) {
        prop_assert!(plazo(filed, j, true).fecha_limite() > plazo(filed, j, false).fecha_limite());
    }

    #[test]
    fn infomex_folios_round_trip(
        j in any_jurisdiccion(), unidad in 0u16..1000, seq in 0u32..100_000, anio in 2003i16..2022
    ) {
        let folio = Folio::infomex(j, unidad, seq, anio).unwrap();
        let parsed = Folio::parse(&folio.to_string()).unwrap();
        prop_assert_eq!(parsed, folio);
        prop_assert_eq!(parsed.jurisdiccion(), j);
    }
}
