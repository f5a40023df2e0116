//! Deadline computation over ten years of filing dates (every calendar day 2012–2021).

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::ToSpan;
use pnt_model::{Calendario, Date, Jurisdiccion, Plazo, Terminos, TipoSolicitud};
use std::hint::black_box;

fn ten_years() -> Vec<Date> {
    let start = jiff::civil::date(2012, 1, 1);
    (0..3653)
        .map(|d| start.checked_add(d.days()).unwrap())
        .collect()
}

fn deadlines(c: &mut Criterion) {
    let dates = ten_years();
    let cal = Calendario::lft();
    let terminos = Terminos::de(Jurisdiccion::Federacion, TipoSolicitud::AccesoInformacion);
    let run = |ampliacion: bool| {
        dates
            .iter()
            .map(|d| {
                Plazo::calcular(&cal, &terminos, black_box(*d), ampliacion, None)
                    .unwrap()
                    .fecha_limite()
                    .unwrap()
            })
            .fold(0i64, |acc, d| acc + i64::from(d.day()))
    };
    c.bench_function("fecha_limite/3653 filing dates (2012-2021)", |b| {
        b.iter(|| black_box(run(false)))
    });
    c.bench_function("fecha_limite+ampliacion/3653 filing dates", |b| {
        b.iter(|| black_box(run(true)))
    });
    // Checked after the timed loops so the benchmark cannot silently measure wrong code: the
    // seed's row must hold in the computed data.
    let seed =
        Plazo::calcular(&cal, &terminos, jiff::civil::date(2021, 8, 26), false, None).unwrap();
    assert_eq!(seed.fecha_limite(), Some(jiff::civil::date(2021, 9, 24)));
    assert!(run(false) > 0);
}

criterion_group!(benches, deadlines);
criterion_main!(benches);
