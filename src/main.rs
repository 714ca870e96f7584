use std::process::ExitCode;

fn main() -> ExitCode {
    casa::cli::main()
}
