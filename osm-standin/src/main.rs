//! `osm-standin`: runs the stand-in as a process, for demos and for clients
//! that are not in-process Rust tests.

use std::ffi::OsString;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use osm_standin::{Standin, StandinConfig, SCENARIOS};

const USAGE: &str = "\
usage: osm-standin [--port N] [--token T] [--port-file PATH] [--max-seconds S]

Local stand-in for Huawei Cloud OSM's GET /v2/servicerequest/carbon-copy-emails.

  --port N          listen on 127.0.0.1:N (default 0: any free port)
  --token T         accepted X-Auth-Token (default: $OSM_STANDIN_TOKEN, else demo-token)
  --port-file PATH  write the port number to PATH once listening
  --max-seconds S   exit after S seconds (default 600)
  --help            print this help

Routes: /v2/servicerequest/carbon-copy-emails (scenario ok),
        /scenario/<name>/v2/servicerequest/carbon-copy-emails,
        GET /_standin/requests (recorded requests, JSON).";

#[derive(Debug)]
struct Options {
    port: u16,
    token: String,
    port_file: Option<PathBuf>,
    max_seconds: u64,
}

enum Command {
    Help,
    Run(Options),
}

fn parse_args(
    args: impl IntoIterator<Item = String>,
    env_token: Option<String>,
) -> Result<Command, String> {
    let mut options = Options {
        port: 0,
        // An empty variable is treated as unset: an empty token would be useless.
        token: env_token
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "demo-token".to_owned()),
        port_file: None,
        max_seconds: 600,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg, None),
        };
        if flag == "--help" || flag == "-h" {
            return Ok(Command::Help);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => {
                let v = value()?;
                options.port = v.parse().map_err(|_| format!("invalid port: {v}"))?;
            }
            "--token" => {
                options.token = value()?;
                if options.token.is_empty() {
                    return Err("--token must not be empty".to_owned());
                }
            }
            "--port-file" => options.port_file = Some(PathBuf::from(value()?)),
            "--max-seconds" => {
                let v = value()?;
                options.max_seconds = v
                    .parse()
                    .map_err(|_| format!("invalid --max-seconds: {v}"))?;
            }
            _ => return Err(format!("unknown argument: {flag}")),
        }
    }
    Ok(Command::Run(options))
}

/// Writes via a temporary file and a rename, so a reader polling for the file
/// never sees it half-written.
fn write_port_file(path: &PathBuf, port: u16) -> std::io::Result<()> {
    let mut tmp = OsString::from(path.as_os_str());
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, format!("{port}\n"))?;
    std::fs::rename(&tmp, path)
}

fn main() -> ExitCode {
    let command = match parse_args(
        std::env::args().skip(1),
        std::env::var("OSM_STANDIN_TOKEN").ok(),
    ) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("osm-standin: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let options = match command {
        Command::Help => {
            println!("{USAGE}\n\nScenarios: {}", SCENARIOS.join(", "));
            return ExitCode::SUCCESS;
        }
        Command::Run(options) => options,
    };

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, options.port));
    let standin = match Standin::start_on(
        addr,
        StandinConfig {
            token: options.token,
        },
    ) {
        Ok(standin) => standin,
        Err(e) => {
            eprintln!("osm-standin: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Ignore write errors: a closed stdout must not stop the server.
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "osm-standin listening on {}", standin.base_url());
    let _ = stdout.flush();

    if let Some(path) = &options.port_file {
        if let Err(e) = write_port_file(path, standin.port()) {
            eprintln!("osm-standin: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }

    // Bounded lifetime: a forgotten demo server must not run forever.
    std::thread::sleep(Duration::from_secs(options.max_seconds));
    eprintln!("osm-standin: stopping after {} s", options.max_seconds);
    drop(standin);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], env: Option<&str>) -> Result<Options, String> {
        match parse_args(args.iter().map(|s| s.to_string()), env.map(str::to_owned))? {
            Command::Run(options) => Ok(options),
            Command::Help => Err("help".to_owned()),
        }
    }

    #[test]
    fn defaults() {
        let o = run(&[], None).unwrap();
        assert_eq!(
            (o.port, o.token.as_str(), o.max_seconds),
            (0, "demo-token", 600)
        );
        assert!(o.port_file.is_none());
        assert_eq!(run(&[], Some("")).unwrap().token, "demo-token");
    }

    #[test]
    fn flags_and_env() {
        let o = run(
            &[
                "--port",
                "8080",
                "--token=t1",
                "--port-file",
                "/tmp/p",
                "--max-seconds=5",
            ],
            Some("env-token"),
        )
        .unwrap();
        assert_eq!((o.port, o.token.as_str(), o.max_seconds), (8080, "t1", 5));
        assert_eq!(o.port_file, Some(PathBuf::from("/tmp/p")));
        assert_eq!(run(&[], Some("env-token")).unwrap().token, "env-token");
    }

    #[test]
    fn errors_and_help() {
        assert!(run(&["--port"], None)
            .unwrap_err()
            .contains("needs a value"));
        assert!(run(&["--port", "x"], None)
            .unwrap_err()
            .contains("invalid port"));
        assert!(run(&["--bogus"], None)
            .unwrap_err()
            .contains("unknown argument"));
        assert_eq!(run(&["--port", "1", "--help"], None).unwrap_err(), "help");
    }
}
