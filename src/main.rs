use std::process::ExitCode;

fn main() -> ExitCode {
    casa::launch::main()
}
