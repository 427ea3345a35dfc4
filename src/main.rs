fn main() -> std::process::ExitCode {
    nvctl::main()
}
