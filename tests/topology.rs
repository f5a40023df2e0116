//! `run --target` in the topologies an implementer meets (docs/pnt-api.md, "Topology"), with
//! the real binary as the target: a `pnt-suite serve --test-hooks` process on a file database,
//! restarted by `--restart-command`; a simulator already running, used through `--sim-url`; and
//! the message when `--sim-addr` is taken.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_pnt-suite");
const RESTART: &str = "scenarios/escala/reinicio-a-media-migracion.yaml";

fn pnt_suite(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A loopback address nothing listens on (the port the OS just gave and took back).
fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// A process whose banner's first line says it listens; killed when dropped.
struct Process(Child);

impl Process {
    /// Runs `pnt-suite ARGS` and returns once its banner's first line is printed, i.e. once it
    /// listens.
    fn start(args: &[&str]) -> Process {
        let mut command = Command::new(BIN);
        command.args(args);
        Process::spawn(command)
    }

    /// Spawns `command`, whose first line of output is a `pnt-suite` banner, and waits for it.
    fn spawn(mut command: Command) -> Process {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the command runs");
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(first.contains("http://"), "no banner: {first:?}");
        Process(child)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Kills the process whose id is in `pid_file` when dropped (the target the restart command
/// started last, which is not this test's child).
struct PidFile<'a>(&'a Path);

impl Drop for PidFile<'_> {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.0) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

/// `restart` steps against a real `pnt-suite serve` process: the runner runs the command, which
/// stops the process and starts another on the same file database, waits for its discovery
/// document, and the scenario goes on to find what was migrated before the restart.
#[test]
fn restart_command_restarts_a_real_target_process() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, sim) = (free_addr(), free_addr());
    let db = dir.path().join("pnt.sqlite");
    let serve = format!(
        "{BIN} serve --test-hooks --addr {addr} --infomex-url http://{sim} --db {}",
        db.display()
    );
    let pid_file = dir.path().join("pid");
    let script = dir.path().join("restart.sh");
    // `tail --pid` waits for the old process to exit (its port must be free) without polling;
    // the new one runs in the background, its output in a file.
    std::fs::write(
        &script,
        format!(
            "old=$(cat {pid}); kill \"$old\"; tail --pid=\"$old\" -f /dev/null; \
             {serve} > {log} 2>&1 & echo $! > {pid}\n",
            pid = pid_file.display(),
            log = dir.path().join("serve.log").display(),
        ),
    )
    .unwrap();
    // The first process is a child of a shell that waits for it (so, killed, it is reaped and
    // `tail --pid` sees it gone); its banner says it listens.
    let mut first = Command::new("sh");
    first.args([
        "-c",
        &format!("{serve} & echo $! > {}; wait", pid_file.display()),
    ]);
    let _first = Process::spawn(first);
    let _cleanup = PidFile(&pid_file);
    let first_pid = std::fs::read_to_string(&pid_file).unwrap();
    let target = format!("http://{addr}");
    let restart = format!("sh {}", script.display());
    let common = [RESTART, "--target", &target, "--sim-addr", &sim];

    let mut args = vec!["run"];
    args.extend(common);
    args.extend(["--restart-command", &restart]);
    let out = pnt_suite(&args);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("1 escenario: 1 pasó"), "{shown}");
    let second_pid = std::fs::read_to_string(&pid_file).unwrap();
    assert_ne!(first_pid, second_pid, "the target process was replaced");

    // Without the command the scenario is not applicable, and the reason names the flag.
    let mut args = vec!["run"];
    args.extend(common);
    let shown = text(&pnt_suite(&args));
    assert!(shown.contains("NO APLICA"), "{shown}");
    assert!(shown.contains("--restart-command"), "{shown}");

    // A command that fails stops the scenario with its own código and what it printed.
    let mut args = vec!["run"];
    args.extend(common);
    args.extend(["--restart-command", "echo no hay systemd >&2; exit 7"]);
    let out = pnt_suite(&args);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(3), "{shown}");
    assert!(
        shown.contains("[código: reinicio_comando_fallido]"),
        "{shown}"
    );
    assert!(
        shown.contains("terminó con el código 7: no hay systemd"),
        "{shown}"
    );
}

/// A simulator started by hand (as a CI service would be): `--sim-url` configures it for each
/// scenario through its admin API, token included; `--sim-addr` on its address says what to do.
#[test]
fn sim_url_uses_a_running_simulator_and_a_taken_sim_addr_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, sim) = (free_addr(), free_addr());
    let _sim = Process::start(&["sim", "--addr", &sim, "--admin-token", "t0k3n"]);
    let db = dir.path().join("pnt.sqlite");
    let _target = Process::start(&[
        "serve",
        "--test-hooks",
        "--addr",
        &addr,
        "--infomex-url",
        &format!("http://{sim}"),
        "--db",
        db.to_str().unwrap(),
    ]);
    let target = format!("http://{addr}");
    let sim_url = format!("http://{sim}");
    // Jalisco in both dialects (the target is told through its `infomex` hook), a fault plan
    // with a down system, and the clock: what a scenario configures on the simulator.
    let selection = [
        "scenarios/vinculacion/todas-las-jurisdicciones.yaml",
        "scenarios/fallas/sistema-caido.yaml",
        "--filter",
        "en jalisco (",
        "--filter",
        "sistema-caido",
    ];
    let mut args = vec!["run", "--target", &target];
    args.extend(selection);
    let with_url = [
        &args[..],
        &["--sim-url", &sim_url, "--admin-token", "t0k3n"],
    ]
    .concat();
    let out = pnt_suite(&with_url);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("3 escenarios: 3 pasaron"), "{shown}");
    assert!(!shown.contains("NO APLICA"), "{shown}");

    // A wrong token is the simulator's refusal, named.
    let wrong = [&args[..], &["--sim-url", &sim_url, "--admin-token", "otro"]].concat();
    let shown = text(&pnt_suite(&wrong));
    assert!(shown.contains("[código: sim_admin_fallo]"), "{shown}");
    assert!(shown.contains("401"), "{shown}");

    let taken = [&args[..], &["--sim-addr", &sim]].concat();
    let out = pnt_suite(&taken);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(3), "{shown}");
    assert!(shown.contains("[código: sim_addr_en_uso]"), "{shown}");
    assert!(
        shown.contains(&format!("--sim-url http://{sim}")),
        "{shown}"
    );
}
