//! The `pnt-suite` binary driven as a user drives it: arguments in, stdout/stderr/exit code out.

use std::process::{Command, Output};

fn pnt_suite(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = pnt_suite(args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn seed_row_deadline_as_json() {
    let v = json(&[
        "deadline",
        "--received",
        "2021-08-26",
        "--jurisdiction",
        "federacion",
        "--format",
        "json",
    ]);
    assert_eq!(v["jurisdiccion"], "federacion");
    assert_eq!(v["recepcion_oficial"], "2021-08-26");
    assert_eq!(v["fecha_limite"], "2021-09-24");
    assert_eq!(v["dias_habiles"], 20);
}

#[test]
fn saturday_filing_is_received_on_monday() {
    let v = json(&["deadline", "--received", "2021-08-28", "--format", "json"]);
    assert_eq!(v["recepcion_oficial"], "2021-08-30");
}

#[test]
fn jurisdiction_by_code_and_name_with_ampliacion() {
    let by_code = json(&[
        "deadline",
        "--received",
        "2021-08-26",
        "--jurisdiction",
        "18",
        "--ampliacion",
        "--format",
        "json",
    ]);
    assert_eq!(by_code["jurisdiccion"], "nayarit");
    assert_eq!(by_code["dias_habiles"], 25);
    assert_eq!(by_code["fecha_limite"], "2021-10-01");
    let by_name = json(&[
        "deadline",
        "--received",
        "2021-08-26",
        "--jurisdiction",
        "Nuevo León",
        "--format",
        "json",
    ]);
    assert_eq!(by_name["jurisdiccion"], "nuevo-leon");
}

#[test]
fn unknown_jurisdiction_exits_2_and_suggests() {
    let out = pnt_suite(&[
        "deadline",
        "--received",
        "2021-08-26",
        "--jurisdiction",
        "jaliscoo",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("¿quiso decir `jalisco`?"), "{err}");
    assert!(err.contains("código: jurisdiccion_desconocida"), "{err}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn malformed_date_exits_2_with_the_expected_format() {
    let out = pnt_suite(&["deadline", "--received", "26/08/2021"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("AAAA-MM-DD"), "{}", stderr(&out));
    // Refused before anything starts listening.
    for command in ["serve", "up"] {
        let out = pnt_suite(&[command, "--hoy", "2021-02-30"]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert!(
            stderr(&out).contains("código: fecha_invalida"),
            "{command}: {}",
            stderr(&out)
        );
    }
}

#[rstest::rstest]
#[case::typo(&["--infomex", "jaliscoo=http://x"], "jurisdiccion_desconocida", "¿quiso decir `jalisco`?")]
#[case::no_equals(&["--infomex", "jalisco"], "opcion_invalida", "JURISDICCION=VALOR")]
#[case::not_http(&["--infomex", "jalisco=ftp://x"], "url_invalida", "http://")]
#[case::dialect(&["--dialect", "sonora=xml"], "dialecto_desconocido", "modern (JSON) o legacy")]
fn serve_refuses_bad_jurisdiction_settings(
    #[case] args: &[&str],
    #[case] code: &str,
    #[case] hint: &str,
) {
    let out = pnt_suite(&[&["serve"], args].concat());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(&format!("código: {code}")), "{err}");
    assert!(err.contains(hint), "{err}");
}

#[test]
fn missing_argument_exits_2() {
    let out = pnt_suite(&["deadline"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error:"));
}

#[test]
fn calendar_file_applies_and_bad_one_reports_line_and_column() {
    let v = json(&[
        "deadline",
        "--received",
        "2021-08-26",
        "--calendar",
        "calendars/federacion-2021-suspension-sisai.toml",
        "--format",
        "json",
    ]);
    assert_eq!(v["fecha_limite"], "2021-10-07");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "descripcion = \"x\"\ndias_inhabiles = [2021-02-30]\n").unwrap();
    let out = pnt_suite(&[
        "deadline",
        "--received",
        "2021-08-26",
        "--calendar",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.toml:2:19:"), "{err}");
    assert!(err.contains("código: calendario_invalido"), "{err}");

    let out = pnt_suite(&[
        "deadline",
        "--received",
        "2021-08-26",
        "--calendar",
        "no/such/file.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("código: archivo_ilegible"));
}

#[test]
fn prevencion_queja_window_and_semaforo_in_text() {
    let out = pnt_suite(&[
        "deadline",
        "--received",
        "2021-08-26",
        "--prevencion",
        "2021-08-31",
        "--desahogo",
        "2021-09-06",
        "--hoy",
        "2021-09-29",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Cómputo reiniciado     desde el desahogo del 06/09/2021"),
        "{text}"
    );
    assert!(
        text.contains("Fecha límite           05/10/2021 (martes)"),
        "{text}"
    );
    assert!(text.contains("Semáforo al 29/09/2021  En alerta"), "{text}");
    assert!(text.contains("Puede interponer queja no"), "{text}");
}

#[test]
fn jurisdictions_lists_all_33() {
    let v = json(&["jurisdictions", "--format", "json"]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 33);
    assert_eq!(rows[13]["slug"], "jalisco");
    assert_eq!(rows[32]["nombre"], "Federación");
    assert_eq!(rows[17]["terminos"]["respuesta"], 15);
}

#[test]
fn help_exits_0() {
    let out = pnt_suite(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("deadline"));
}

/// A mistake clap catches itself, as a user sees it: exit 2, nothing on stdout, and on stderr the
/// project's shape (`error: …`, Spanish, a `código`), never clap's English.
fn refused(args: &[&str], code: &str, hints: &[&str]) {
    let out = pnt_suite(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(
        err.contains(&format!("\n  código: {code}\n")),
        "{args:?}: {err}"
    );
    for hint in hints {
        assert!(err.contains(hint), "{args:?}: missing {hint:?} in {err}");
    }
    for english in [
        "Usage:",
        "For more information",
        "unexpected",
        "invalid value",
        "tip:",
    ] {
        assert!(
            !err.contains(english),
            "{args:?}: English {english:?} in {err}"
        );
    }
}

#[test]
fn an_unknown_flag_names_its_code_and_suggests_the_right_one() {
    refused(
        &["run", "--jbos", "2", "scenarios/"],
        "opcion_desconocida",
        &[
            "opción desconocida `--jbos`",
            "¿quiso decir `--jobs`?",
            "`pnt-suite run --help`",
        ],
    );
}

#[test]
fn an_unknown_subcommand_suggests_the_right_one() {
    refused(
        &["chek", "scenarios/"],
        "subcomando_desconocido",
        &[
            "subcomando desconocido «chek»",
            "¿quiso decir `check`?",
            "`pnt-suite --help` lista los subcomandos",
        ],
    );
}

#[rstest::rstest]
#[case::addr(&["serve", "--addr", "localhost"], "valor_invalido", &["`--addr`", "«localhost» no es una dirección HOST:PUERTO"])]
#[case::shard(&["run", "--shard", "5/4", "scenarios/"], "valor_invalido", &["`--shard`", "«5/4» no es un fragmento", "K/N", "`pnt-suite run --help`"])]
#[case::report(&["run", "--report", "xml=x", "scenarios/"], "valor_invalido", &["`--report`", "«xml=x» no es un informe"])]
#[case::url(&["run", "--target", "localhost:8080", "scenarios/"], "valor_invalido", &["`--target`", "«localhost:8080» no es una URL http://"])]
#[case::number(&["run", "--seed", "muchas", "scenarios/"], "valor_invalido", &["`--seed`", "«muchas» no es un número"])]
#[case::choice(&["jurisdictions", "--format", "xml"], "valor_invalido", &["valor «xml» no válido para `--format`", "valores posibles: text, json"])]
#[case::no_value(&["run", "scenarios/", "--jobs"], "valor_faltante", &["`--jobs` necesita un valor"])]
#[case::flag_with_value(&["deadline", "--received", "2021-08-26", "--ampliacion=si"], "valor_sobrante", &["`--ampliacion` no admite el valor «si»"])]
#[case::missing(&["deadline"], "argumento_faltante", &["falta el argumento obligatorio --received <AAAA-MM-DD>", "`pnt-suite deadline --help`"])]
#[case::missing_path(&["check"], "argumento_faltante", &["<RUTA>"])]
#[case::requires(&["deadline", "--received", "2021-08-26", "--desahogo", "2021-09-01"], "argumento_faltante", &["--prevencion"])]
#[case::twice(&["run", "--seed", "1", "--seed", "2", "scenarios/"], "opciones_en_conflicto", &["`--seed` se dio más de una vez"])]
#[case::extra(&["jurisdictions", "sobra"], "argumento_inesperado", &["argumento inesperado «sobra»"])]
fn clap_mistakes_are_refused_in_spanish_with_a_code(
    #[case] args: &[&str],
    #[case] code: &str,
    #[case] hints: &[&str],
) {
    refused(args, code, hints);
}

/// Bare `pnt-suite`: the (Spanish) help, then the error with its code, exit 2.
#[test]
fn no_subcommand_shows_the_help_then_the_error() {
    let out = pnt_suite(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.starts_with("Suite de conformidad"), "{err}");
    assert!(err.contains("Uso: pnt-suite <COMANDO>"), "{err}");
    assert!(
        err.ends_with("error: falta el subcomando\n  código: subcomando_faltante\n"),
        "{err}"
    );
}

/// Every command's help, short and long, reads in Spanish: none of clap's English headings,
/// notes or built-in flag texts.
#[test]
fn every_help_is_in_spanish() {
    let commands = [
        "",
        "deadline",
        "jurisdictions",
        "check",
        "run",
        "sim",
        "serve",
        "up",
        "load",
    ];
    for command in commands {
        for flag in ["-h", "--help"] {
            let args: Vec<&str> = [command, flag]
                .into_iter()
                .filter(|a| !a.is_empty())
                .collect();
            let out = pnt_suite(&args);
            assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
            let help = stdout(&out);
            assert!(help.contains("Uso: pnt-suite"), "{args:?}: {help}");
            assert!(help.contains("Muestra esta ayuda"), "{args:?}: {help}");
            for english in [
                "Usage:",
                "Options:",
                "Arguments:",
                "Commands:",
                "[OPTIONS]",
                "Print help",
                "Print version",
                "[default:",
                "possible values",
                "<FORMAT>",
                "<SEED>",
                " the ",
                " and ",
                " of ",
            ] {
                assert!(
                    !help.contains(english),
                    "{args:?}: English {english:?} in:\n{help}"
                );
            }
        }
    }
    let top = stdout(&pnt_suite(&["--help"]));
    for heading in ["Comandos:", "Opciones:", "Muestra la versión"] {
        assert!(top.contains(heading), "{top}");
    }
    let run = stdout(&pnt_suite(&["run", "--help"]));
    for text in [
        "Argumentos:",
        "Opciones:",
        "[predeterminado: 60]",
        "<RUTA>...",
    ] {
        assert!(run.contains(text), "{run}");
    }
    // clap's `help` subcommand printed English; `help run` is `run --help`.
    assert_eq!(stdout(&pnt_suite(&["help", "run"])), run);
    let version = pnt_suite(&["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert!(stdout(&version).starts_with("pnt-suite "));
}

/// A target nobody listens on: the run cannot happen (exit 3), and the report says so in Spanish
/// with what to check and a código, not reqwest's "error sending request for url".
#[test]
fn a_target_that_refuses_connections_is_reported_in_spanish_with_a_code() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let target = format!("http://127.0.0.1:{closed}");
    let out = pnt_suite(&[
        "run",
        "scenarios/vinculacion/solicitud-semilla.yaml",
        "--target",
        &target,
        "--sim-addr",
        "127.0.0.1:0",
    ]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains(&format!(
            "no se pudo conectar con el destino en {target}/.well-known/pnt-suite: ¿está en marcha? revise --target"
        )),
        "{text}"
    );
    assert!(text.contains("causa: conexión rechazada"), "{text}");
    assert!(text.contains("[código: destino_inaccesible]"), "{text}");
    assert!(!text.contains("error sending request"), "{text}");
}

/// A `pnt-suite sim`, `serve` or `up` process on a free port, with the first URL its banner
/// prints; killed when dropped, however the test ends.
struct Served {
    child: std::process::Child,
    url: String,
    _stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl Served {
    fn start(seed: u64) -> Served {
        Served::spawn(&["sim", "--addr", "127.0.0.1:0", "--seed", &seed.to_string()])
    }

    /// Runs `pnt-suite ARGS` and reads the first URL of its banner's first line.
    fn spawn(args: &[&str]) -> Served {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_pnt-suite"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let mut first = String::new();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut first).unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .trim_end_matches('/')
            .to_owned();
        Served {
            child,
            url,
            _stdout: stdout,
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every response body of a short crawl: admin truth, a log-in and list in each dialect.
async fn crawl(sim: &Served, seed: u64) -> Vec<u8> {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut all = Vec::new();
    for usuario in ["ciudadano1", "ciudadano2", "ciudadano3"] {
        for slug in ["federacion", "jalisco"] {
            let body = http
                .get(format!("{}/__admin/accounts/{slug}/{usuario}", sim.url))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            all.extend_from_slice(&body);
        }
        let j = pnt_model::Jurisdiccion::Federacion;
        let login = http
            .post(format!("{}/federacion/api/sesion", sim.url))
            .json(&serde_json::json!({"usuario": usuario, "contrasena": infomex_sim::procedural_password(seed, j, usuario)}))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        all.extend_from_slice(&login);
        let token: serde_json::Value = serde_json::from_slice(&login).unwrap();
        let list = http
            .get(format!("{}/federacion/api/solicitudes", sim.url))
            .bearer_auth(token["token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        all.extend_from_slice(&list);
    }
    all
}

#[tokio::test]
async fn sim_processes_with_the_same_seed_answer_the_same_bytes() {
    let (a, b, c) = (Served::start(42), Served::start(42), Served::start(7));
    let (ra, rb, rc) = (crawl(&a, 42).await, crawl(&b, 42).await, crawl(&c, 7).await);
    assert!(ra.len() > 1000);
    assert_eq!(ra, rb, "same seed, two processes, same bytes");
    assert_ne!(ra, rc, "another seed, other data");
}

/// The five-minute tour, driven through the JSON API a browser's pages sit on.
#[tokio::test]
async fn up_serves_the_tour_with_the_seed_request_first() {
    let up = Served::spawn(&["up", "--addr", "127.0.0.1:0", "--sim-addr", "127.0.0.1:0"]);
    let pnt = &up.url;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let token = pnt_session(&http, pnt, "ana@example.mx").await;
    let link: serde_json::Value = http
        .post(format!("{pnt}/api/v1/vinculaciones"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"jurisdiccion": "federacion", "usuario": "demo", "contrasena": "demo2021"}))
        .send()
        .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(link["estado"], "completa", "{link}");
    assert_eq!(link["solicitudes"], 12);
    let history: serde_json::Value = http
        .get(format!("{pnt}/api/v1/historial"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first_row = &history["solicitudes"][0];
    assert_eq!(first_row["folio"], "0623800160321");
    assert_eq!(first_row["fecha_recepcion_oficial"], "2021-08-26");
    assert_eq!(first_row["fecha_limite_entrega"], "2021-09-24");
    assert_eq!(first_row["semaforo"], "en_alerta");
    assert_eq!(history["leyenda"], "Mostrando 12 de 12 solicitudes");
    // The banner's queja rows take one on the default date.
    let abiertas: Vec<&str> = history["solicitudes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["queja_disponible"] == true)
        .map(|r| r["folio"].as_str().unwrap())
        .collect();
    for folio in ["0623800161021", "0623800162021"] {
        assert!(abiertas.contains(&folio), "{folio} not in {abiertas:?}");
    }
}

/// Registers `correo` on the PNT at `base` and logs in: the bearer token.
async fn pnt_session(http: &reqwest::Client, base: &str, correo: &str) -> String {
    let api = |path: &str| format!("{base}/api/v1{path}");
    let res = http
        .post(api("/usuarios"))
        .json(&serde_json::json!({"correo": correo, "contrasena": "una-clave-larga", "nombre": "Prueba"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let session: serde_json::Value = http
        .post(api("/sesiones"))
        .json(&serde_json::json!({"correo": correo, "contrasena": "una-clave-larga"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    session["token"].as_str().unwrap().to_owned()
}

/// `serve --infomex J=URL --dialect J=legacy`: one state's Infomex elsewhere and speaking legacy,
/// as a simulator configured that way serves it; the other jurisdictions keep the base URL.
#[tokio::test]
async fn serve_reaches_each_jurisdiction_at_its_url_in_its_dialect() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sim.toml");
    std::fs::write(&config, "seed = 5\nlegacy = [\"sonora\"]\n").unwrap();
    let sim = Served::spawn(&[
        "sim",
        "--addr",
        "127.0.0.1:0",
        "--config",
        config.to_str().unwrap(),
    ]);
    // The base URL leads nowhere the simulator serves: only Sonora's own URL works.
    let nowhere = format!("{}/ninguno", sim.url);
    let sonora = format!("sonora={}", sim.url);
    let pnt = Served::spawn(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--infomex-url",
        &nowhere,
        "--infomex",
        &sonora,
        "--dialect",
        "sonora=legacy",
    ]);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let api = |path: &str| format!("{}/api/v1{path}", pnt.url);
    let token = pnt_session(&http, &pnt.url, "eva@example.mx").await;
    let token = token.as_str();
    let link = |slug: &'static str| {
        let j = pnt_model::Jurisdiccion::parse(slug).unwrap();
        http.post(api("/vinculaciones"))
            .bearer_auth(token)
            .json(&serde_json::json!({"jurisdiccion": slug, "usuario": "ciudadano3",
                                      "contrasena": infomex_sim::procedural_password(5, j, "ciudadano3")}))
            .send()
    };
    let res = link("sonora").await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["estado"], "completa", "{body}");
    assert!(body["solicitudes"].as_u64().unwrap() > 0, "{body}");
    // Federación keeps the base URL, where no Infomex answers.
    let res = link("federacion").await.unwrap();
    assert_ne!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["error"]["codigo"]
            .as_str()
            .is_some_and(|c| c.starts_with("infomex_")),
        "{body}"
    );
}

/// `serve --calendar` refuses, before listening, a file that names no jurisdiction or a wrong
/// one, and `check` refuses a scenario whose `calendarios` entry cannot be read, at its line.
#[test]
fn calendar_files_for_a_pnt_must_name_their_jurisdiction() {
    let dir = tempfile::tempdir().unwrap();
    let none = dir.path().join("sin.toml");
    std::fs::write(&none, "dias_inhabiles = [2021-11-02]\n").unwrap();
    let out = pnt_suite(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--calendar",
        none.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("código: calendario_sin_jurisdiccion"), "{err}");
    assert!(err.contains("jurisdiccion = \"federacion\""), "{err}");

    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "jurisdiccion = \"jaliscoo\"\n").unwrap();
    let out = pnt_suite(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--calendar",
        typo.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("typo.toml:1:16:"), "{err}");
    assert!(err.contains("código: calendario_invalido"), "{err}");

    let scenario = dir.path().join("s.yaml");
    std::fs::write(
        &scenario,
        "name: x\ncalendarios: [no-existe.toml, sin.toml]\nsteps:\n  - jurisdicciones\n",
    )
    .unwrap();
    let out = pnt_suite(&["check", scenario.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("s.yaml:2:15"), "{all}");
    assert!(all.contains("archivo_ilegible"), "{all}");
    assert!(all.contains("calendario_sin_jurisdiccion"), "{all}");
}
