//! The `pnt-suite` command. All logic lives in the library (`pnt_suite::cli`).

fn main() -> std::process::ExitCode {
    pnt_suite::cli::main()
}
