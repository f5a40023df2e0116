//! Scenario folders the report tests share.

#![allow(dead_code, unreachable_pub)] // Each test binary uses part of it.

use std::path::{Path, PathBuf};

/// Two themes under `dir`: `tema-a` with the shipped seed scenario, `tema-b` with a copy whose
/// expected fecha límite is wrong, so it fails with a value diff. Returns the failing file.
pub fn two_themes(dir: &Path) -> PathBuf {
    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/vinculacion/solicitud-semilla.yaml"),
    )
    .unwrap();
    let wrong = seed
        .replace(
            "solicitudes[0].fecha_limite_entrega: 2021-09-24",
            "solicitudes[0].fecha_limite_entrega: 2021-09-23",
        )
        .replace(
            "name: La solicitud semilla",
            "name: Una fecha límite equivocada para la solicitud semilla",
        );
    assert_ne!(seed, wrong);
    for (folder, body) in [("tema-a", &seed), ("tema-b", &wrong)] {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
        std::fs::write(dir.join(folder).join("escenario.yaml"), body).unwrap();
    }
    dir.join("tema-b/escenario.yaml")
}
